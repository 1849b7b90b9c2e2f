//! Every relation a client can walk to a list (docs/data-model.md).
//! The name is part of nested cursors' signatures.

use super::Table;
use super::children::{Link, Relation};

const fn column(name: &'static str, child: Table, column: &'static str) -> Relation {
    Relation {
        name,
        child,
        link: Link::Column(column),
    }
}

const fn through(
    name: &'static str,
    child: Table,
    table: Table,
    parent: &'static str,
    child_column: &'static str,
) -> Relation {
    Relation {
        name,
        child,
        link: Link::Through {
            table,
            parent,
            child: child_column,
        },
    }
}

use Table::*;

pub const PROVIDER_SERVICES: Relation = column("provider.services", Services, "provider_id");
pub const PROVIDER_VENUES: Relation = column("provider.venues", Venues, "provider_id");
pub const PROVIDER_CONTACTS: Relation = column("provider.contacts", Contacts, "provider_id");
pub const PROVIDER_EVENTS: Relation = column("provider.events", Events, "provider_id");
pub const PROVIDER_CHILDREN: Relation =
    column("provider.children", Providers, "parent_provider_id");
pub const PROVIDER_TERMS: Relation = through(
    "provider.taxonomyTerms",
    TaxonomyTerms,
    TaxonomyRefs,
    "provider_id",
    "taxonomy_term_id",
);

pub const SERVICE_VENUES: Relation = through(
    "service.venues",
    Venues,
    ServiceVenues,
    "service_id",
    "venue_id",
);
pub const SERVICE_CONTACTS: Relation = column("service.contacts", Contacts, "service_id");
pub const SERVICE_ELIGIBILITIES: Relation = through(
    "service.eligibilities",
    Eligibilities,
    ServiceEligibilities,
    "service_id",
    "eligibility_id",
);
pub const SERVICE_COST_OPTIONS: Relation = column("service.costOptions", CostOptions, "service_id");
pub const SERVICE_EVENTS: Relation = column("service.events", Events, "service_id");
pub const SERVICE_TERMS: Relation = through(
    "service.taxonomyTerms",
    TaxonomyTerms,
    TaxonomyRefs,
    "service_id",
    "taxonomy_term_id",
);
pub const SERVICE_REFS: Relation = column("service.taxonomyRefs", TaxonomyRefs, "service_id");

pub const VENUE_SERVICES: Relation = through(
    "venue.services",
    Services,
    ServiceVenues,
    "venue_id",
    "service_id",
);
pub const VENUE_EVENTS: Relation = column("venue.events", Events, "venue_id");
pub const VENUE_CONTACTS: Relation = column("venue.contacts", Contacts, "venue_id");
pub const VENUE_TERMS: Relation = through(
    "venue.taxonomyTerms",
    TaxonomyTerms,
    TaxonomyRefs,
    "venue_id",
    "taxonomy_term_id",
);

pub const ELIGIBILITY_SERVICES: Relation = through(
    "eligibility.services",
    Services,
    ServiceEligibilities,
    "eligibility_id",
    "service_id",
);

pub const EVENT_TERMS: Relation = through(
    "event.taxonomyTerms",
    TaxonomyTerms,
    TaxonomyRefs,
    "event_id",
    "taxonomy_term_id",
);

pub const TAXONOMY_TERMS: Relation = column("taxonomy.terms", TaxonomyTerms, "taxonomy_id");
pub const TERM_CHILDREN: Relation = column("taxonomyTerm.children", TaxonomyTerms, "parent_id");
pub const TERM_REFS: Relation = column("taxonomyTerm.refs", TaxonomyRefs, "taxonomy_term_id");
pub const TERM_SERVICES: Relation = through(
    "taxonomyTerm.services",
    Services,
    TaxonomyRefs,
    "taxonomy_term_id",
    "service_id",
);
pub const TERM_PROVIDERS: Relation = through(
    "taxonomyTerm.providers",
    Providers,
    TaxonomyRefs,
    "taxonomy_term_id",
    "provider_id",
);
pub const TERM_VENUES: Relation = through(
    "taxonomyTerm.venues",
    Venues,
    TaxonomyRefs,
    "taxonomy_term_id",
    "venue_id",
);
pub const TERM_EVENTS: Relation = through(
    "taxonomyTerm.events",
    Events,
    TaxonomyRefs,
    "taxonomy_term_id",
    "event_id",
);

pub const SERVICE_PHONES: Relation = column("service.phones", Phones, "service_id");
pub const SERVICE_SCHEDULES: Relation = column("service.schedules", Schedules, "service_id");
pub const SERVICE_LANGUAGES: Relation = column("service.languages", Languages, "service_id");
pub const SERVICE_AREAS: Relation = column("service.serviceAreas", ServiceAreas, "service_id");
pub const SERVICE_FUNDING: Relation = column("service.funding", Funding, "service_id");
pub const SERVICE_DOCUMENTS: Relation =
    column("service.requiredDocuments", RequiredDocuments, "service_id");
pub const VENUE_PHONES: Relation = column("venue.phones", Phones, "venue_id");
pub const VENUE_SCHEDULES: Relation = column("venue.schedules", Schedules, "venue_id");
pub const VENUE_ADDRESSES: Relation = column("venue.addresses", Addresses, "venue_id");
pub const VENUE_LANGUAGES: Relation = column("venue.languages", Languages, "venue_id");
pub const VENUE_ACCESSIBILITY: Relation =
    column("venue.accessibilityFeatures", Accessibility, "venue_id");
pub const PROVIDER_PHONES: Relation = column("provider.phones", Phones, "provider_id");
pub const PROVIDER_PROGRAMS: Relation = column("provider.programs", Programs, "provider_id");
pub const PROVIDER_FUNDING: Relation = column("provider.funding", Funding, "provider_id");
pub const PROVIDER_IDENTIFIERS: Relation = column(
    "provider.organizationIdentifiers",
    OrganizationIdentifiers,
    "provider_id",
);
pub const CONTACT_PHONES: Relation = column("contact.phones", Phones, "contact_id");
pub const SERVICE_AT_LOCATIONS: Relation =
    column("service.serviceAtLocations", ServiceVenues, "service_id");
pub const VENUE_SERVICE_AT_LOCATIONS: Relation =
    column("venue.serviceAtLocations", ServiceVenues, "venue_id");
pub const AT_LOCATION_CONTACTS: Relation =
    column("serviceAtLocation.contacts", Contacts, "service_venue_id");
pub const AT_LOCATION_PHONES: Relation =
    column("serviceAtLocation.phones", Phones, "service_venue_id");
pub const AT_LOCATION_SCHEDULES: Relation =
    column("serviceAtLocation.schedules", Schedules, "service_venue_id");
