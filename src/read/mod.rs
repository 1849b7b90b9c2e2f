//! The read side of the directory: what a caller may see ([`visibility`]), keyset
//! pages in any supported order ([`page`], [`order`]), pages of children for many
//! parents in one statement ([`children`]), and the domain filters of docs/api.md
//! ([`search`], [`near`], [`service_filter`], [`events`]).
//!
//! Everything here is plain async functions over `&impl ConnectionTrait`; the
//! GraphQL layer turns arguments into these specs and results into objects, so tests
//! can call the read side directly and the SQL is in one place.

pub mod activity;
pub mod change_log;
pub mod children;
pub mod columns;
pub mod decode;
pub mod events;
pub mod filter;
pub mod hsds_filters;
pub mod lookup;
pub mod near;
pub mod order;
pub mod order_by;
pub mod page;
pub mod plan;
pub mod relations;
pub mod search;
pub mod sql;
pub mod viewer;
pub mod visibility;

pub use columns::Columns;
pub use order::{Cursor, KeyValue, Ordering};
pub use page::{ListSpec, Page, Take, Window};
pub use sql::Frag;
pub use viewer::{Role, Viewer};

use crate::repo::Record;

/// The directory tables the read side knows: the record types.
pub use crate::repo::RecordType as Table;

impl Table {
    /// A short alias stem for nested subqueries.
    fn short(self) -> &'static str {
        match self {
            Table::Providers => "p",
            Table::Services => "s",
            Table::Venues => "v",
            Table::ServiceVenues => "sv",
            Table::Contacts => "c",
            Table::Eligibilities => "el",
            Table::ServiceEligibilities => "se",
            Table::CostOptions => "co",
            Table::Events => "ev",
            Table::Taxonomies => "tx",
            Table::TaxonomyTerms => "tt",
            Table::TaxonomyRefs => "tr",
            Table::Programs => "pg",
            Table::Phones => "ph",
            Table::Schedules => "sc",
            Table::Addresses => "ad",
            Table::Languages => "lg",
            Table::Accessibility => "ac",
            Table::ServiceAreas => "sa",
            Table::Funding => "fu",
            Table::RequiredDocuments => "rd",
            Table::OrganizationIdentifiers => "oi",
            Table::MetaTableDescriptions => "md",
            Table::Metadata => "mt",
        }
    }
}

/// A directory record type the read side can list.
pub trait Readable: Record + sea_orm::EntityTrait<Model: Send + Sync> {
    /// Its table.
    const READ_TABLE: Table;
}

macro_rules! readable {
    ($($module:ident => $table:ident),* $(,)?) => {
        $(impl Readable for crate::repo::$module::Entity {
            const READ_TABLE: Table = Table::$table;
        })*
    };
}

readable!(
    providers => Providers,
    services => Services,
    venues => Venues,
    service_venues => ServiceVenues,
    contacts => Contacts,
    eligibilities => Eligibilities,
    service_eligibilities => ServiceEligibilities,
    cost_options => CostOptions,
    events => Events,
    taxonomies => Taxonomies,
    taxonomy_terms => TaxonomyTerms,
    taxonomy_refs => TaxonomyRefs,
    programs => Programs,
    phones => Phones,
    schedules => Schedules,
    addresses => Addresses,
    languages => Languages,
    accessibility => Accessibility,
    service_areas => ServiceAreas,
    funding => Funding,
    required_documents => RequiredDocuments,
    organization_identifiers => OrganizationIdentifiers,
    meta_table_descriptions => MetaTableDescriptions,
    metadata => Metadata,
);

/// `alias.column, ...` for every column of `E`'s model (see [`Columns::select_list`]).
pub fn select_columns<E: Record>(alias: &str) -> String {
    Columns::ALL.select_list::<E>(alias)
}
