//! Ingest: files pulled from external HTTP sources into object storage, every
//! file recorded in a registry (`data_files`), and each new file loaded once.
//!
//! A run of a source ([`run`]) lists the source's files ([`fetch`]), downloads
//! the ones the object store does not hold under `sources/<name>/`, then loads
//! every stored file the registry ([`registry`]) has not marked `processed` or
//! `ignored`, one at a time, each in its own transaction, carrying on past a file
//! that fails. One run per source at a time across replicas, through a lease row
//! in `locks` with a heartbeat ([`lease`]): nothing in process memory needs
//! sharing, and a run whose holder died is taken over when its lease expires.

pub mod config;
pub mod dataset;
pub mod fetch;
pub mod hsds;
pub mod lease;
pub mod postcodes;
pub mod registry;
pub mod run;
pub mod schedule;
pub mod sources;

pub use config::{IngestConfig, Listing, Loader, SourceConfig};

/// Why an ingest step failed; the message is what the registry and the run keep.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    Source(String),
    #[error("{0}")]
    Load(String),
    #[error("object store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}
