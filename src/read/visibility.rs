//! The visibility rule of docs/data-model.md, as SQL, in one place: root connections,
//! nested connections, to-one relations and `node` all filter through [`visible`].
//!
//! Anonymous callers see a provider when it is published; a service when it and its
//! provider are; a venue, and every other record that hangs off a parent (contact,
//! phone, schedule, address, attribute, …), when it hangs off something visible (a
//! venue also when linked to a visible service); eligibilities, taxonomies, terms
//! and table descriptions always; imported provenance (`metadata`) never, as it can
//! carry old values of unpublished records. Tombstoned rows are never browsable here
//! (exports read them through their own path).
//!
//! A service's rule is read from `services.visible`, which triggers keep equal to
//! "published, live, and its provider published and live" on every write (migration
//! `m20261203_000009_service_visibility`), and a venue's from `venues.visible`, kept
//! the same way (`m20261206_000011_venue_visibility`): the rules most reads check, at
//! the root and as the parents of nearly everything else, cost a column instead of
//! joins. The other rules are correlated `EXISTS` subqueries on primary keys, so a
//! keyset page checks only the rows it returns. Aliases are derived from the outer alias, so
//! rules nest without capturing each other's names.

use super::Table;
use super::sql::Frag;
use super::viewer::Viewer;

/// The condition under which a row of `table`, aliased `alias`, is visible.
pub fn visible(table: Table, alias: &str, viewer: &Viewer) -> Frag {
    let live = format!("{alias}.deleted_at IS NULL");
    if viewer.sees_unpublished() {
        return Frag::raw(live);
    }
    let rule = match table {
        Table::Providers => format!("{alias}.published = TRUE"),
        Table::Services => format!("{alias}.visible = TRUE"),
        Table::Venues => format!("{alias}.visible = TRUE"),
        // Provenance can name records the public does not see, and their old values.
        Table::Metadata => "1 = 0".to_owned(),
        Table::Eligibilities
        | Table::Taxonomies
        | Table::TaxonomyTerms
        | Table::MetaTableDescriptions => return Frag::raw(live),
        other => any_parent(alias, parents(other)),
    };
    Frag::raw(format!("{live} AND ({rule})"))
}

/// The parents a record of `table` is visible through (any one visible parent
/// will do), by column; empty for the tables with a rule of their own.
fn parents(table: Table) -> &'static [(&'static str, Table)] {
    match table {
        Table::Events => &[
            ("provider_id", Table::Providers),
            ("service_id", Table::Services),
            ("venue_id", Table::Venues),
        ],
        Table::Contacts => &[
            ("provider_id", Table::Providers),
            ("service_id", Table::Services),
            ("venue_id", Table::Venues),
            ("service_venue_id", Table::ServiceVenues),
        ],
        Table::CostOptions
        | Table::ServiceVenues
        | Table::ServiceEligibilities
        | Table::ServiceAreas
        | Table::RequiredDocuments => &[("service_id", Table::Services)],
        Table::Programs | Table::OrganizationIdentifiers => &[("provider_id", Table::Providers)],
        Table::Addresses | Table::Accessibility => &[("venue_id", Table::Venues)],
        Table::Funding => &[
            ("provider_id", Table::Providers),
            ("service_id", Table::Services),
        ],
        Table::Phones => &[
            ("venue_id", Table::Venues),
            ("service_id", Table::Services),
            ("provider_id", Table::Providers),
            ("contact_id", Table::Contacts),
            ("service_venue_id", Table::ServiceVenues),
        ],
        Table::Schedules => &[
            ("service_id", Table::Services),
            ("venue_id", Table::Venues),
            ("service_venue_id", Table::ServiceVenues),
        ],
        Table::Languages => &[
            ("service_id", Table::Services),
            ("venue_id", Table::Venues),
            ("phone_id", Table::Phones),
        ],
        Table::TaxonomyRefs => ATTRIBUTE_PARENTS,
        _ => &[],
    }
}

/// Whether a live row of `table` that names, in `column`, a parent the caller
/// may see is itself visible to the caller: true where the rule is "any visible
/// parent" and `column` is one of those parents. A read that reaches rows only
/// through parents it already showed (the HSDS API's nesting) then needs only
/// `deleted_at IS NULL`, not the whole rule again for every row.
pub fn shown_through(table: Table, column: &str) -> bool {
    parents(table).iter().any(|(parent, _)| *parent == column)
}

/// The records an attribute (`taxonomy_refs`) may be about, by column.
pub const ATTRIBUTE_PARENTS: &[(&str, Table)] = &[
    ("service_id", Table::Services),
    ("provider_id", Table::Providers),
    ("venue_id", Table::Venues),
    ("event_id", Table::Events),
    ("service_venue_id", Table::ServiceVenues),
    ("contact_id", Table::Contacts),
    ("phone_id", Table::Phones),
    ("schedule_id", Table::Schedules),
    ("address_id", Table::Addresses),
    ("language_id", Table::Languages),
    ("accessibility_id", Table::Accessibility),
    ("service_area_id", Table::ServiceAreas),
    ("funding_id", Table::Funding),
    ("cost_option_id", Table::CostOptions),
    ("required_document_id", Table::RequiredDocuments),
    ("program_id", Table::Programs),
    ("organization_identifier_id", Table::OrganizationIdentifiers),
];

fn any_parent(alias: &str, parents: &[(&str, Table)]) -> String {
    if parents.is_empty() {
        return "1 = 0".to_owned();
    }
    parents
        .iter()
        .map(|(column, table)| exists_visible(*table, &format!("{alias}.{column}"), alias))
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// `EXISTS` a visible `table` row whose id is `id_expr`.
fn exists_visible(table: Table, id_expr: &str, outer_alias: &str) -> String {
    let alias = format!("{outer_alias}_{}", table.short());
    let rule = visible(table, &alias, &Viewer::anonymous()).sql;
    format!(
        "EXISTS (SELECT 1 FROM {} {alias} WHERE {alias}.id = {id_expr} AND {rule})",
        table.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::viewer::Role;

    #[test]
    fn readers_see_every_live_row() {
        let reader = Viewer::with_role(Role::Reader);
        assert_eq!(
            visible(Table::Services, "services", &reader).sql,
            "services.deleted_at IS NULL"
        );
    }

    #[test]
    fn nested_rules_use_distinct_aliases() {
        let sql = visible(Table::Contacts, "contacts", &Viewer::anonymous()).sql;
        assert!(sql.contains("FROM services contacts_s WHERE contacts_s.id = contacts.service_id"));
        assert!(sql.contains("contacts_s.visible = TRUE"));
        assert!(
            sql.contains("FROM providers contacts_p WHERE contacts_p.id = contacts.provider_id")
        );
    }
}
