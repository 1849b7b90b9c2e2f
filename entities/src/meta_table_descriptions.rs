//! `meta_table_descriptions`: A description of a table of the published data (HSDS `meta_table_description`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "meta_table_descriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: Option<String>,
    pub language: Option<String>,
    pub character_set: Option<String>,
    /// Set by the server when the row is created.
    pub created_at: DateTimeUtc,
    /// Set by the server on every change.
    pub updated_at: DateTimeUtc,
    /// 1 on create, +1 on every update (optimistic concurrency).
    pub version: i32,
    /// Tombstone: set when the record is deleted; the row is kept for exports.
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
