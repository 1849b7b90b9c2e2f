//! `data_files`: The ingest file registry: one row per file a source offered.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::enums::DataFileState;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "data_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub source: String,
    pub file_name: String,
    pub object_key: String,
    pub sha256: Option<String>,
    pub size_bytes: Option<i64>,
    pub state: DataFileState,
    pub error_message: Option<String>,
    pub rows_loaded: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    /// The ingest run that last registered or (re)loaded the file.
    pub run_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
