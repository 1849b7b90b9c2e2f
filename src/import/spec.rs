//! What a CSV file of each record type may hold: its columns, their types, which
//! are required, and the HSDS names accepted for them (`organization_id` for
//! `provider_id`, `location_id` for `venue_id`, …), so HSDS / Open Referral UK
//! files import without a translation step. Server-managed columns (`version`,
//! `created_at`, `updated_at`, `deleted_at`) are accepted and ignored, so an
//! export re-imports cleanly.

use crate::repo::RecordType;

/// How a column's text is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// The id of a live record of this table (or of a row of the same import).
    Ref(RecordType),
    Int,
    /// Not below zero, at most two decimals.
    Money,
    Date,
    Timestamp,
    Bool,
    /// One of these stored spellings (matched ignoring case, `_` and `-` as spaces).
    Enum(&'static [&'static str]),
    Email,
    Url,
    Latitude,
    Longitude,
    /// ISO 3166 alpha-2, stored upper case.
    Country,
    /// ISO 4217, stored upper case.
    Currency,
    /// RFC 5545 RRULE (checked against the row's `starts_at`).
    Rrule,
}

/// One column of a record type.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Signpost's (and the table's) name.
    pub name: &'static str,
    /// Other names accepted in a header (HSDS).
    pub aliases: &'static [&'static str],
    pub kind: Kind,
    pub required: bool,
    /// The value when the column is absent or the cell empty.
    pub default: Option<&'static str>,
}

const fn col(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        aliases: &[],
        kind,
        required: false,
        default: None,
    }
}

const fn req(name: &'static str, kind: Kind) -> Column {
    Column {
        required: true,
        ..col(name, kind)
    }
}

const fn alias(column: Column, aliases: &'static [&'static str]) -> Column {
    Column { aliases, ..column }
}

const fn default(column: Column, value: &'static str) -> Column {
    Column {
        default: Some(value),
        ..column
    }
}

use Kind::*;
use RecordType as R;

const STATUS: &[&str] = &["active", "inactive", "defunct", "temporarily closed"];
const LOCATION_TYPE: &[&str] = &["physical", "postal", "virtual"];
const ATTENDING: &[&str] = &["in_person", "online", "hybrid"];

/// Columns a file may carry that the server manages: accepted, ignored.
pub const SERVER_MANAGED: &[&str] = &["version", "created_at", "updated_at", "deleted_at"];

/// The columns of a record type, `id` first.
pub fn columns(kind: RecordType) -> &'static [Column] {
    match kind {
        R::Providers => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Providers)),
                req("name", Text),
                col("alternate_name", Text),
                col("description", Text),
                col("email", Email),
                alias(col("website", Url), &["url"]),
                col("logo", Url),
                alias(
                    col("parent_provider_id", Ref(R::Providers)),
                    &["parent_organization_id"],
                ),
                default(col("published", Bool), "false"),
                default(col("flagged", Bool), "false"),
            ];
            COLUMNS
        }
        R::Services => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Services)),
                alias(req("provider_id", Ref(R::Providers)), &["organization_id"]),
                req("name", Text),
                col("alternate_name", Text),
                col("description", Text),
                col("url", Url),
                col("email", Email),
                default(col("status", Enum(STATUS)), "active"),
                alias(col("fees_description", Text), &["fees"]),
                col("application_process", Text),
                col("wait_time", Text),
                col("minimum_age", Int),
                col("maximum_age", Int),
                col("assured_date", Date),
                default(col("published", Bool), "false"),
                default(col("flagged", Bool), "false"),
            ];
            COLUMNS
        }
        R::Venues => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Venues)),
                alias(col("provider_id", Ref(R::Providers)), &["organization_id"]),
                req("name", Text),
                col("description", Text),
                default(col("location_type", Enum(LOCATION_TYPE)), "physical"),
                col("address_1", Text),
                col("address_2", Text),
                col("city", Text),
                col("region", Text),
                col("state_province", Text),
                col("postal_code", Text),
                default(col("country", Country), "GB"),
                col("latitude", Latitude),
                col("longitude", Longitude),
                col("transportation", Text),
                col("accessibility", Text),
                col("url", Url),
                default(col("flagged", Bool), "false"),
            ];
            COLUMNS
        }
        R::ServiceVenues => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::ServiceVenues)),
                req("service_id", Ref(R::Services)),
                alias(req("venue_id", Ref(R::Venues)), &["location_id"]),
                col("description", Text),
            ];
            COLUMNS
        }
        R::Contacts => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Contacts)),
                alias(col("provider_id", Ref(R::Providers)), &["organization_id"]),
                col("service_id", Ref(R::Services)),
                alias(col("venue_id", Ref(R::Venues)), &["location_id"]),
                req("name", Text),
                col("title", Text),
                col("department", Text),
                col("email", Email),
                alias(col("phone", Text), &["phone_number", "number"]),
                col("url", Url),
                col("social_facebook", Text),
                col("social_twitter", Text),
                default(col("flagged", Bool), "false"),
            ];
            COLUMNS
        }
        R::Eligibilities => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Eligibilities)),
                alias(req("description", Text), &["eligibility_description"]),
                col("minimum_age", Int),
                col("maximum_age", Int),
            ];
            COLUMNS
        }
        R::ServiceEligibilities => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::ServiceEligibilities)),
                req("service_id", Ref(R::Services)),
                req("eligibility_id", Ref(R::Eligibilities)),
            ];
            COLUMNS
        }
        R::CostOptions => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::CostOptions)),
                req("service_id", Ref(R::Services)),
                req("option", Text),
                col("amount", Money),
                default(col("currency", Currency), "GBP"),
                col("amount_description", Text),
                col("valid_from", Date),
                col("valid_to", Date),
            ];
            COLUMNS
        }
        R::Events => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Events)),
                col("service_id", Ref(R::Services)),
                alias(col("venue_id", Ref(R::Venues)), &["location_id"]),
                alias(col("provider_id", Ref(R::Providers)), &["organization_id"]),
                req("title", Text),
                col("description", Text),
                col("starts_at", Timestamp),
                col("ends_at", Timestamp),
                col("time_description", Text),
                col("rrule", Rrule),
                col("attending_type", Enum(ATTENDING)),
                col("booking_url", Url),
                default(col("flagged", Bool), "false"),
            ];
            COLUMNS
        }
        R::Taxonomies => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Taxonomies)),
                req("name", Text),
                col("description", Text),
                col("uri", Url),
                col("version_label", Text),
            ];
            COLUMNS
        }
        R::TaxonomyTerms => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::TaxonomyTerms)),
                req("taxonomy_id", Ref(R::Taxonomies)),
                col("parent_id", Ref(R::TaxonomyTerms)),
                col("code", Text),
                req("name", Text),
                col("description", Text),
                col("term_uri", Url),
            ];
            COLUMNS
        }
        R::TaxonomyRefs => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::TaxonomyRefs)),
                req("taxonomy_term_id", Ref(R::TaxonomyTerms)),
                col("service_id", Ref(R::Services)),
                alias(col("provider_id", Ref(R::Providers)), &["organization_id"]),
                alias(col("venue_id", Ref(R::Venues)), &["location_id"]),
                col("event_id", Ref(R::Events)),
                col("value", Text),
                col("label", Text),
            ];
            COLUMNS
        }
    }
}

/// The record type a file name names, Signpost's or HSDS's (`organizations.csv`).
pub fn record_type_of_file(file_name: &str) -> Option<RecordType> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = base
        .strip_suffix(".csv")
        .or_else(|| base.strip_suffix(".CSV"))?
        .to_ascii_lowercase();
    // `services.csv`, or a dated or numbered one as sources publish them
    // (`2026-12-01_services.csv`, `export-organizations.csv`).
    std::iter::once(stem.as_str())
        .chain(
            stem.match_indices(['-', '_', '.', ' '])
                .map(|(at, _)| &stem[at + 1..]),
        )
        .find_map(type_of_stem)
}

fn type_of_stem(stem: &str) -> Option<RecordType> {
    match stem {
        "organizations" | "organisations" => Some(R::Providers),
        "locations" => Some(R::Venues),
        "service_at_locations" | "service_at_location" => Some(R::ServiceVenues),
        "attributes" => Some(R::TaxonomyRefs),
        other => other.parse().ok(),
    }
}

/// `taxonomy_refs` from HSDS `attributes.csv`: `link_type` says which column
/// `link_id` fills.
pub fn attribute_target(link_type: &str) -> Option<&'static str> {
    match link_type.trim().to_ascii_lowercase().as_str() {
        "service" | "services" => Some("service_id"),
        "organization" | "organisation" | "organizations" | "provider" | "providers" => {
            Some("provider_id")
        }
        "location" | "locations" | "venue" | "venues" => Some("venue_id"),
        "event" | "events" => Some("event_id"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_name_record_types() {
        assert_eq!(record_type_of_file("services.csv"), Some(R::Services));
        assert_eq!(
            record_type_of_file("x/organizations.csv"),
            Some(R::Providers)
        );
        assert_eq!(record_type_of_file("providers.csv"), Some(R::Providers));
        assert_eq!(
            record_type_of_file("service_at_locations.csv"),
            Some(R::ServiceVenues)
        );
        assert_eq!(record_type_of_file("attributes.csv"), Some(R::TaxonomyRefs));
        assert_eq!(record_type_of_file("programs.csv"), None);
        assert_eq!(record_type_of_file("services.txt"), None);
    }

    #[test]
    fn every_record_type_has_id_first_and_unique_names() {
        for kind in RecordType::ALL {
            let columns = columns(kind);
            assert_eq!(columns[0].name, "id", "{kind}");
            let mut names: Vec<&str> = columns
                .iter()
                .flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied()))
                .collect();
            names.sort();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "{kind}: a name is used twice");
        }
    }
}
