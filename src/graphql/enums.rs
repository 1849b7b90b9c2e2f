//! The enums of the directory, as GraphQL enums (SCREAMING_SNAKE_CASE values)
//! mirroring the stored HSDS spellings.

use super::filter::scalar::{Stored, enum_filter};
use async_graphql::Enum;
use entities::enums;
use serde::Serialize;

/// Whether a service is running (HSDS `service.status`).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[graphql(remote = "entities::enums::ServiceStatus")]
pub enum ServiceStatus {
    /// Running.
    Active,
    /// Not running for now.
    Inactive,
    /// Closed for good.
    Defunct,
    /// Closed for a while (HSDS "temporarily closed").
    TemporarilyClosed,
}

/// What kind of place a venue is (HSDS `location.location_type`).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[graphql(remote = "entities::enums::LocationType")]
pub enum LocationType {
    /// A place people visit.
    Physical,
    /// A postal address only.
    Postal,
    /// Online.
    Virtual,
}

/// How people attend an event.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[graphql(remote = "entities::enums::AttendingType")]
pub enum AttendingType {
    /// In person, at a venue.
    InPerson,
    /// Online.
    Online,
    /// Both.
    Hybrid,
}

/// A kind of directory record, as imports, exports and the change log name it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::repo::RecordType")]
pub enum RecordType {
    Providers,
    Services,
    Venues,
    ServiceVenues,
    Contacts,
    Eligibilities,
    ServiceEligibilities,
    CostOptions,
    Events,
    Taxonomies,
    TaxonomyTerms,
    TaxonomyRefs,
    Programs,
    Phones,
    Schedules,
    Addresses,
    Languages,
    Accessibility,
    ServiceAreas,
    Funding,
    RequiredDocuments,
    OrganizationIdentifiers,
    MetaTableDescriptions,
    Metadata,
}

impl Stored for ServiceStatus {
    type Db = enums::ServiceStatus;
}
impl Stored for LocationType {
    type Db = enums::LocationType;
}
impl Stored for AttendingType {
    type Db = enums::AttendingType;
}

enum_filter!(
    ServiceStatusFilter,
    ServiceStatus,
    "Conditions on a service's status."
);
enum_filter!(
    LocationTypeFilter,
    LocationType,
    "Conditions on a venue's location type."
);
enum_filter!(
    AttendingTypeFilter,
    AttendingType,
    "Conditions on how an event is attended."
);
