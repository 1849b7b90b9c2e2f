//! `schedules`: When a service, venue or service at a venue is open: RFC 5545 recurrence parts (HSDS `schedule`).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub service_id: Option<Uuid>,
    pub venue_id: Option<Uuid>,
    /// HSDS `service_at_location_id`.
    pub service_venue_id: Option<Uuid>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub dtstart: Option<Date>,
    /// UTC offset in hours.
    pub timezone: Option<f64>,
    pub until: Option<Date>,
    pub count: Option<i32>,
    pub wkst: Option<String>,
    /// WEEKLY or MONTHLY.
    pub freq: Option<String>,
    pub interval: Option<i32>,
    pub byday: Option<String>,
    pub byweekno: Option<String>,
    pub bymonthday: Option<String>,
    pub byyearday: Option<String>,
    pub description: Option<String>,
    /// Local time, HH:MM or HH:MM:SS.
    pub opens_at: Option<String>,
    /// Local time; before `opens_at` for an overnight opening.
    pub closes_at: Option<String>,
    pub schedule_link: Option<String>,
    pub attending_type: Option<String>,
    pub notes: Option<String>,
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
