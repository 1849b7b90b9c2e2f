//! Pages of related records for a whole page of parents, in one statement.
//!
//! `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY ...)` numbers each parent's
//! children in the ordering; keeping numbers up to the page size gives every
//! parent's page at once, served by the `(fk, id)` indexes. Child lists are never
//! read whole and sliced in memory.

use super::decode::RowDecoder;
use super::order::Ordering;
use super::page::{Page, Positioned, Window, model_id};
use super::sql::Frag;
use super::viewer::Viewer;
use super::visibility::visible;
use super::{Columns, Readable, Table};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr};
use std::collections::HashMap;
use uuid::Uuid;

/// How child rows point at their parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Link {
    /// The child's own column holds the parent id.
    Column(&'static str),
    /// A link table row (live) joins them: `link.parent = parent id`, `link.child = child id`.
    Through {
        table: Table,
        parent: &'static str,
        child: &'static str,
    },
}

/// A relation from a parent record to a list of children of table `child`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Relation {
    /// Stable name, part of cursor signatures, e.g. `service.venues`.
    pub name: &'static str,
    pub child: Table,
    pub link: Link,
}

impl Relation {
    /// The expression giving a child row's parent id, and the join it needs.
    fn parent_expr(&self) -> (String, Option<String>) {
        let child = self.child.name();
        match self.link {
            Link::Column(column) => (format!("{child}.{column}"), None),
            Link::Through {
                table,
                parent,
                child: child_column,
            } => (
                format!("link.{parent}"),
                Some(format!(
                    " JOIN {} link ON link.{child_column} = {child}.id AND link.deleted_at IS NULL",
                    table.name()
                )),
            ),
        }
    }

    /// The visibility condition of children reached from a parent, which is always
    /// visible itself (it was read under the same viewer). Where the child's rule is
    /// "some parent is visible" and this parent is one of those, being live is all
    /// that is left to check: that spares the nested EXISTS per child row.
    fn visibility(&self, viewer: &Viewer) -> Frag {
        let child = self.child.name();
        let implied = match (self.child, self.link) {
            (Table::Contacts | Table::Events | Table::CostOptions, Link::Column(_)) => true,
            (Table::TaxonomyRefs, Link::Column(column)) => column != "taxonomy_term_id",
            (Table::Venues, Link::Column(column)) => column == "provider_id",
            (Table::Venues, Link::Through { parent, .. }) => parent == "service_id",
            _ => false,
        };
        if implied {
            Frag::raw(format!("{child}.deleted_at IS NULL"))
        } else {
            visible(self.child, child, viewer)
        }
    }

    fn children_sql(
        &self,
        parents: &[Uuid],
        viewer: &Viewer,
        backend: DatabaseBackend,
    ) -> (String, Frag) {
        let (parent, join) = self.parent_expr();
        let mut from = Frag::raw(format!(
            "FROM {}{}",
            self.child.name(),
            join.unwrap_or_default()
        ));
        from.push(" WHERE ").append(Frag::all([
            Frag::id_in(&parent, parents, backend),
            self.visibility(viewer),
        ]));
        (parent, from)
    }
}

/// One page of children per parent (parents without children get an empty page).
pub async fn fetch_children<E: Readable>(
    db: &impl ConnectionTrait,
    relation: &Relation,
    parents: &[Uuid],
    ordering: &Ordering,
    window: &Window,
    viewer: &Viewer,
    columns: Columns,
) -> Result<HashMap<Uuid, Page<Positioned<E::Model>>>, DbErr> {
    let mut grouped: HashMap<Uuid, Vec<Positioned<E::Model>>> =
        parents.iter().map(|id| (*id, Vec::new())).collect();
    let (limit, reversed) = window.limit();
    for chunk in parents.chunks(crate::repo::MAX_IDS_PER_STATEMENT) {
        let (parent, mut from_where) =
            relation.children_sql(chunk, viewer, db.get_database_backend());
        for bound in window.bounds(ordering) {
            from_where.push(" AND (").append(bound).push(")");
        }
        let child = relation.child.name();
        let mut sql = Frag::raw(format!(
            "SELECT * FROM (SELECT {}{}, {parent} AS signpost_parent, \
             ROW_NUMBER() OVER (PARTITION BY {parent} ORDER BY {}) AS signpost_rn ",
            columns.select_list::<E>(child),
            ordering.select_keys(),
            ordering.order_by(reversed),
        ));
        sql.append(from_where)
            // Written into the text for a reusable plan, as in `page::fetch_page`.
            .push(&format!(
                ") ranked WHERE signpost_rn <= {limit} ORDER BY signpost_parent, signpost_rn"
            ));
        let rows = db
            .query_all_raw(sql.into_statement(db.get_database_backend()))
            .await?;
        let mut decoder = RowDecoder::<E>::new(columns);
        // By position, as the select list above lays them out: the record's columns,
        // the sort keys, then the parent id.
        let width = <E::Column as sea_orm::Iterable>::iter().count();
        let parent_at = width + ordering.terms.len();
        for row in &rows {
            let parent: Uuid = row.try_get_by_index(parent_at)?;
            let model = decoder.decode(row)?;
            let cursor = ordering.cursor_of(row, width, model_id::<E>(&model)?)?;
            grouped
                .entry(parent)
                .or_default()
                .push(Positioned { model, cursor });
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(parent, rows)| (parent, window.finish(rows)))
        .collect())
}

/// How many visible children each parent has.
pub async fn count_children(
    db: &impl ConnectionTrait,
    relation: &Relation,
    parents: &[Uuid],
    viewer: &Viewer,
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let mut counts: HashMap<Uuid, i64> = parents.iter().map(|id| (*id, 0)).collect();
    for chunk in parents.chunks(crate::repo::MAX_IDS_PER_STATEMENT) {
        let (parent, from_where) = relation.children_sql(chunk, viewer, db.get_database_backend());
        let mut sql = Frag::raw(format!(
            "SELECT {parent} AS signpost_parent, COUNT(*) AS total "
        ));
        sql.append(from_where).push(&format!(" GROUP BY {parent}"));
        let rows = db
            .query_all_raw(sql.into_statement(db.get_database_backend()))
            .await?;
        for row in &rows {
            counts.insert(
                row.try_get("", "signpost_parent")?,
                row.try_get("", "total")?,
            );
        }
    }
    Ok(counts)
}
