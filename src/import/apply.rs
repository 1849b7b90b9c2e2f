//! Applying: a checked stage written into its table by
//! `INSERT … SELECT … ON CONFLICT (id) DO UPDATE`, inside the caller's
//! transaction, and for REPLACE the records the file lacks tombstoned.
//!
//! The stage goes in slices of [`SLICE_ROWS`] rows, so the import's progress
//! moves while it applies — except a stage whose rows may refer to rows of their
//! own type further down the file (a provider's parent): foreign keys are checked
//! at the end of each statement, so such a stage is written by one.
//!
//! A row is touched only when a value differs (or it was deleted): an unchanged
//! row keeps its version and `updated_at`, so an incremental export does not ship
//! it again. Columns the file lacks are left as they are on update (and take
//! their defaults on insert).

use super::Problem;
use super::check::missing_from;
use super::stage::Stage;
use super::visible;
use crate::repo::RecordType;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

/// Rows per statement while applying.
const SLICE_ROWS: u64 = 50_000;

/// Writes the staged rows, adding them to `progress` as they go; the number
/// inserted or changed.
pub async fn write_stage(
    txn: &impl ConnectionTrait,
    stage: &Stage,
    now: DateTime<Utc>,
    progress: &AtomicU64,
) -> Result<u64, DbErr> {
    let whole = stage.rows <= SLICE_ROWS
        || stage
            .header
            .kind
            .self_reference()
            .is_some_and(|column| stage.column_names().contains(&column));
    let written = write_slices(txn, stage, now, progress, whole).await?;
    // Venue address columns written here go into the venues' main addresses.
    let names = stage.column_names();
    if stage.header.kind == RecordType::Venues
        && crate::repo::main_address::ADDRESS_COLUMNS
            .iter()
            .any(|column| names.contains(column))
    {
        let which = format!("v.id IN (SELECT id FROM {})", stage.name());
        crate::repo::main_address::from_venues(txn, &which, Vec::new()).await?;
    }
    Ok(written)
}

async fn write_slices(
    txn: &impl ConnectionTrait,
    stage: &Stage,
    now: DateTime<Utc>,
    progress: &AtomicU64,
    whole: bool,
) -> Result<u64, DbErr> {
    if whole {
        let written = write_rows(txn, stage, now, None).await?;
        progress.fetch_add(stage.rows, Ordering::Relaxed);
        return Ok(written);
    }
    // The last `row_no` of every slice (every SLICE_ROWS-th row), then the rest.
    let ends: Vec<i64> = txn
        .query_all_raw(Statement::from_string(
            txn.get_database_backend(),
            format!(
                "SELECT row_no FROM (SELECT row_no, ROW_NUMBER() OVER (ORDER BY row_no) AS n \
                 FROM {}) numbered WHERE n % {SLICE_ROWS} = 0 ORDER BY row_no",
                stage.name()
            ),
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<i64>("", "row_no"))
        .collect::<Result<_, _>>()?;
    let mut written = 0;
    // Rows start on line 2 at the earliest (the header is line 1).
    let mut start = 0;
    for end in ends.iter().copied().map(Some).chain([None]) {
        written += write_rows(txn, stage, now, Some((start, end))).await?;
        progress.fetch_add(
            if end.is_some() {
                SLICE_ROWS
            } else {
                stage.rows % SLICE_ROWS
            },
            Ordering::Relaxed,
        );
        start = end.unwrap_or(i64::MAX);
    }
    Ok(written)
}

/// Writes the staged rows with `row_no` in (start, end] (all of them for `None`;
/// no upper bound for an `end` of `None`).
async fn write_rows(
    txn: &impl ConnectionTrait,
    stage: &Stage,
    now: DateTime<Utc>,
    slice: Option<(i64, Option<i64>)>,
) -> Result<u64, DbErr> {
    let table = stage.header.kind.name();
    let names = stage.column_names();
    let (distinct, now_at) = if stage.postgres {
        ("IS DISTINCT FROM", "$1")
    } else {
        ("IS NOT", "?1")
    };
    let updates: Vec<String> = names
        .iter()
        .skip(1)
        .map(|name| format!("{name} = excluded.{name}"))
        .chain(["updated_at = excluded.updated_at".to_owned()])
        .collect();
    let changed: Vec<String> = names
        .iter()
        .skip(1)
        .map(|name| format!("{table}.{name} {distinct} excluded.{name}"))
        .chain([format!("{table}.deleted_at IS NOT NULL")])
        .collect();
    // `WHERE true`: SQLite would otherwise read `ON CONFLICT` as a join's `ON`.
    // Slice bounds are numbers the server made, written into the text.
    let within = match slice {
        None => "true".to_owned(),
        Some((start, None)) => format!("st.row_no > {start}"),
        Some((start, Some(end))) => format!("st.row_no > {start} AND st.row_no <= {end}"),
    };
    let set_wise = visible::set_wise(stage, &within);
    let (flag_column, flag, joins, flag_update) = match &set_wise {
        Some(set) => (
            ", visible",
            format!(", {}", set.flag),
            set.joins.as_str(),
            ", visible = excluded.visible",
        ),
        None => ("", String::new(), "", ""),
    };
    let selected: Vec<String> = names.iter().map(|name| format!("st.{name}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({columns}, created_at, updated_at, version{flag_column}) \
         SELECT {selected}, {now_at}, {now_at}, 1{flag} FROM {stage} st{joins} WHERE {within} \
         ON CONFLICT (id) DO UPDATE SET {updates}{flag_update}, \
         version = {table}.version + 1, deleted_at = NULL WHERE {changed}",
        columns = names.join(", "),
        selected = selected.join(", "),
        stage = stage.name(),
        updates = updates.join(", "),
        changed = changed.join(" OR "),
    );
    let backend = txn.get_database_backend();
    if let Some(set) = &set_wise {
        txn.execute_unprepared(&visible::switch(true)).await?;
        txn.execute_unprepared(&set.lock).await?;
    }
    let result = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::ChronoDateTimeUtc(Some(now))],
        ))
        .await?;
    if set_wise.is_some() {
        txn.execute_unprepared(&visible::switch(false)).await?;
    }
    Ok(result.rows_affected())
}

/// REPLACE: tombstones (with their dependants) the live records of the stage's
/// type that the file lacks, unless others wrote meanwhile so that this would
/// now delete more than `max_share` of them; the number deleted.
pub async fn delete_missing(
    txn: &impl ConnectionTrait,
    stage: &Stage,
    max_share: Option<f64>,
) -> Result<u64, Problem> {
    let kind: RecordType = stage.header.kind;
    let doomed: Vec<Uuid> = txn
        .query_all_raw(Statement::from_string(
            txn.get_database_backend(),
            missing_from(&stage.name(), kind.name(), "t.id"),
        ))
        .await?
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id"))
        .collect::<Result<_, _>>()?;
    if doomed.is_empty() {
        return Ok(0);
    }
    if let Some(share) = max_share {
        let live = txn
            .query_one_raw(Statement::from_string(
                txn.get_database_backend(),
                format!(
                    "SELECT COUNT(*) AS n FROM {} WHERE deleted_at IS NULL",
                    kind.name()
                ),
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if doomed.len() as f64 > share * live as f64 {
            return Err(Problem::file(format!(
                "REPLACE would now delete {} of {live} live {kind}; others wrote meanwhile (use force)",
                doomed.len(),
            )));
        }
    }
    let deleted = doomed.len() as u64;
    crate::repo::children::tombstone_cascade(txn, kind.name(), doomed)
        .await
        .map_err(|error| Problem::file(format!("deleting records: {error}")))?;
    Ok(deleted)
}
