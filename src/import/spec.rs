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
    /// A UUID the database does not check (HSDS `metadata.resource_id`).
    Id,
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
    /// Any finite number.
    Number,
    /// A time of day, `HH:MM` or `HH:MM:SS`.
    Time,
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
const PHONE_TYPE: &[&str] = &[
    "text",
    "voice",
    "fax",
    "cell",
    "video",
    "pager",
    "textphone",
];
const WEEKDAY: &[&str] = &["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const FREQ: &[&str] = &["WEEKLY", "MONTHLY"];
const EXTENT_TYPE: &[&str] = &["geojson", "topojson", "kml", "text"];

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
                col("tax_status", Text),
                col("tax_id", Text),
                col("year_incorporated", Int),
                col("legal_status", Text),
                col("uri", Text),
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
                col("fees_description", Text),
                // HSDS 3.0 deprecates `fees` for `fees_description`; both are kept.
                col("fees", Text),
                col("application_process", Text),
                col("wait_time", Text),
                col("minimum_age", Int),
                col("maximum_age", Int),
                col("assured_date", Date),
                default(col("published", Bool), "false"),
                default(col("flagged", Bool), "false"),
                col("program_id", Ref(R::Programs)),
                col("interpretation_services", Text),
                col("accreditations", Text),
                col("eligibility_description", Text),
                col("assurer_email", Email),
                col("licenses", Text),
                col("alert", Text),
                col("last_modified", Timestamp),
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
                col("alternate_name", Text),
                col("external_identifier", Text),
                col("external_identifier_type", Text),
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
                alias(
                    col("service_venue_id", Ref(R::ServiceVenues)),
                    &["service_at_location_id"],
                ),
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
                // HSDS's `version` is the taxonomy's (text); the header reader gives
                // it to `version_label` unless the file has that column too.
                alias(col("version_label", Text), &["version"]),
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
                col("language", Text),
                col("taxonomy", Text),
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
                alias(
                    col("service_venue_id", Ref(R::ServiceVenues)),
                    &["service_at_location_id"],
                ),
                col("contact_id", Ref(R::Contacts)),
                col("phone_id", Ref(R::Phones)),
                col("schedule_id", Ref(R::Schedules)),
                col("address_id", Ref(R::Addresses)),
                col("language_id", Ref(R::Languages)),
                col("accessibility_id", Ref(R::Accessibility)),
                col("service_area_id", Ref(R::ServiceAreas)),
                col("funding_id", Ref(R::Funding)),
                col("cost_option_id", Ref(R::CostOptions)),
                col("required_document_id", Ref(R::RequiredDocuments)),
                col("program_id", Ref(R::Programs)),
                col(
                    "organization_identifier_id",
                    Ref(R::OrganizationIdentifiers),
                ),
                col("value", Text),
                col("label", Text),
                col("link_type", Text),
            ];
            COLUMNS
        }
        R::Programs => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Programs)),
                alias(req("provider_id", Ref(R::Providers)), &["organization_id"]),
                req("name", Text),
                col("alternate_name", Text),
                col("description", Text),
            ];
            COLUMNS
        }
        R::Phones => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Phones)),
                alias(col("venue_id", Ref(R::Venues)), &["location_id"]),
                col("service_id", Ref(R::Services)),
                alias(col("provider_id", Ref(R::Providers)), &["organization_id"]),
                col("contact_id", Ref(R::Contacts)),
                alias(
                    col("service_venue_id", Ref(R::ServiceVenues)),
                    &["service_at_location_id"],
                ),
                req("number", Text),
                col("extension", Int),
                col("type", Enum(PHONE_TYPE)),
                col("description", Text),
            ];
            COLUMNS
        }
        R::Schedules => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Schedules)),
                col("service_id", Ref(R::Services)),
                alias(col("venue_id", Ref(R::Venues)), &["location_id"]),
                alias(
                    col("service_venue_id", Ref(R::ServiceVenues)),
                    &["service_at_location_id"],
                ),
                col("valid_from", Date),
                col("valid_to", Date),
                col("dtstart", Date),
                col("timezone", Number),
                col("until", Date),
                col("count", Int),
                col("wkst", Enum(WEEKDAY)),
                col("freq", Enum(FREQ)),
                col("interval", Int),
                col("byday", Text),
                col("byweekno", Text),
                col("bymonthday", Text),
                col("byyearday", Text),
                col("description", Text),
                col("opens_at", Time),
                col("closes_at", Time),
                col("schedule_link", Url),
                col("attending_type", Text),
                col("notes", Text),
            ];
            COLUMNS
        }
        R::Addresses => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Addresses)),
                alias(req("venue_id", Ref(R::Venues)), &["location_id"]),
                col("attention", Text),
                col("address_1", Text),
                col("address_2", Text),
                col("city", Text),
                col("region", Text),
                col("state_province", Text),
                col("postal_code", Text),
                default(col("country", Country), "GB"),
                default(col("address_type", Enum(LOCATION_TYPE)), "physical"),
            ];
            COLUMNS
        }
        R::Languages => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Languages)),
                col("service_id", Ref(R::Services)),
                alias(col("venue_id", Ref(R::Venues)), &["location_id"]),
                col("phone_id", Ref(R::Phones)),
                col("name", Text),
                col("code", Text),
                col("note", Text),
            ];
            COLUMNS
        }
        R::Accessibility => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Accessibility)),
                alias(req("venue_id", Ref(R::Venues)), &["location_id"]),
                col("description", Text),
                col("details", Text),
                col("url", Url),
            ];
            COLUMNS
        }
        R::ServiceAreas => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::ServiceAreas)),
                req("service_id", Ref(R::Services)),
                col("name", Text),
                col("description", Text),
                col("extent", Text),
                col("extent_type", Enum(EXTENT_TYPE)),
                col("uri", Text),
            ];
            COLUMNS
        }
        R::Funding => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Funding)),
                alias(col("provider_id", Ref(R::Providers)), &["organization_id"]),
                col("service_id", Ref(R::Services)),
                col("source", Text),
            ];
            COLUMNS
        }
        R::RequiredDocuments => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::RequiredDocuments)),
                req("service_id", Ref(R::Services)),
                col("document", Text),
                col("uri", Text),
            ];
            COLUMNS
        }
        R::OrganizationIdentifiers => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::OrganizationIdentifiers)),
                alias(req("provider_id", Ref(R::Providers)), &["organization_id"]),
                col("identifier_scheme", Text),
                req("identifier_type", Text),
                req("identifier", Text),
            ];
            COLUMNS
        }
        R::MetaTableDescriptions => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::MetaTableDescriptions)),
                col("name", Text),
                col("language", Text),
                col("character_set", Text),
            ];
            COLUMNS
        }
        R::Metadata => {
            const COLUMNS: &[Column] = &[
                col("id", Ref(R::Metadata)),
                req("resource_id", Id),
                req("resource_type", Text),
                req("last_action_date", Date),
                req("last_action_type", Text),
                // Empty for a record created or deleted, or a field set from nothing
                // (as change-log provenance often is); stored as empty text.
                default(col("field_name", Text), ""),
                default(col("previous_value", Text), ""),
                default(col("replacement_value", Text), ""),
                req("updated_by", Text),
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
        "organisations" => Some(R::Providers),
        other => crate::hsds::package::kind_of(other).or_else(|| other.parse().ok()),
    }
}

/// Which records of a type must hang off a parent: the columns of which at least
/// one is set (exactly one when `exactly_one`).
pub fn parents(kind: RecordType) -> Option<(&'static [&'static str], bool)> {
    match kind {
        R::Contacts => Some((
            &["provider_id", "service_id", "venue_id", "service_venue_id"],
            false,
        )),
        R::Phones => Some((
            &[
                "venue_id",
                "service_id",
                "provider_id",
                "contact_id",
                "service_venue_id",
            ],
            false,
        )),
        R::Schedules => Some((&["service_id", "venue_id", "service_venue_id"], false)),
        R::Languages => Some((&["service_id", "venue_id", "phone_id"], false)),
        R::Funding => Some((&["provider_id", "service_id"], false)),
        R::TaxonomyRefs => Some((ATTRIBUTE_TARGETS, true)),
        _ => None,
    }
}

/// The columns an attribute's target may sit in (see [`crate::hsds::attribute`]).
const ATTRIBUTE_TARGETS: &[&str] = &[
    "service_id",
    "provider_id",
    "venue_id",
    "event_id",
    "service_venue_id",
    "contact_id",
    "phone_id",
    "schedule_id",
    "address_id",
    "language_id",
    "accessibility_id",
    "service_area_id",
    "funding_id",
    "cost_option_id",
    "required_document_id",
    "program_id",
    "organization_identifier_id",
];

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
        assert_eq!(record_type_of_file("programs.csv"), Some(R::Programs));
        assert_eq!(record_type_of_file("phone.csv"), Some(R::Phones));
        assert_eq!(record_type_of_file("unknown.csv"), None);
        assert_eq!(record_type_of_file("services.txt"), None);
    }

    #[test]
    fn attribute_targets_are_the_hsds_link_entities() {
        let hsds: Vec<&str> = crate::hsds::attribute::target_columns().collect();
        assert_eq!(ATTRIBUTE_TARGETS, hsds.as_slice());
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
