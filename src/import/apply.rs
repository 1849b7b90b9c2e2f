//! Applying: a checked stage written into its table in one
//! `INSERT … SELECT … ON CONFLICT (id) DO UPDATE`, inside the caller's
//! transaction, and for REPLACE the records the file lacks tombstoned.
//!
//! A row is touched only when a value differs (or it was deleted): an unchanged
//! row keeps its version and `updated_at`, so an incremental export does not ship
//! it again. Columns the file lacks are left as they are on update (and take
//! their defaults on insert).

use super::Problem;
use super::check::missing_from;
use super::stage::Stage;
use crate::repo::RecordType;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use uuid::Uuid;

/// Writes the staged rows; the number inserted or changed.
pub async fn write_stage(
    txn: &impl ConnectionTrait,
    stage: &Stage,
    now: DateTime<Utc>,
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
    let sql = format!(
        "INSERT INTO {table} ({columns}, created_at, updated_at, version) \
         SELECT {columns}, {now_at}, {now_at}, 1 FROM {stage} WHERE true \
         ON CONFLICT (id) DO UPDATE SET {updates}, \
         version = {table}.version + 1, deleted_at = NULL WHERE {changed}",
        columns = names.join(", "),
        stage = stage.name(),
        updates = updates.join(", "),
        changed = changed.join(" OR "),
    );
    let result = txn
        .execute_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            sql,
            [Value::ChronoDateTimeUtc(Some(now))],
        ))
        .await?;
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
