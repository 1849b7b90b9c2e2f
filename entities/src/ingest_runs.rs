//! `ingest_runs`: One ingest run of one source.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::enums::IngestRunState;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "ingest_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub source: String,
    pub trigger: String,
    pub state: IngestRunState,
    pub force: bool,
    pub files_seen: i32,
    pub files_fetched: i32,
    pub files_loaded: i32,
    pub files_failed: i32,
    pub error_message: Option<String>,
    pub holder: Option<String>,
    pub started_at: DateTimeUtc,
    pub heartbeat_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    /// The run's warnings, one per line.
    pub warnings: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
