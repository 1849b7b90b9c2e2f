//! The watermark: the `updatedSince` a client's next incremental run starts
//! from, chosen so that no row it has not seen can later appear stamped earlier.
//!
//! Rows are stamped with `updated_at` when written but become visible when their
//! transaction commits, which may be much later (an import of a million rows
//! runs for half a minute). A watermark of "now" would let the next run skip such
//! rows. So it is held back to the start of the oldest transaction still open in
//! the database — on PostgreSQL read from `pg_stat_activity`, which sees every
//! replica's sessions; on SQLite, which has one writer, from the imports still
//! applying — and then by a safety lag for writers that stamp rows a moment
//! before their transaction begins. Runs overlap a little; clients dedupe by
//! `(id, version)`.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// The watermark for a run starting now.
pub async fn safe_watermark(
    db: &impl ConnectionTrait,
    lag: std::time::Duration,
) -> Result<DateTime<Utc>, DbErr> {
    let now = crate::stamp::now();
    let sql = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            "SELECT MIN(xact_start) AS oldest FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND xact_start IS NOT NULL AND backend_type = 'client backend'"
        }
        _ => "SELECT MIN(updated_at) AS oldest FROM imports WHERE state = 'applying'",
    };
    let oldest = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .map(|row| row.try_get::<Option<DateTime<Utc>>>("", "oldest"))
        .transpose()?
        .flatten();
    let start = oldest.map_or(now, |oldest| oldest.min(now));
    Ok(start - TimeDelta::from_std(lag).unwrap_or(TimeDelta::zero()))
}
