//! `providers`: A provider: the organisation that runs services (HSDS `organization`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "providers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Name of the organisation.
    pub name: String,
    /// Another name it is known by.
    pub alternate_name: Option<String>,
    /// What the organisation does.
    pub description: Option<String>,
    /// Main email address.
    pub email: Option<String>,
    /// Website URL.
    pub website: Option<String>,
    /// URL of its logo.
    pub logo: Option<String>,
    /// The provider this one is part of.
    pub parent_provider_id: Option<Uuid>,
    /// Shown to anonymous callers when true.
    pub published: bool,
    /// Needs review; hides nothing.
    pub flagged: bool,
    /// HSDS: the provider's tax status, e.g. "charity".
    pub tax_status: Option<String>,
    pub tax_id: Option<String>,
    pub year_incorporated: Option<i32>,
    pub legal_status: Option<String>,
    /// A persistent identifier of the provider (HSDS `uri`).
    pub uri: Option<String>,
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
        belongs_to = "Entity",
        from = "Column::ParentProviderId",
        to = "Column::Id"
    )]
    ParentProvider,
}

impl ActiveModelBehavior for ActiveModel {}
