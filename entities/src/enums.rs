//! The text enums of the directory tables, stored as the strings the CHECK
//! constraints of the migration allow (HSDS spellings).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether a service is running (HSDS `service.status`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "inactive")]
    Inactive,
    #[sea_orm(string_value = "defunct")]
    Defunct,
    #[sea_orm(string_value = "temporarily closed")]
    #[serde(rename = "temporarily closed")]
    TemporarilyClosed,
}

/// What kind of place a venue is (HSDS `location.location_type`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum LocationType {
    #[sea_orm(string_value = "physical")]
    Physical,
    #[sea_orm(string_value = "postal")]
    Postal,
    #[sea_orm(string_value = "virtual")]
    Virtual,
}

/// How people attend an event.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum AttendingType {
    #[sea_orm(string_value = "in_person")]
    InPerson,
    #[sea_orm(string_value = "online")]
    Online,
    #[sea_orm(string_value = "hybrid")]
    Hybrid,
}
