//! The orders a list can be asked for (`orderBy`), as [`Ordering`]s. Every ordering
//! ends with the id, so rows with equal keys keep one order.

use super::Table;
use super::order::{KeyKind, Ordering, SortTerm};
use crate::error::{ApiResult, AppError};

/// The sort keys a connection can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderKey {
    NameAsc,
    NameDesc,
    UpdatedAtAsc,
    UpdatedAtDesc,
    Relevance,
    Distance,
}

/// The column a record type's NAME orders use.
pub fn name_column(table: Table) -> Option<&'static str> {
    match table {
        Table::Providers
        | Table::Services
        | Table::Venues
        | Table::Contacts
        | Table::Taxonomies
        | Table::TaxonomyTerms
        | Table::Programs
        | Table::Languages => Some("name"),
        Table::Phones => Some("number"),
        Table::Eligibilities => Some("description"),
        Table::CostOptions => Some("option"),
        Table::Events => Some("title"),
        Table::ServiceVenues
        | Table::ServiceEligibilities
        | Table::TaxonomyRefs
        | Table::Schedules
        | Table::Addresses
        | Table::Accessibility
        | Table::ServiceAreas
        | Table::Funding
        | Table::RequiredDocuments
        | Table::OrganizationIdentifiers
        | Table::MetaTableDescriptions
        | Table::Metadata => None,
    }
}

/// The order of nested connections and of root ones without `orderBy`: by name,
/// then id (by id alone where a type has no name).
pub fn default_ordering(table: Table) -> Ordering {
    let alias = table.name();
    match name_column(table) {
        Some(column) => Ordering::by_column(alias, column, KeyKind::Text, false),
        None => Ordering {
            name: "id_asc".into(),
            terms: Vec::new(),
            id_expr: format!("{alias}.id"),
            id_descending: false,
        },
    }
}

/// The ordering for `keys` of plain columns (RELEVANCE and DISTANCE are planned by
/// the search and near filters, which hand their ordering in as `special`).
pub fn ordering(table: Table, keys: &[OrderKey], special: Option<Ordering>) -> ApiResult<Ordering> {
    if let Some(special) = special {
        return Ok(special);
    }
    // The default and an explicit NAME_ASC are one ordering, with one cursor signature.
    if keys.is_empty() || keys == [OrderKey::NameAsc] {
        return Ok(default_ordering(table));
    }
    let alias = table.name();
    let mut terms: Vec<SortTerm> = Vec::with_capacity(keys.len());
    let mut names = Vec::with_capacity(keys.len());
    for key in keys {
        let (column, kind, descending) = match key {
            OrderKey::NameAsc | OrderKey::NameDesc => (
                name_column(table).unwrap_or("id"),
                KeyKind::Text,
                *key == OrderKey::NameDesc,
            ),
            OrderKey::UpdatedAtAsc | OrderKey::UpdatedAtDesc => {
                ("updated_at", KeyKind::Time, *key == OrderKey::UpdatedAtDesc)
            }
            OrderKey::Relevance => {
                return Err(AppError::bad_input(
                    "orderBy",
                    "RELEVANCE needs filter.search",
                ));
            }
            OrderKey::Distance => {
                return Err(AppError::bad_input("orderBy", "DISTANCE needs filter.near"));
            }
        };
        let expr = format!("{alias}.{column}");
        if terms.iter().any(|term| term.expr == expr) {
            return Err(AppError::bad_input(
                "orderBy",
                format!("{key:?} repeats a sort key"),
            ));
        }
        names.push(format!("{key:?}"));
        terms.push(SortTerm {
            expr,
            descending,
            kind,
        });
    }
    let id_descending = terms.first().is_some_and(|term| term.descending);
    Ok(Ordering {
        name: names.join(","),
        terms,
        id_expr: format!("{alias}.id"),
        id_descending,
    })
}
