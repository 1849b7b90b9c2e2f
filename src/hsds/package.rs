//! The HSDS 3.0 tabular package: its 21 files, the record type each is stored as,
//! and each file's columns in HSDS order with the Signpost column that holds it.
//! Imports read these names (besides Signpost's own), the HSDS export writes them,
//! and `datapackage.json` is built from them.

use crate::repo::RecordType;

/// Where an HSDS column's value lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A column of the record's table.
    Column(&'static str),
    /// An attribute's `link_id`: whichever target column is set.
    LinkId,
    /// An attribute's `link_entity`: the HSDS name of that column's table.
    LinkEntity,
}

/// One file of the package.
#[derive(Clone, Copy, Debug)]
pub struct File {
    /// `services` for `services.csv`.
    pub name: &'static str,
    pub kind: RecordType,
    /// `(HSDS column, where it lives)`, in HSDS order.
    pub columns: &'static [(&'static str, Source)],
}

use RecordType as R;
use Source::*;

macro_rules! same {
    ($($name:literal),* $(,)?) => { &[$(($name, Column($name))),*] };
}

/// Every file, parents before the files that refer to them.
pub const FILES: &[File] = &[
    File {
        name: "organizations",
        kind: R::Providers,
        columns: &[
            ("id", Column("id")),
            ("name", Column("name")),
            ("alternate_name", Column("alternate_name")),
            ("description", Column("description")),
            ("email", Column("email")),
            ("website", Column("website")),
            ("tax_status", Column("tax_status")),
            ("tax_id", Column("tax_id")),
            ("year_incorporated", Column("year_incorporated")),
            ("legal_status", Column("legal_status")),
            ("logo", Column("logo")),
            ("uri", Column("uri")),
            ("parent_organization_id", Column("parent_provider_id")),
        ],
    },
    File {
        name: "programs",
        kind: R::Programs,
        columns: &[
            ("id", Column("id")),
            ("organization_id", Column("provider_id")),
            ("name", Column("name")),
            ("alternate_name", Column("alternate_name")),
            ("description", Column("description")),
        ],
    },
    File {
        name: "services",
        kind: R::Services,
        columns: &[
            ("id", Column("id")),
            ("organization_id", Column("provider_id")),
            ("program_id", Column("program_id")),
            ("name", Column("name")),
            ("alternate_name", Column("alternate_name")),
            ("description", Column("description")),
            ("url", Column("url")),
            ("email", Column("email")),
            ("status", Column("status")),
            ("interpretation_services", Column("interpretation_services")),
            ("application_process", Column("application_process")),
            ("fees_description", Column("fees_description")),
            ("wait_time", Column("wait_time")),
            ("fees", Column("fees")),
            ("accreditations", Column("accreditations")),
            ("eligibility_description", Column("eligibility_description")),
            ("minimum_age", Column("minimum_age")),
            ("maximum_age", Column("maximum_age")),
            ("assured_date", Column("assured_date")),
            ("assurer_email", Column("assurer_email")),
            ("licenses", Column("licenses")),
            ("alert", Column("alert")),
            ("last_modified", Column("last_modified")),
        ],
    },
    File {
        name: "locations",
        kind: R::Venues,
        columns: &[
            ("id", Column("id")),
            ("location_type", Column("location_type")),
            ("url", Column("url")),
            ("organization_id", Column("provider_id")),
            ("name", Column("name")),
            ("alternate_name", Column("alternate_name")),
            ("description", Column("description")),
            ("transportation", Column("transportation")),
            ("latitude", Column("latitude")),
            ("longitude", Column("longitude")),
            ("external_identifier", Column("external_identifier")),
            (
                "external_identifier_type",
                Column("external_identifier_type"),
            ),
        ],
    },
    File {
        // Singular, as the HSDS 3.0 package names it.
        name: "service_at_location",
        kind: R::ServiceVenues,
        columns: &[
            ("id", Column("id")),
            ("service_id", Column("service_id")),
            ("location_id", Column("venue_id")),
            ("description", Column("description")),
        ],
    },
    File {
        name: "addresses",
        kind: R::Addresses,
        columns: &[
            ("id", Column("id")),
            ("location_id", Column("venue_id")),
            ("attention", Column("attention")),
            ("address_1", Column("address_1")),
            ("address_2", Column("address_2")),
            ("city", Column("city")),
            ("region", Column("region")),
            ("state_province", Column("state_province")),
            ("postal_code", Column("postal_code")),
            ("country", Column("country")),
            ("address_type", Column("address_type")),
        ],
    },
    File {
        name: "contacts",
        kind: R::Contacts,
        columns: &[
            ("id", Column("id")),
            ("organization_id", Column("provider_id")),
            ("service_id", Column("service_id")),
            ("service_at_location_id", Column("service_venue_id")),
            ("location_id", Column("venue_id")),
            ("name", Column("name")),
            ("title", Column("title")),
            ("department", Column("department")),
            ("email", Column("email")),
        ],
    },
    File {
        name: "phones",
        kind: R::Phones,
        columns: &[
            ("id", Column("id")),
            ("location_id", Column("venue_id")),
            ("service_id", Column("service_id")),
            ("organization_id", Column("provider_id")),
            ("contact_id", Column("contact_id")),
            ("service_at_location_id", Column("service_venue_id")),
            ("number", Column("number")),
            ("extension", Column("extension")),
            ("type", Column("type")),
            ("description", Column("description")),
        ],
    },
    File {
        name: "schedules",
        kind: R::Schedules,
        columns: &[
            ("id", Column("id")),
            ("service_id", Column("service_id")),
            ("location_id", Column("venue_id")),
            ("service_at_location_id", Column("service_venue_id")),
            ("valid_from", Column("valid_from")),
            ("valid_to", Column("valid_to")),
            ("dtstart", Column("dtstart")),
            ("timezone", Column("timezone")),
            ("until", Column("until")),
            ("count", Column("count")),
            ("wkst", Column("wkst")),
            ("freq", Column("freq")),
            ("interval", Column("interval")),
            ("byday", Column("byday")),
            ("byweekno", Column("byweekno")),
            ("bymonthday", Column("bymonthday")),
            ("byyearday", Column("byyearday")),
            ("description", Column("description")),
            ("opens_at", Column("opens_at")),
            ("closes_at", Column("closes_at")),
            ("schedule_link", Column("schedule_link")),
            ("attending_type", Column("attending_type")),
            ("notes", Column("notes")),
        ],
    },
    File {
        name: "service_areas",
        kind: R::ServiceAreas,
        columns: same![
            "id",
            "service_id",
            "name",
            "description",
            "extent",
            "extent_type",
            "uri"
        ],
    },
    File {
        name: "languages",
        kind: R::Languages,
        columns: &[
            ("id", Column("id")),
            ("service_id", Column("service_id")),
            ("location_id", Column("venue_id")),
            ("phone_id", Column("phone_id")),
            ("name", Column("name")),
            ("code", Column("code")),
            ("note", Column("note")),
        ],
    },
    File {
        name: "funding",
        kind: R::Funding,
        columns: &[
            ("id", Column("id")),
            ("organization_id", Column("provider_id")),
            ("service_id", Column("service_id")),
            ("source", Column("source")),
        ],
    },
    File {
        name: "accessibility",
        kind: R::Accessibility,
        columns: &[
            ("id", Column("id")),
            ("location_id", Column("venue_id")),
            ("description", Column("description")),
            ("details", Column("details")),
            ("url", Column("url")),
        ],
    },
    File {
        name: "cost_options",
        kind: R::CostOptions,
        columns: same![
            "id",
            "service_id",
            "valid_from",
            "valid_to",
            "option",
            "currency",
            "amount",
            "amount_description",
        ],
    },
    File {
        name: "required_documents",
        kind: R::RequiredDocuments,
        columns: same!["id", "service_id", "document", "uri"],
    },
    File {
        name: "organization_identifiers",
        kind: R::OrganizationIdentifiers,
        columns: &[
            ("id", Column("id")),
            ("organization_id", Column("provider_id")),
            ("identifier_scheme", Column("identifier_scheme")),
            ("identifier_type", Column("identifier_type")),
            ("identifier", Column("identifier")),
        ],
    },
    File {
        name: "taxonomies",
        kind: R::Taxonomies,
        columns: &[
            ("id", Column("id")),
            ("name", Column("name")),
            ("description", Column("description")),
            ("uri", Column("uri")),
            ("version", Column("version_label")),
        ],
    },
    File {
        name: "taxonomy_terms",
        kind: R::TaxonomyTerms,
        columns: same![
            "id",
            "code",
            "name",
            "description",
            "parent_id",
            "taxonomy",
            "language",
            "taxonomy_id",
            "term_uri",
        ],
    },
    File {
        name: "attributes",
        kind: R::TaxonomyRefs,
        columns: &[
            ("id", Column("id")),
            ("link_id", LinkId),
            ("taxonomy_term_id", Column("taxonomy_term_id")),
            ("link_type", Column("link_type")),
            ("link_entity", LinkEntity),
            ("value", Column("value")),
        ],
    },
    File {
        name: "metadata",
        kind: R::Metadata,
        columns: same![
            "id",
            "resource_id",
            "resource_type",
            "last_action_date",
            "last_action_type",
            "field_name",
            "previous_value",
            "replacement_value",
            "updated_by",
        ],
    },
    File {
        name: "meta_table_descriptions",
        kind: R::MetaTableDescriptions,
        columns: same!["id", "name", "language", "character_set"],
    },
];

/// The file of record type `kind`, if HSDS has one.
pub fn file_of(kind: RecordType) -> Option<&'static File> {
    FILES.iter().find(|file| file.kind == kind)
}

/// The record type of HSDS file `stem` (`phones`, or its singular `phone`).
pub fn kind_of(stem: &str) -> Option<RecordType> {
    FILES
        .iter()
        .find(|file| file.name == stem || singular(file.name) == stem)
        .map(|file| file.kind)
}

fn singular(name: &str) -> &str {
    match name {
        "service_at_location" => "service_at_locations",
        "addresses" => "address",
        "accessibility" | "funding" | "metadata" => name,
        other => other.strip_suffix('s').unwrap_or(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::spec;

    #[test]
    fn every_hsds_column_is_stored_and_every_file_is_one_type() {
        assert_eq!(FILES.len(), 21);
        for file in FILES {
            let stored = spec::columns(file.kind);
            for (hsds, source) in file.columns {
                if let Column(column) = source {
                    assert!(
                        stored.iter().any(|c| c.name == *column),
                        "{}.{hsds} -> {column} is not a column of {}",
                        file.name,
                        file.kind
                    );
                }
            }
            assert_eq!(kind_of(file.name), Some(file.kind));
        }
        assert_eq!(kind_of("phone"), Some(R::Phones));
        assert_eq!(kind_of("service_at_locations"), Some(R::ServiceVenues));
    }
}
