//! What every request handler can reach; cheap to clone.

use crate::config::Config;
use crate::graphql::{SignpostSchema, build_schema};
use crate::http::metrics::Metrics;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    /// Built once; per-request data (caller, loader) is attached to each request.
    pub schema: SignpostSchema,
    /// Turns a request's credentials into its viewer.
    pub auth: Arc<crate::auth::Auth>,
    /// Where raw files (imports, ingested downloads) live.
    pub store: crate::store::Store,
    /// The configured ingest sources.
    pub ingest: Arc<crate::ingest::IngestConfig>,
    /// This process as ingest leases name it: host, process id and a random
    /// suffix, unique across replicas and restarts.
    pub replica: String,
    /// Imports, ingest runs, schedules and sweepers running in the background.
    pub jobs: crate::jobs::Jobs,
    /// The shared response cache, when configured ([`crate::cache::start`]).
    pub cache: Option<Arc<crate::cache::ResponseCache>>,
    /// Parsed GraphQL documents by their text.
    pub documents: Arc<crate::graphql::documents::DocumentCache>,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: Config,
        auth: crate::auth::Auth,
        store: crate::store::Store,
    ) -> Self {
        let replica = format!(
            "{}:{}:{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "signpost".into()),
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Self {
            db,
            ingest: Arc::new(config.ingest.clone()),
            replica,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            schema: build_schema(),
            auth: Arc::new(auth),
            store,
            jobs: crate::jobs::Jobs::new(),
            cache: None,
            documents: Arc::new(crate::graphql::documents::DocumentCache::new()),
        }
    }
}
