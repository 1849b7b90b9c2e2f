//! Signpost: a GraphQL directory of community services.
//!
//! Crate map:
//! - `cli`: the command line, a file per subcommand.
//! - `config`: typed settings from defaults, a TOML file and the environment.
//! - `db`: connecting (with retries) and migrating (under a lock).
//! - `demo`: the synthetic demo directory.
//! - `error`: the error type and stable error codes of the API.
//! - `graphql`: the schema, independent of HTTP.
//! - `http`: routes, middleware, health and metrics, serving.
//! - `read`: the read side: visibility, keyset pages, batched children, filters.
//! - `repo`: data access, one module per record type.
//! - `import`: CSV imports: checked, previewed, applied all-or-nothing.
//! - `ingest`: files pulled from external sources, registered, loaded once.
//! - `jobs`: background work that ends cleanly even when it panics.
//! - `state`: what handlers share.
//! - `store`: object storage for raw files (memory, filesystem, S3, SQL; migrating and caching wrappers).
//! - `telemetry`: logging.

pub mod auth;
pub mod cache;
pub mod cli;
pub mod config;
pub mod dataset;
pub mod db;
pub mod demo;
pub mod error;
pub mod export;
pub mod graphql;
pub mod hsds;
pub mod http;
pub mod import;
pub mod ingest;
pub mod jobs;
pub mod notify;
pub mod read;
pub mod repo;
pub mod stamp;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod write;

/// Installs ring as the process's TLS crypto provider (once; later calls do
/// nothing). HTTP clients (JWKS fetches, ingest) are built without a provider of
/// their own to reuse the one the database driver already compiles, and must find
/// one installed before they are built.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
