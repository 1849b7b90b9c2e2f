//! `contacts`: A person or desk to contact about a provider, service or venue (HSDS `contact` + `phone`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub provider_id: Option<Uuid>,
    pub service_id: Option<Uuid>,
    pub venue_id: Option<Uuid>,
    /// HSDS `service_at_location_id`.
    pub service_venue_id: Option<Uuid>,
    pub name: String,
    /// Position.
    pub title: Option<String>,
    pub department: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub social_facebook: Option<String>,
    pub social_twitter: Option<String>,
    /// Needs review; hides nothing.
    pub flagged: bool,
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
    #[sea_orm(
        belongs_to = "super::services::Entity",
        from = "Column::ServiceId",
        to = "super::services::Column::Id"
    )]
    Service,
    #[sea_orm(
        belongs_to = "super::venues::Entity",
        from = "Column::VenueId",
        to = "super::venues::Column::Id"
    )]
    Venue,
}

impl Related<super::providers::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Provider.def()
    }
}

impl Related<super::services::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Service.def()
    }
}

impl Related<super::venues::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Venue.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
