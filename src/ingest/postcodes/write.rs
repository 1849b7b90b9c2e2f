//! Writing the parsed batches into `postcodes`, all in one transaction.
//!
//! On PostgreSQL the batches stream through `COPY … FROM STDIN` into a temporary
//! stage on a connection of the load's own (as an import's rows do), and one
//! `INSERT … SELECT … ON CONFLICT` then writes the whole file: the database's
//! fastest way in, and one statement instead of a thousand. A bad row met after
//! part of the file was copied drops the stage with the connection, and the table
//! was never touched. On SQLite, whose statements are in-process calls, each batch
//! is one multi-row upsert inside the transaction.
//!
//! A postcode the file repeats is written once, at the last row's values
//! (PostgreSQL refuses to update a row twice in one statement).

use super::{Batch, IngestError, Postcode, load};
use crate::import::copy::{CopyIn, push_field};
use crate::import::stage::open_session;
use crate::ingest::registry;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait, Value};
use std::collections::HashMap;
use tokio::sync::mpsc;
use uuid::Uuid;

const INSERT: &str = "INSERT INTO postcodes \
    (postcode, latitude, longitude, terminated, source_file, updated_at)";
const CONFLICT: &str = "ON CONFLICT (postcode) DO UPDATE SET latitude = excluded.latitude, \
    longitude = excluded.longitude, terminated = excluded.terminated, \
    source_file = excluded.source_file, updated_at = excluded.updated_at";

/// PostgreSQL: every batch copied into the stage, then one statement.
pub(super) async fn by_copy(
    db: &DatabaseConnection,
    mut batches: mpsc::Receiver<Batch>,
    source_file: &str,
    file: Option<Uuid>,
) -> Result<u64, IngestError> {
    let copy_error = |error: sea_orm::sqlx::Error| load(format!("staging postcodes: {error}"));
    let session = open_session(db).await?;
    session
        .execute_unprepared(
            "CREATE TEMPORARY TABLE postcode_stage (seq bigint, postcode text, \
             latitude float8, longitude float8, terminated boolean)",
        )
        .await?;
    let mut copy = CopyIn::start(&session, "COPY postcode_stage FROM STDIN")
        .await
        .map_err(copy_error)?;
    let mut loaded = 0u64;
    while let Some(batch) = batches.recv().await {
        let batch = match batch {
            Ok(batch) => batch,
            Err(error) => {
                // Tells the server the copy failed; the stage goes with the session.
                copy.abort(error.to_string()).await;
                return Err(error);
            }
        };
        for row in &batch {
            loaded += 1;
            copy_row(copy.rows(), loaded, row);
        }
        copy.sent_when_full().await.map_err(copy_error)?;
    }
    copy.finish().await.map_err(copy_error)?;
    // Sorted by postcode, the primary key is filled in order.
    let sql = format!(
        "{INSERT} SELECT DISTINCT ON (postcode) postcode, latitude, longitude, terminated, $1, $2 \
         FROM postcode_stage ORDER BY postcode, seq DESC {CONFLICT}"
    );
    let txn = session.begin().await?;
    txn.execute_raw(Statement::from_sql_and_values(
        txn.get_database_backend(),
        sql,
        [Value::from(source_file.to_owned()), Value::from(Utc::now())],
    ))
    .await?;
    if let Some(id) = file {
        registry::processed(&txn, id, loaded).await?;
    }
    txn.commit().await?;
    Ok(loaded)
}

/// One stage row in `COPY`'s text format.
fn copy_row(out: &mut Vec<u8>, seq: u64, row: &Postcode) {
    use std::io::Write;
    let _ = write!(out, "{seq}\t");
    push_field(out, Some(&row.postcode));
    match row.point {
        Some((latitude, longitude)) => {
            let _ = write!(out, "\t{latitude}\t{longitude}");
        }
        None => out.extend_from_slice(b"\t\\N\t\\N"),
    }
    out.extend_from_slice(if row.terminated { b"\tt\n" } else { b"\tf\n" });
}

/// SQLite: each batch one upsert, in one transaction.
pub(super) async fn by_batches(
    db: &DatabaseConnection,
    mut batches: mpsc::Receiver<Batch>,
    source_file: &str,
    file: Option<Uuid>,
) -> Result<u64, IngestError> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let mut loaded = 0u64;
    while let Some(batch) = batches.recv().await {
        let batch = batch?;
        loaded += batch.len() as u64;
        upsert(&txn, &dedupe(batch), source_file, now).await?;
    }
    if let Some(id) = file {
        registry::processed(&txn, id, loaded).await?;
    }
    txn.commit().await?;
    Ok(loaded)
}

/// The batch with a repeated postcode kept once, at its last row's values.
fn dedupe(rows: Vec<Postcode>) -> Vec<Postcode> {
    let mut at: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut kept: Vec<Postcode> = Vec::with_capacity(rows.len());
    for row in rows {
        match at.get(&row.postcode) {
            Some(&index) => kept[index] = row,
            None => {
                at.insert(row.postcode.clone(), kept.len());
                kept.push(row);
            }
        }
    }
    kept
}

/// One multi-row `INSERT … ON CONFLICT (postcode) DO UPDATE` for the batch.
async fn upsert(
    txn: &impl ConnectionTrait,
    rows: &[Postcode],
    source_file: &str,
    now: DateTime<Utc>,
) -> Result<(), IngestError> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = Value::ChronoDateTimeUtc(Some(now));
    let mut values = Vec::with_capacity(rows.len() * 6);
    for row in rows {
        values.extend([
            Value::from(row.postcode.clone()),
            Value::Double(row.point.map(|(latitude, _)| latitude)),
            Value::Double(row.point.map(|(_, longitude)| longitude)),
            Value::Bool(Some(row.terminated)),
            Value::from(source_file.to_owned()),
            now.clone(),
        ]);
    }
    let tuples = vec!["(?, ?, ?, ?, ?, ?)"; rows.len()].join(", ");
    let sql = format!("{INSERT} VALUES {tuples} {CONFLICT}");
    txn.execute_raw(Statement::from_sql_and_values(
        txn.get_database_backend(),
        sql,
        values,
    ))
    .await?;
    Ok(())
}
