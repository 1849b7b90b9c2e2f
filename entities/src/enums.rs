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

/// Where an import stands (`imports.state`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    #[sea_orm(string_value = "uploaded")]
    Uploaded,
    #[sea_orm(string_value = "validating")]
    Validating,
    #[sea_orm(string_value = "validated")]
    Validated,
    #[sea_orm(string_value = "applying")]
    Applying,
    #[sea_orm(string_value = "completed")]
    Completed,
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// How an import treats records already there (`imports.mode`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    #[sea_orm(string_value = "upsert")]
    Upsert,
    #[sea_orm(string_value = "replace")]
    Replace,
}

/// Where an ingest run stands (`ingest_runs.state`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum IngestRunState {
    #[sea_orm(string_value = "queued")]
    Queued,
    #[sea_orm(string_value = "running")]
    Running,
    #[sea_orm(string_value = "completed")]
    Completed,
    #[sea_orm(string_value = "completed_with_failures")]
    CompletedWithFailures,
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// What became of a registered file (`data_files.state`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DataFileState {
    #[sea_orm(string_value = "processing")]
    Processing,
    #[sea_orm(string_value = "processed")]
    Processed,
    #[sea_orm(string_value = "failed")]
    Failed,
    #[sea_orm(string_value = "ignored")]
    Ignored,
}

/// Where a dataset version is (`dataset_versions.state`): uploaded → verified
/// (previewed) → processing → completed | failed; or discarded.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum DatasetVersionState {
    #[sea_orm(string_value = "uploaded")]
    Uploaded,
    #[sea_orm(string_value = "verified")]
    Verified,
    #[sea_orm(string_value = "processing")]
    Processing,
    #[sea_orm(string_value = "completed")]
    Completed,
    #[sea_orm(string_value = "failed")]
    Failed,
    #[sea_orm(string_value = "discarded")]
    Discarded,
}

/// Where a notification is (`notifications.state`): pending (not yet accepted),
/// triggered (a data-flow run to follow), completed or failed.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum NotificationState {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "triggered")]
    Triggered,
    #[sea_orm(string_value = "completed")]
    Completed,
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// Each enum prints as it is stored (`completed_with_failures`), as logs and the
/// command line show it.
macro_rules! display_as_stored {
    ($($name:ty),*) => {$(
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.to_value())
            }
        }
    )*};
}
display_as_stored!(
    ServiceStatus,
    LocationType,
    AttendingType,
    ImportState,
    ImportMode,
    IngestRunState,
    DataFileState,
    DatasetVersionState,
    NotificationState
);
