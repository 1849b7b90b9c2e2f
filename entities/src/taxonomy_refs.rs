//! `taxonomy_refs`: Tags exactly one record with a term (HSDS `attribute`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "taxonomy_refs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub taxonomy_term_id: Uuid,
    pub service_id: Option<Uuid>,
    pub provider_id: Option<Uuid>,
    pub venue_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub service_venue_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub phone_id: Option<Uuid>,
    pub schedule_id: Option<Uuid>,
    pub address_id: Option<Uuid>,
    pub language_id: Option<Uuid>,
    pub accessibility_id: Option<Uuid>,
    pub service_area_id: Option<Uuid>,
    pub funding_id: Option<Uuid>,
    pub cost_option_id: Option<Uuid>,
    pub required_document_id: Option<Uuid>,
    pub program_id: Option<Uuid>,
    pub organization_identifier_id: Option<Uuid>,
    /// HSDS `link_type`: what the attribute says about the record (free text).
    pub link_type: Option<String>,
    pub value: Option<String>,
    pub label: Option<String>,
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
        belongs_to = "super::taxonomy_terms::Entity",
        from = "Column::TaxonomyTermId",
        to = "super::taxonomy_terms::Column::Id"
    )]
    TaxonomyTerm,
    #[sea_orm(
        belongs_to = "super::services::Entity",
        from = "Column::ServiceId",
        to = "super::services::Column::Id"
    )]
    Service,
    #[sea_orm(
        belongs_to = "super::providers::Entity",
        from = "Column::ProviderId",
        to = "super::providers::Column::Id"
    )]
    Provider,
    #[sea_orm(
        belongs_to = "super::venues::Entity",
        from = "Column::VenueId",
        to = "super::venues::Column::Id"
    )]
    Venue,
    #[sea_orm(
        belongs_to = "super::events::Entity",
        from = "Column::EventId",
        to = "super::events::Column::Id"
    )]
    Event,
}

impl Related<super::taxonomy_terms::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TaxonomyTerm.def()
    }
}

impl Related<super::services::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Service.def()
    }
}

impl Related<super::providers::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Provider.def()
    }
}

impl Related<super::venues::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Venue.def()
    }
}

impl Related<super::events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
