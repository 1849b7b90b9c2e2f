//! `addresses`: A physical, postal or virtual address of a venue (HSDS `address`); the venue's own address columns are fed from its main one.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "addresses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// HSDS `location_id`.
    pub venue_id: Uuid,
    pub attention: Option<String>,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub state_province: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: String,
    /// physical, postal or virtual.
    pub address_type: String,
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
