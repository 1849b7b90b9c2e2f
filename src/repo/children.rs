//! Which records reference which: the guard and the cascade of tombstone deletes.
//!
//! Foreign keys in the database cannot see tombstones (a tombstoned row still
//! exists), so "live children" is checked here, from this one table of links.

use super::{MAX_IDS_PER_STATEMENT, RepoError};
use crate::import::spec::{self, Kind};
use crate::repo::RecordType;
use crate::stamp::now;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, Value};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use uuid::Uuid;

/// `child.column` references `parent.id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildLink {
    pub parent: &'static str,
    pub child: &'static str,
    pub column: &'static str,
}

/// Every reference between directory tables: each column of the record catalogue
/// ([`crate::import::spec`]) that names another record. Read from there, not
/// listed again here, so a table added to the catalogue is guarded and cascaded
/// from the day it exists (`tests/api/references.rs` holds it to the database's
/// own foreign keys).
pub fn child_links() -> &'static [ChildLink] {
    static LINKS: OnceLock<Vec<ChildLink>> = OnceLock::new();
    LINKS.get_or_init(|| {
        RecordType::ALL
            .iter()
            .flat_map(|&child| {
                spec::columns(child)
                    .iter()
                    .skip(1)
                    .filter_map(move |column| match column.kind {
                        Kind::Ref(parent) => Some(ChildLink {
                            parent: parent.name(),
                            child: child.name(),
                            column: column.name,
                        }),
                        _ => None,
                    })
            })
            .collect()
    })
}

/// Live records referencing `table`'s row `id`, counted per child table.
pub async fn count_live(
    db: &impl ConnectionTrait,
    table: &'static str,
    id: Uuid,
) -> Result<Vec<(&'static str, u64)>, RepoError> {
    let mut found = Vec::new();
    for link in child_links().iter().filter(|link| link.parent == table) {
        let query = Query::select()
            .expr_as(Expr::col("id").count(), Alias::new("n"))
            .from(link.child)
            .and_where(Expr::col(link.column).eq(id))
            .and_where(Expr::col("deleted_at").is_null())
            .to_owned();
        let count: i64 = match db.query_one(&query).await? {
            Some(row) => row.try_get("", "n")?,
            None => 0,
        };
        if count > 0 {
            found.push((link.child, count as u64));
        }
    }
    Ok(found)
}

/// Tombstones `ids` of `table` and, first, every live record referencing them,
/// recursively. Each row is visited once, so reference cycles terminate.
pub async fn tombstone_cascade(
    db: &impl ConnectionTrait,
    table: &'static str,
    ids: Vec<Uuid>,
) -> Result<u64, RepoError> {
    let mut visited = HashSet::new();
    cascade(db, table, ids, &mut visited).await
}

type Visited = HashSet<(&'static str, Uuid)>;

fn cascade<'a, C: ConnectionTrait>(
    db: &'a C,
    table: &'static str,
    ids: Vec<Uuid>,
    visited: &'a mut Visited,
) -> Pin<Box<dyn Future<Output = Result<u64, RepoError>> + Send + 'a>> {
    Box::pin(async move {
        let ids: Vec<Uuid> = ids
            .into_iter()
            .filter(|id| visited.insert((table, *id)))
            .collect();
        if ids.is_empty() {
            return Ok(0);
        }
        let mut total = 0;
        for link in child_links().iter().filter(|link| link.parent == table) {
            let children = live_children(db, link, &ids).await?;
            if !children.is_empty() {
                total += cascade(db, link.child, children, visited).await?;
            }
        }
        let stamp = now();
        for chunk in ids.chunks(MAX_IDS_PER_STATEMENT) {
            let update = Query::update()
                .table(table)
                .value("deleted_at", Value::from(stamp))
                .value("updated_at", Value::from(stamp))
                .value("version", Expr::col("version").add(1))
                .and_where(Expr::col("id").is_in(chunk.iter().copied()))
                .and_where(Expr::col("deleted_at").is_null())
                .to_owned();
            total += db.execute(&update).await?.rows_affected();
        }
        Ok(total)
    })
}

async fn live_children(
    db: &impl ConnectionTrait,
    link: &ChildLink,
    parents: &[Uuid],
) -> Result<Vec<Uuid>, RepoError> {
    let mut children = Vec::new();
    for chunk in parents.chunks(MAX_IDS_PER_STATEMENT) {
        let query = Query::select()
            .column("id")
            .from(link.child)
            .and_where(Expr::col(link.column).is_in(chunk.iter().copied()))
            .and_where(Expr::col("deleted_at").is_null())
            .to_owned();
        for row in db.query_all(&query).await? {
            children.push(row.try_get::<Uuid>("", "id")?);
        }
    }
    Ok(children)
}
