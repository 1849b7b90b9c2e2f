//! `languages`: A language a service, venue or phone line works in (HSDS `language`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "languages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub service_id: Option<Uuid>,
    pub venue_id: Option<Uuid>,
    pub phone_id: Option<Uuid>,
    pub name: Option<String>,
    /// ISO 639.
    pub code: Option<String>,
    pub note: Option<String>,
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
