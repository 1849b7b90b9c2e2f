//! The shape of HSDS 3.0's nested JSON (`compiled/service.json`): which objects
//! nest in which, under what field, and which column of a nested object names
//! the object it sits in. One description serves both directions: the HSDS API
//! ingest flattens a `service_full` into tabular files with it, and the REST API
//! builds nested objects from stored rows with it, so what one writes the other
//! reads.

use crate::repo::RecordType;

/// The HSDS 3.0 objects a `service_full` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Object {
    Service,
    Organization,
    Program,
    ServiceAtLocation,
    Location,
    Address,
    Contact,
    Phone,
    Schedule,
    ServiceArea,
    Language,
    Funding,
    Accessibility,
    CostOption,
    RequiredDocument,
    OrganizationIdentifier,
    Attribute,
    TaxonomyTerm,
    Taxonomy,
    Metadata,
}

use Object as O;

impl Object {
    pub const ALL: [Object; 20] = [
        O::Service,
        O::Organization,
        O::Program,
        O::ServiceAtLocation,
        O::Location,
        O::Address,
        O::Contact,
        O::Phone,
        O::Schedule,
        O::ServiceArea,
        O::Language,
        O::Funding,
        O::Accessibility,
        O::CostOption,
        O::RequiredDocument,
        O::OrganizationIdentifier,
        O::Attribute,
        O::TaxonomyTerm,
        O::Taxonomy,
        O::Metadata,
    ];

    /// Its file in the HSDS tabular package (without `.csv`).
    pub fn file(self) -> &'static str {
        match self {
            O::Service => "services",
            O::Organization => "organizations",
            O::Program => "programs",
            O::ServiceAtLocation => "service_at_location",
            O::Location => "locations",
            O::Address => "addresses",
            O::Contact => "contacts",
            O::Phone => "phones",
            O::Schedule => "schedules",
            O::ServiceArea => "service_areas",
            O::Language => "languages",
            O::Funding => "funding",
            O::Accessibility => "accessibility",
            O::CostOption => "cost_options",
            O::RequiredDocument => "required_documents",
            O::OrganizationIdentifier => "organization_identifiers",
            O::Attribute => "attributes",
            O::TaxonomyTerm => "taxonomy_terms",
            O::Taxonomy => "taxonomies",
            O::Metadata => "metadata",
        }
    }

    /// HSDS's name for it: an attribute's `link_entity`, a metadata row's
    /// `resource_type`, and `<entity>_id` in the objects nested in it.
    pub fn entity(self) -> &'static str {
        match self {
            O::Service => "service",
            O::Organization => "organization",
            O::Program => "program",
            O::ServiceAtLocation => "service_at_location",
            O::Location => "location",
            O::Address => "address",
            O::Contact => "contact",
            O::Phone => "phone",
            O::Schedule => "schedule",
            O::ServiceArea => "service_area",
            O::Language => "language",
            O::Funding => "funding",
            O::Accessibility => "accessibility",
            O::CostOption => "cost_option",
            O::RequiredDocument => "required_document",
            O::OrganizationIdentifier => "organization_identifier",
            O::Attribute => "attribute",
            O::TaxonomyTerm => "taxonomy_term",
            O::Taxonomy => "taxonomy",
            O::Metadata => "metadata",
        }
    }

    /// The arrays of objects nested in it (HSDS 3.0 `compiled/service.json`).
    pub fn lists(self) -> &'static [(&'static str, Object)] {
        const TAGGED: &[(&str, Object)] =
            &[("attributes", O::Attribute), ("metadata", O::Metadata)];
        match self {
            O::Service => &[
                ("phones", O::Phone),
                ("schedules", O::Schedule),
                ("service_areas", O::ServiceArea),
                ("service_at_locations", O::ServiceAtLocation),
                ("languages", O::Language),
                ("funding", O::Funding),
                ("cost_options", O::CostOption),
                ("required_documents", O::RequiredDocument),
                ("contacts", O::Contact),
                ("attributes", O::Attribute),
                ("metadata", O::Metadata),
            ],
            O::Organization => &[
                ("funding", O::Funding),
                ("contacts", O::Contact),
                ("phones", O::Phone),
                ("locations", O::Location),
                ("programs", O::Program),
                ("organization_identifiers", O::OrganizationIdentifier),
                ("attributes", O::Attribute),
                ("metadata", O::Metadata),
            ],
            O::ServiceAtLocation => &[
                ("contacts", O::Contact),
                ("phones", O::Phone),
                ("schedules", O::Schedule),
                ("attributes", O::Attribute),
                ("metadata", O::Metadata),
            ],
            O::Location => &[
                ("languages", O::Language),
                ("addresses", O::Address),
                ("contacts", O::Contact),
                ("accessibility", O::Accessibility),
                ("phones", O::Phone),
                ("schedules", O::Schedule),
                ("attributes", O::Attribute),
                ("metadata", O::Metadata),
            ],
            O::Contact => &[
                ("phones", O::Phone),
                ("attributes", O::Attribute),
                ("metadata", O::Metadata),
            ],
            O::Phone => &[
                ("languages", O::Language),
                ("attributes", O::Attribute),
                ("metadata", O::Metadata),
            ],
            O::Attribute | O::TaxonomyTerm | O::Taxonomy => &[("metadata", O::Metadata)],
            O::Metadata => &[],
            O::Program
            | O::Address
            | O::Schedule
            | O::ServiceArea
            | O::Language
            | O::Funding
            | O::Accessibility
            | O::CostOption
            | O::RequiredDocument
            | O::OrganizationIdentifier => TAGGED,
        }
    }

    /// The single objects nested in it, and the column of its own row that
    /// names each.
    pub fn ones(self) -> &'static [(&'static str, Object, &'static str)] {
        match self {
            O::Service => &[
                ("organization", O::Organization, "organization_id"),
                ("program", O::Program, "program_id"),
            ],
            O::ServiceAtLocation => &[("location", O::Location, "location_id")],
            O::Attribute => &[("taxonomy_term", O::TaxonomyTerm, "taxonomy_term_id")],
            O::TaxonomyTerm => &[("taxonomy_detail", O::Taxonomy, "taxonomy_id")],
            _ => &[],
        }
    }

    /// The columns of an object of this kind nested in a `parent` naming it.
    pub fn parent_columns(self, parent: Object) -> [&'static str; 2] {
        match self {
            O::Attribute => ["link_entity", "link_id"],
            O::Metadata => ["resource_type", "resource_id"],
            _ => ["", parent.id_column()],
        }
    }

    /// `<entity>_id`: the column naming an object of this kind in the objects
    /// nested in it.
    pub fn id_column(self) -> &'static str {
        match self {
            O::Service => "service_id",
            O::Organization => "organization_id",
            O::Program => "program_id",
            O::ServiceAtLocation => "service_at_location_id",
            O::Location => "location_id",
            O::Address => "address_id",
            O::Contact => "contact_id",
            O::Phone => "phone_id",
            O::Schedule => "schedule_id",
            O::ServiceArea => "service_area_id",
            O::Language => "language_id",
            O::Funding => "funding_id",
            O::Accessibility => "accessibility_id",
            O::CostOption => "cost_option_id",
            O::RequiredDocument => "required_document_id",
            O::OrganizationIdentifier => "organization_identifier_id",
            O::Attribute => "attribute_id",
            O::TaxonomyTerm => "taxonomy_term_id",
            O::Taxonomy => "taxonomy_id",
            O::Metadata => "metadata_id",
        }
    }

    /// The record type it is stored as.
    pub fn kind(self) -> RecordType {
        match self {
            O::Service => RecordType::Services,
            O::Organization => RecordType::Providers,
            O::Program => RecordType::Programs,
            O::ServiceAtLocation => RecordType::ServiceVenues,
            O::Location => RecordType::Venues,
            O::Address => RecordType::Addresses,
            O::Contact => RecordType::Contacts,
            O::Phone => RecordType::Phones,
            O::Schedule => RecordType::Schedules,
            O::ServiceArea => RecordType::ServiceAreas,
            O::Language => RecordType::Languages,
            O::Funding => RecordType::Funding,
            O::Accessibility => RecordType::Accessibility,
            O::CostOption => RecordType::CostOptions,
            O::RequiredDocument => RecordType::RequiredDocuments,
            O::OrganizationIdentifier => RecordType::OrganizationIdentifiers,
            O::Attribute => RecordType::TaxonomyRefs,
            O::TaxonomyTerm => RecordType::TaxonomyTerms,
            O::Taxonomy => RecordType::Taxonomies,
            O::Metadata => RecordType::Metadata,
        }
    }

    /// The text fields HSDS requires of it (besides `id`): sent empty when
    /// Signpost holds no value, as HSDS allows no `null`.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            O::Service => &["name", "status"],
            O::Organization | O::Program | O::TaxonomyTerm | O::Taxonomy => {
                &["name", "description"]
            }
            O::Location => &["location_type"],
            O::Phone => &["number"],
            O::Address => &[
                "address_1",
                "city",
                "state_province",
                "postal_code",
                "country",
                "address_type",
            ],
            O::OrganizationIdentifier => &["identifier_type", "identifier"],
            O::Metadata => &[
                "last_action_date",
                "last_action_type",
                "field_name",
                "previous_value",
                "replacement_value",
                "updated_by",
            ],
            _ => &[],
        }
    }

    /// The Signpost column of this object's table that names the `parent` it is
    /// nested in (`phones.contact_id` for a phone in a contact).
    pub fn link_column(self, parent: Object) -> Option<&'static str> {
        if self == O::Attribute {
            return crate::hsds::attribute::LINK_ENTITIES
                .iter()
                .find(|(entity, _)| *entity == parent.entity())
                .map(|(_, column)| *column);
        }
        let file = crate::hsds::package::file_of(self.kind())?;
        file.columns.iter().find_map(|(name, source)| match source {
            crate::hsds::package::Source::Column(column) if *name == parent.id_column() => {
                Some(*column)
            }
            _ => None,
        })
    }

    /// The Signpost column of this object's own row behind an HSDS column.
    pub fn column(self, hsds: &str) -> Option<&'static str> {
        let file = crate::hsds::package::file_of(self.kind())?;
        file.columns.iter().find_map(|(name, source)| match source {
            crate::hsds::package::Source::Column(column) if *name == hsds => Some(*column),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nesting_has_a_column_that_says_whose_it_is() {
        for parent in Object::ALL {
            for (field, child) in parent.lists() {
                if *child == O::Metadata {
                    continue;
                }
                assert!(
                    child.link_column(parent).is_some(),
                    "{field} in {parent:?}: no column of {child:?} names it"
                );
            }
            for (field, child, column) in parent.ones() {
                assert!(
                    parent.column(column).is_some(),
                    "{field} in {parent:?}: {column} is not a column"
                );
                let _ = child;
            }
        }
    }
}
