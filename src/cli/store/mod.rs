//! `signpost store …`: the object store from the command line — moving raw files
//! to another store, and checking a store configuration before a deploy.

pub mod check_config;
pub mod migrate;

use crate::config::Config;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct StoreArgs {
    #[command(subcommand)]
    pub command: StoreCommand,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy what one store lacks from another (by default the two sides of the
    /// configured `migrating` store).
    Migrate(migrate::MigrateArgs),
    /// Print the object-store configuration as Signpost reads it (secrets hidden),
    /// and with `--connect`, whether the store answers.
    CheckConfig(check_config::CheckConfigArgs),
}

pub async fn run(config: &Config, args: StoreArgs) -> anyhow::Result<()> {
    match args.command {
        StoreCommand::Migrate(args) => migrate::run(config, args).await,
        StoreCommand::CheckConfig(args) => check_config::run(config, args).await,
    }
}
