//! The second pass: the checked file written in multi-row upserts, inside the
//! caller's transaction.
//!
//! `INSERT … ON CONFLICT (id) DO UPDATE`, touching a row only when a value differs
//! (or it was deleted): an unchanged row keeps its version and `updated_at`, so an
//! incremental export does not ship it again. Columns the file lacks are left as
//! they are on update (and take their defaults on insert). A reference to a row
//! further down the same file is written once that row exists.

use super::Problem;
use super::check::placeholders;
use super::header::Header;
use super::row::{Cell, Row, pg_array, pg_type};
use super::source::{Parsed, ReadOptions, spawn};
use super::spec::Kind;
use crate::store::{Key, Store};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

/// Bind parameters per statement, under both backends' limits.
const MAX_PARAMETERS: usize = 30_000;

/// What applying one file did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Rows inserted or changed.
    pub written: u64,
    /// Every id now in the file (including those generated for rows without one).
    pub ids: HashSet<Uuid>,
}

/// Why applying stopped.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("{0}")]
    Invalid(Problem),
}

/// Writes the file at `key`; `file_ids` are the ids the first pass found in it.
pub async fn apply_file(
    db: &impl ConnectionTrait,
    store: Store,
    key: Key,
    options: ReadOptions,
    file_ids: &HashSet<Uuid>,
    now: DateTime<Utc>,
    progress: &Arc<AtomicU64>,
) -> Result<Applied, ApplyError> {
    let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
    let mut rx = spawn(store, key, options);
    let mut header: Option<Header> = None;
    let mut applied = Applied::default();
    let mut deferred: Vec<(Uuid, &'static str, Uuid)> = Vec::new();
    while let Some(parsed) = rx.recv().await {
        let batch = match parsed {
            Parsed::Header { header: read, .. } => {
                header = Some(read.map_err(|problems| {
                    ApplyError::Invalid(
                        problems
                            .into_iter()
                            .next()
                            .unwrap_or_else(|| Problem::file("the file cannot be read")),
                    )
                })?);
                continue;
            }
            Parsed::Rows(batch) => batch,
        };
        let Some(header) = &header else { continue };
        let mut rows: Vec<Row> = Vec::with_capacity(batch.len());
        for (mut row, problems) in batch {
            if let Some(problem) = problems.into_iter().next() {
                return Err(ApplyError::Invalid(problem));
            }
            let id = *row.id.get_or_insert_with(crate::repo::new_id);
            row.cells[0] = Cell::Uuid(id);
            // A reference to a row further down this file waits for that row.
            for (position, &(spec, _)) in header.present.iter().enumerate().skip(1) {
                let column = &header.columns[spec];
                if let (Kind::Ref(target), Cell::Uuid(parent)) = (column.kind, &row.cells[position])
                    && target == header.kind
                    && file_ids.contains(parent)
                    && !applied.ids.contains(parent)
                    && *parent != id
                {
                    deferred.push((id, column.name, *parent));
                    row.cells[position] = Cell::Null;
                }
            }
            applied.ids.insert(id);
            rows.push(row);
        }
        let per_statement = (MAX_PARAMETERS / (header.present.len() + 3)).max(1);
        for chunk in rows.chunks(per_statement) {
            applied.written += upsert(db, header, chunk, now, postgres).await?;
            progress.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
    }
    for (id, column, parent) in deferred {
        let (p1, p2) = if postgres { ("$1", "$2") } else { ("?", "?") };
        let table = header.as_ref().map_or("", |h| h.kind.name());
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            format!("UPDATE {table} SET {column} = {p1} WHERE id = {p2}"),
            [Value::Uuid(Some(parent)), Value::Uuid(Some(id))],
        ))
        .await?;
    }
    Ok(applied)
}

/// One multi-row upsert; the number of rows inserted or changed.
async fn upsert(
    db: &impl ConnectionTrait,
    header: &Header,
    rows: &[Row],
    now: DateTime<Utc>,
    postgres: bool,
) -> Result<u64, DbErr> {
    let table = header.kind.name();
    let names = header.column_names();
    let kinds: Vec<Kind> = header
        .present
        .iter()
        .map(|&(spec, _)| header.columns[spec].kind)
        .collect();
    let (source, values) = if postgres {
        // A column of the batch per parameter, unnested: one parse for the batch.
        let mut values: Vec<Value> = kinds
            .iter()
            .enumerate()
            .map(|(index, _)| Value::from(pg_array(rows.iter().map(|row| &row.cells[index]))))
            .collect();
        let columns: Vec<String> = kinds
            .iter()
            .enumerate()
            .map(|(index, kind)| format!("${}::{}[]", index + 1, pg_type(*kind)))
            .collect();
        let now_at = values.len() + 1;
        values.push(Value::ChronoDateTimeUtc(Some(now)));
        (
            format!(
                "SELECT u.*, ${now_at}, ${now_at}, 1 FROM unnest({}) AS u({})",
                columns.join(", "),
                names.join(", ")
            ),
            values,
        )
    } else {
        let width = names.len() + 3;
        let mut values: Vec<Value> = Vec::with_capacity(rows.len() * width);
        let mut tuples = Vec::with_capacity(rows.len());
        for row in rows {
            tuples.push(format!(
                "({})",
                placeholders(false, values.len() + 1, width)
            ));
            for (cell, kind) in row.cells.iter().zip(&kinds) {
                values.push(cell.to_value(*kind, false));
            }
            values.push(Value::ChronoDateTimeUtc(Some(now)));
            values.push(Value::ChronoDateTimeUtc(Some(now)));
            values.push(Value::Int(Some(1)));
        }
        (format!("VALUES {}", tuples.join(", ")), values)
    };
    let distinct = if postgres {
        "IS DISTINCT FROM"
    } else {
        "IS NOT"
    };
    let updates: Vec<String> = names
        .iter()
        .skip(1)
        .map(|name| format!("{name} = excluded.{name}"))
        .collect();
    let changed: Vec<String> = names
        .iter()
        .skip(1)
        .map(|name| format!("{table}.{name} {distinct} excluded.{name}"))
        .chain(std::iter::once(format!("{table}.deleted_at IS NOT NULL")))
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({columns}, created_at, updated_at, version) {source} \
         ON CONFLICT (id) DO UPDATE SET {updates}{comma} updated_at = excluded.updated_at, \
         version = {table}.version + 1, deleted_at = NULL WHERE {changed}",
        columns = names.join(", "),
        updates = updates.join(", "),
        comma = if updates.is_empty() { "" } else { "," },
        changed = changed.join(" OR "),
    );
    let result = db
        .execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            values,
        ))
        .await?;
    Ok(result.rows_affected())
}
