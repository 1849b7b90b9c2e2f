//! `venues`: A place where services are delivered (HSDS `location` + `address`).

use crate::enums::LocationType;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "venues")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The provider that owns or runs the venue.
    pub provider_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    /// physical, postal or virtual.
    pub location_type: LocationType,
    pub address_1: Option<String>,
    pub address_2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub state_province: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2 code.
    pub country: String,
    /// WGS84 degrees.
    pub latitude: Option<f64>,
    /// WGS84 degrees.
    pub longitude: Option<f64>,
    pub transportation: Option<String>,
    pub accessibility: Option<String>,
    pub url: Option<String>,
    /// Needs review; hides nothing.
    pub flagged: bool,
    pub alternate_name: Option<String>,
    pub external_identifier: Option<String>,
    pub external_identifier_type: Option<String>,
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
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::providers::Entity",
        from = "Column::ProviderId",
        to = "super::providers::Column::Id"
    )]
    Provider,
}

impl Related<super::providers::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Provider.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
