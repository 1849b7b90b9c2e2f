//! The record types of the directory, by one name used everywhere: GraphQL's
//! `RecordType`, the change log's `record_type` (the table name), and the import
//! and export commands.

use std::fmt;
use std::str::FromStr;

/// One kind of directory record, named after its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

impl RecordType {
    /// Every record type, parents before the records that refer to them.
    pub const ALL: [Self; 24] = [
        Self::Taxonomies,
        Self::TaxonomyTerms,
        Self::Providers,
        Self::Programs,
        Self::Services,
        Self::Venues,
        Self::ServiceVenues,
        Self::Eligibilities,
        Self::ServiceEligibilities,
        Self::CostOptions,
        Self::Events,
        Self::Contacts,
        Self::Phones,
        Self::Schedules,
        Self::Addresses,
        Self::Languages,
        Self::Accessibility,
        Self::ServiceAreas,
        Self::Funding,
        Self::RequiredDocuments,
        Self::OrganizationIdentifiers,
        Self::MetaTableDescriptions,
        Self::Metadata,
        Self::TaxonomyRefs,
    ];

    /// Its table name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Providers => "providers",
            Self::Services => "services",
            Self::Venues => "venues",
            Self::ServiceVenues => "service_venues",
            Self::Contacts => "contacts",
            Self::Eligibilities => "eligibilities",
            Self::ServiceEligibilities => "service_eligibilities",
            Self::CostOptions => "cost_options",
            Self::Events => "events",
            Self::Taxonomies => "taxonomies",
            Self::TaxonomyTerms => "taxonomy_terms",
            Self::TaxonomyRefs => "taxonomy_refs",
            Self::Programs => "programs",
            Self::Phones => "phones",
            Self::Schedules => "schedules",
            Self::Addresses => "addresses",
            Self::Languages => "languages",
            Self::Accessibility => "accessibility",
            Self::ServiceAreas => "service_areas",
            Self::Funding => "funding",
            Self::RequiredDocuments => "required_documents",
            Self::OrganizationIdentifiers => "organization_identifiers",
            Self::MetaTableDescriptions => "meta_table_descriptions",
            Self::Metadata => "metadata",
        }
    }

    /// The column through which a record may refer to another of its own type.
    pub fn self_reference(self) -> Option<&'static str> {
        match self {
            Self::Providers => Some("parent_provider_id"),
            Self::TaxonomyTerms => Some("parent_id"),
            _ => None,
        }
    }

    /// One record of the type, in words ("cost option").
    pub fn singular(self) -> &'static str {
        match self {
            Self::Providers => "provider",
            Self::Services => "service",
            Self::Venues => "venue",
            Self::ServiceVenues => "service-venue link",
            Self::Contacts => "contact",
            Self::Eligibilities => "eligibility rule",
            Self::ServiceEligibilities => "service-eligibility link",
            Self::CostOptions => "cost option",
            Self::Events => "event",
            Self::Taxonomies => "taxonomy",
            Self::TaxonomyTerms => "taxonomy term",
            Self::TaxonomyRefs => "taxonomy reference",
            Self::Programs => "program",
            Self::Phones => "phone",
            Self::Schedules => "schedule",
            Self::Addresses => "address",
            Self::Languages => "language",
            Self::Accessibility => "accessibility record",
            Self::ServiceAreas => "service area",
            Self::Funding => "funding record",
            Self::RequiredDocuments => "required document",
            Self::OrganizationIdentifiers => "organisation identifier",
            Self::MetaTableDescriptions => "table description",
            Self::Metadata => "metadata record",
        }
    }

    /// The record type stored in `table`.
    pub fn from_table(table: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == table)
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a table name, in any case, with `-` or `_` (`cost-options`, `COST_OPTIONS`).
impl FromStr for RecordType {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
        Self::from_table(&wanted).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|kind| kind.name()).collect();
            format!(
                "{text:?} is not a record type (expected one of {})",
                known.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::RecordType;

    #[test]
    fn names_round_trip() {
        for kind in RecordType::ALL {
            assert_eq!(kind.name().parse::<RecordType>(), Ok(kind));
        }
        assert_eq!("Cost-Options".parse(), Ok(RecordType::CostOptions));
        assert!("service".parse::<RecordType>().is_err());
    }
}
