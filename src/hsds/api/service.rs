//! `/services`: services as HSDS `service_list` entries (or, with `full_service`,
//! whole `service` objects) and `/services/{id}` as the whole object, under the
//! GraphQL visibility rule.
//!
//! A walk by page number is keyset underneath: a page is the services after the
//! id that begins it, and that id is found on the primary key alone (an
//! index-only skip, not a read of the rows before it). Page boundaries count
//! every stored service the filters match, hidden and deleted ones too, and a
//! page shows those the caller may see — so a service deleted or unpublished
//! while a client walks shifts no later page, and no service is skipped or seen
//! twice for it. A page may therefore hold fewer than `per_page` services;
//! `total_pages` counts the boundaries, `total_items` what the caller may see.
//! With `postcode` and `proximity` the services are a search, nearest first.

use super::filters::{ServiceFilter, services_matching};
use super::page::{PageRequest, page};
use super::tree::{self, Depth};
use super::{ApiError, read::parse_id};
use crate::hsds::nesting::Object;
use crate::read::visibility::visible;
use crate::read::{Frag, Table, Viewer};
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::Value;
use uuid::Uuid;

/// `GET /services`.
pub async fn services(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &ServiceFilter,
    request: PageRequest,
) -> Result<Value, ApiError> {
    let matching = services_matching(db, viewer, filter).await?;
    let depth = if filter.full {
        Depth::Full
    } else {
        Depth::Summary
    };
    let shown = visible(Table::Services, "services", viewer);
    let (ids, total_items, total_pages) = match &matching.ranked {
        Some(ranked) => {
            // Already only what the caller may see, nearest first.
            let ids: Vec<Uuid> = ranked
                .iter()
                .skip(request.offset() as usize)
                .take(request.size as usize)
                .copied()
                .collect();
            let total = ranked.len() as u64;
            (ids, total, total.div_ceil(request.size))
        }
        None => {
            let (positions, total_items) = counts(db, &matching.conditions, &shown).await?;
            let ids = positions_of(db, &matching.conditions, request).await?;
            (ids, total_items, positions.div_ceil(request.size))
        }
    };
    let rows = shown_rows(db, &ids, &shown).await?;
    let contents = tree::build(db, viewer, Object::Service, rows, depth, &[]).await?;
    let mut body = page(request, total_items, contents);
    body["total_pages"] = Value::from(total_pages);
    body["last_page"] = Value::from(request.number >= total_pages);
    Ok(body)
}

/// `GET /services/{id}`: the service with everything nested in it.
pub async fn service(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: &str,
) -> Result<Value, ApiError> {
    let wanted = parse_id("id", id)?;
    let shown = visible(Table::Services, "services", viewer);
    let rows = shown_rows(db, &[wanted], &shown).await?;
    let mut built = tree::build(db, viewer, Object::Service, rows, Depth::Full, &[]).await?;
    built.pop().ok_or_else(|| ApiError::NotFound {
        kind: "service",
        id: id.to_owned(),
    })
}

/// (boundaries: every stored service matching, what the caller may see of them):
/// two counts, so that each can be read from an index (the primary key, and
/// the public's `services_shown_idx`).
async fn counts(
    db: &impl ConnectionTrait,
    conditions: &[Frag],
    shown: &Frag,
) -> Result<(u64, u64), DbErr> {
    let count = |condition: Frag| async move {
        let mut sql = Frag::raw("SELECT COUNT(*) AS total FROM services WHERE ");
        sql.append(condition);
        let row = db
            .query_one_raw(sql.into_statement(db.get_database_backend()))
            .await?;
        let total: i64 = match row {
            Some(row) => row.try_get("", "total")?,
            None => 0,
        };
        Ok::<u64, DbErr>(total.max(0) as u64)
    };
    let positions = count(Frag::all(conditions.iter().cloned())).await?;
    let mut visible = conditions.to_vec();
    visible.push(shown.clone());
    let shown = count(Frag::all(visible)).await?;
    Ok((positions, shown))
}

/// The ids of the page's positions, in id order: the first found by skipping
/// on the primary key, the rest read after it.
async fn positions_of(
    db: &impl ConnectionTrait,
    conditions: &[Frag],
    request: PageRequest,
) -> Result<Vec<Uuid>, DbErr> {
    let backend = db.get_database_backend();
    let mut sql = Frag::raw("SELECT services.id AS id FROM services WHERE ");
    sql.append(Frag::all(conditions.iter().cloned()));
    // Both numbers are bounded (`PageRequest`) and written into the text so the
    // planner sees them.
    sql.push(&format!(
        " ORDER BY services.id LIMIT {} OFFSET {}",
        request.size,
        request.offset()
    ));
    let rows = db.query_all_raw(sql.into_statement(backend)).await?;
    rows.iter().map(|row| row.try_get("", "id")).collect()
}

/// The services among `ids` that `shown` lets through, in the order of `ids`.
async fn shown_rows(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    shown: &Frag,
) -> Result<Vec<Value>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let condition = Frag::all([
        Frag::id_in("services.id", ids, db.get_database_backend()),
        shown.clone(),
    ]);
    let rows = tree::rows_where::<crate::repo::services::Entity>(db, condition).await?;
    let position = |row: &Value| {
        row.get("id")
            .and_then(Value::as_str)
            .and_then(|text| Uuid::parse_str(text).ok())
            .and_then(|id| ids.iter().position(|wanted| *wanted == id))
    };
    let mut rows: Vec<(usize, Value)> = rows
        .into_iter()
        .filter_map(|row| position(&row).map(|at| (at, row)))
        .collect();
    rows.sort_by_key(|(at, _)| *at);
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}
