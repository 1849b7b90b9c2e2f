//! `phones`: A telephone number of a venue, service, provider, contact or service at a venue (HSDS `phone`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "phones")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub venue_id: Option<Uuid>,
    pub service_id: Option<Uuid>,
    pub provider_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    /// HSDS `service_at_location_id`.
    pub service_venue_id: Option<Uuid>,
    pub number: String,
    pub extension: Option<i32>,
    /// text, voice, fax, cell, video, pager or textphone.
    pub r#type: Option<String>,
    pub description: Option<String>,
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
