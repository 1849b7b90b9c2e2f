//! The root of every read: connections over each record type ([`lists`]) and
//! lookups by id ([`lookups`]).

pub mod activity;
pub mod admin;
pub mod change_log;
pub mod datasets;
pub mod export;
pub mod imports;
pub mod ingest;
pub mod list;
pub mod lists;
pub mod lookups;

use async_graphql::{MergedObject, Object};

/// Facts about the server.
#[derive(Default)]
pub struct ServerQuery;

#[Object]
impl ServerQuery {
    /// The version of the Signpost server answering.
    async fn server_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

/// The root of every read.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    lists::ListQuery,
    lookups::LookupQuery,
    change_log::ChangeLogQuery,
    imports::ImportQuery,
    export::ExportQuery,
    ingest::IngestQuery,
    datasets::DatasetQuery,
    admin::AdminQuery,
    activity::ActivityQuery,
    ServerQuery,
);
