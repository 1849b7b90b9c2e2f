//! What one request reads with: the database, the caller and the limits. Attached
//! to each request as data by [`super::attach`].

use super::connection::PageLimits;
use crate::error::{ApiResult, AppError};
use crate::read::Viewer;
use sea_orm::DatabaseConnection;

pub struct ReadContext {
    pub db: DatabaseConnection,
    pub viewer: Viewer,
    pub limits: PageLimits,
    pub max_radius_km: f64,
    pub export_lag: std::time::Duration,
    /// Read only the columns a query selects (`SIGNPOST_READ_PROJECTION`).
    pub project_columns: bool,
}

impl ReadContext {
    /// `FORBIDDEN` with `message` unless the caller has at least `role`.
    pub fn require(&self, role: crate::read::Role, message: &str) -> ApiResult<()> {
        if self.viewer.role < role {
            return Err(AppError::forbidden(message));
        }
        Ok(())
    }
}

/// What writes beyond the database need: the object store for raw files and the
/// limits of imports.
#[derive(Clone)]
pub struct WriteContext {
    pub store: crate::store::Store,
    pub import_limits: crate::import::run::ImportLimits,
    /// The configured ingest sources.
    pub ingest: std::sync::Arc<crate::ingest::IngestConfig>,
    /// This process, as ingest leases and runs name their holder.
    pub replica: String,
    /// Where imports and ingest runs go on after the mutation answers.
    pub jobs: crate::jobs::Jobs,
    pub dataset_limits: crate::dataset::DatasetLimits,
}
