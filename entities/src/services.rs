//! `services`: A service a provider offers (HSDS `service`).

use crate::enums::ServiceStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "services")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The provider that runs it.
    pub provider_id: Uuid,
    /// Name of the service.
    pub name: String,
    pub alternate_name: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    /// Whether it is running (HSDS spelling).
    pub status: ServiceStatus,
    /// What it costs, in words.
    pub fees_description: Option<String>,
    /// How to use or apply.
    pub application_process: Option<String>,
    pub wait_time: Option<String>,
    /// Youngest age served.
    pub minimum_age: Option<i32>,
    /// Oldest age served.
    pub maximum_age: Option<i32>,
    /// When the record was last checked.
    pub assured_date: Option<Date>,
    /// Shown to anonymous callers when true (and its provider is).
    pub published: bool,
    /// Needs review; hides nothing.
    pub flagged: bool,
    /// The programme it belongs to.
    pub program_id: Option<Uuid>,
    pub interpretation_services: Option<String>,
    /// HSDS 3.0's deprecated `fees`, kept apart from `fees_description`.
    pub fees: Option<String>,
    pub accreditations: Option<String>,
    pub eligibility_description: Option<String>,
    pub assurer_email: Option<String>,
    pub licenses: Option<String>,
    /// A short notice shown with the service (e.g. temporarily closed).
    pub alert: Option<String>,
    /// When the source last changed the record (HSDS); `updated_at` is Signpost's own.
    pub last_modified: Option<DateTimeUtc>,
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
