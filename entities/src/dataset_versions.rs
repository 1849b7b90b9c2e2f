//! `dataset_versions`: One uploaded file of a dataset, from upload to its table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::enums::DatasetVersionState;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "dataset_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dataset_id: Uuid,
    /// 1, 2, 3… within the dataset; names the version's table.
    pub number: i32,
    pub state: DatasetVersionState,
    pub file_name: String,
    pub object_key: String,
    pub sha256: String,
    pub size_bytes: i64,
    /// Per column: name, inferred type, the types every value fits, samples; and
    /// the columns the current version has that this file lacks.
    pub preview: Option<Json>,
    /// The confirmed columns, `[{"name", "type"}]`, in file order.
    pub columns: Option<Json>,
    pub rows_total: i64,
    pub rows_done: i64,
    pub error_message: Option<String>,
    pub restored_from: Option<Uuid>,
    pub submitted_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
