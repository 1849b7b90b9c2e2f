//! `imports`: One CSV import: its file, state, counts and errors.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::enums::{ImportMode, ImportState};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub record_type: Option<String>,
    pub mode: ImportMode,
    pub dry_run: bool,
    pub force: bool,
    pub strict: bool,
    /// Providers and services the import writes are published (unless the file
    /// says otherwise in a `published` column).
    pub publish: bool,
    pub file_name: String,
    pub object_key: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub state: ImportState,
    pub rows_total: i64,
    pub rows_inserted: i64,
    pub rows_updated: i64,
    pub rows_deleted: i64,
    pub rows_rejected: i64,
    pub errors: Option<Json>,
    pub warnings: Option<Json>,
    pub submitted_by: Option<String>,
    pub restored_from: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// What the import does (or a dry run would do): counts per file and the
    /// first rows read.
    pub preview: Option<Json>,
    /// Rows of the current pass done (PostgreSQL; SQLite keeps it in memory).
    pub rows_done: i64,
    /// The dry run this import applied (`confirmImport`); unique, so a dry run
    /// is confirmed by one import at most.
    pub confirms: Option<Uuid>,
    /// The encoding the import declared (`utf-8`, `windows-1252`); none: detected.
    pub encoding: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
