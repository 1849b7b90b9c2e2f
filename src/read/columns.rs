//! Which columns a read fills: only those the caller's selection reads.
//!
//! A directory page that asks for `{ id name }` should not make the database read,
//! copy and send every description, URL and address line of every row, nor make the
//! server decode them. Models stay whole (the write side, exports and the tests use
//! the same ones), so a column nobody asked for is selected as `NULL AS column`: it
//! costs nothing to read and decodes into the model's `None`.
//!
//! Only nullable columns can be left out that way, and of those never a foreign key
//! (relations, visibility and `linkId` read them whatever the selection): so what a
//! projection leaves out always decodes, and what a resolver may read is always there.
//! A field is matched to a column by name (`address1` reads `address_1`, `provider`
//! reads `provider_id`); the few fields computed from another column are listed in
//! [`EXTRA_COLUMNS`]. `tests/api/read_projection.rs` checks every field of every type,
//! alone and nested, against a server that reads whole rows.

use super::Table;
use crate::repo::Record;
use crate::write::fields::field_name;
use sea_orm::{ColumnTrait, Iden, Iterable};
use std::sync::OnceLock;

/// Fields whose value comes from a column of another name: (table, field, column).
const EXTRA_COLUMNS: &[(Table, &str, &str)] = &[(Table::TaxonomyTerms, "taxonomyName", "taxonomy")];

/// The columns of a table a read fills, one bit per column in the entity's column
/// order; the others are read as `NULL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Columns(u64);

impl Columns {
    /// Every column: the whole model.
    pub const ALL: Columns = Columns(u64::MAX);

    /// The columns of `E` needed to answer `fields` (GraphQL field names of the
    /// type over `E`): each field's own column, plus every column that may not be
    /// left out. Unknown names (lists of children, computed values) add nothing.
    pub fn for_fields<'a, E: Record>(
        table: Table,
        fields: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let columns = column_names::<E>(table);
        if columns.len() > 64 {
            return Self::ALL;
        }
        let mut mask = 0u64;
        for (index, (name, _, nullable)) in columns.iter().enumerate() {
            if !nullable || name.ends_with("_id") || name == "id" {
                mask |= 1 << index;
            }
        }
        for field in fields {
            for (index, (name, camel, _)) in columns.iter().enumerate() {
                if reads(table, field, name, camel) {
                    mask |= 1 << index;
                }
            }
        }
        Self(mask)
    }

    /// Whether the column at `index` (in the entity's column order) is filled.
    pub fn fills(self, index: usize) -> bool {
        index >= 64 || self.0 & (1 << index) != 0
    }

    /// `alias.column` for each filled column of `E`, `NULL AS column` for the rest:
    /// never `*`, which on PostgreSQL would also ship the generated `search_vector`.
    pub fn select_list<E: Record>(self, alias: &str) -> String {
        E::Column::iter()
            .enumerate()
            .map(|(index, column)| {
                let name = column.to_string();
                if self.fills(index) {
                    format!("{alias}.{name}")
                } else {
                    format!("NULL AS {name}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// (column, its GraphQL field name, nullable) for each column of `E`, in order.
/// Worked out once per table: every connection and to-one load of every request
/// asks, and camel-casing each column name each time showed up in profiles.
fn column_names<E: Record>(table: Table) -> &'static [(String, String, bool)] {
    const TABLE_COUNT: usize = Table::ALL.len();
    static TABLES: [OnceLock<Vec<(String, String, bool)>>; TABLE_COUNT] =
        [const { OnceLock::new() }; TABLE_COUNT];
    let names = || {
        E::Column::iter()
            .map(|column| {
                let name = column.to_string();
                let camel = field_name(&name);
                (name, camel, column.def().is_null())
            })
            .collect::<Vec<_>>()
    };
    // `Table` is a fieldless enum, so `table as usize` is below `TABLE_COUNT`.
    TABLES[table as usize % TABLE_COUNT].get_or_init(names)
}

/// Whether GraphQL field `field` of the type over `table` reads column `column`
/// (`camel`, as GraphQL names it).
fn reads(table: Table, field: &str, column: &str, camel: &str) -> bool {
    camel == field
        || camel.strip_suffix("Id") == Some(field)
        || EXTRA_COLUMNS
            .iter()
            .any(|(t, f, c)| *t == table && *f == field && *c == column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::{services, taxonomy_terms, venues};

    #[test]
    fn fields_are_matched_to_columns_as_graphql_names_them() {
        assert_eq!(field_name("fees_description"), "feesDescription");
        assert!(reads(
            Table::Services,
            "provider",
            "provider_id",
            "providerId"
        ));
        assert!(reads(
            Table::TaxonomyTerms,
            "taxonomyName",
            "taxonomy",
            "taxonomy"
        ));
        assert!(!reads(
            Table::Services,
            "taxonomyName",
            "taxonomy",
            "taxonomy"
        ));
    }

    #[test]
    fn unselected_nullable_columns_are_read_as_null() {
        let list = Columns::for_fields::<services::Entity>(Table::Services, ["name"])
            .select_list::<services::Entity>("s");
        assert!(list.contains("s.id"));
        assert!(list.contains("s.name"));
        assert!(list.contains("s.provider_id"));
        assert!(list.contains("NULL AS description"));
        let venue = Columns::for_fields::<venues::Entity>(Table::Venues, ["address1"])
            .select_list::<venues::Entity>("v");
        assert!(venue.contains("v.address_1"));
        assert!(venue.contains("NULL AS address_2"));
    }

    #[test]
    fn all_fills_every_column() {
        let list = Columns::ALL.select_list::<taxonomy_terms::Entity>("t");
        assert!(!list.contains("NULL"));
    }
}
