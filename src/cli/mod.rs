//! The command line: one [`Command`] enum, a file per subcommand.

pub mod dataset;
pub mod demo_data;
pub mod export_hsds;
pub mod hawk_request;
pub mod import;
pub mod ingest;
pub mod migrate;
pub mod print_schema;
pub mod serve;
pub mod store;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Signpost: a GraphQL directory of community services.
#[derive(Debug, Parser)]
#[command(name = "signpost", version, about)]
pub struct Cli {
    /// TOML config file (settings there are overridden by environment variables).
    #[arg(long, global = true, env = "SIGNPOST_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (applies pending migrations first unless --no-migrate).
    Serve(serve::ServeArgs),
    /// Apply, roll back or inspect database migrations.
    Migrate(migrate::MigrateArgs),
    /// Write a realistic synthetic directory into the database.
    DemoData(demo_data::DemoDataArgs),
    /// Print the GraphQL schema (SDL) to standard output.
    PrintSchema,
    /// Make a HAWK-signed request (as a pipeline would) and check the signed response.
    HawkRequest(hawk_request::HawkRequestArgs),
    /// Import a CSV file (or a zip of them): checked, previewed, applied all-or-nothing.
    Import(import::ImportArgs),
    /// Run ingest sources: fetch their new files and load each once.
    Ingest(ingest::IngestArgs),
    /// Datasets: create, upload a version (previewed, then loaded), restore, list.
    Dataset(dataset::DatasetArgs),
    /// Write the directory as an HSDS 3.0 tabular package (a zip of CSV files and
    /// datapackage.json).
    ExportHsds(export_hsds::ExportHsdsArgs),
    /// Work on the object store (moving to another one).
    Store(store::StoreArgs),
}

/// A usage error: the command exits with code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
