//! What imports and ingest runs did, per UTC day, for the admin console's
//! activity chart.
//!
//! The database groups by day (two statements, one per table, each a range
//! over its time index), so the cost follows the number of days, not of rows.
//! The day is the UTC calendar date of `imports.created_at` and
//! `ingest_runs.started_at`: PostgreSQL converts its `TIMESTAMPTZ` to UTC
//! whatever the session's zone; SQLite stores RFC 3339 text in UTC, whose first
//! ten characters are the date. Days with nothing are filled in here.

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};
use std::collections::HashMap;

/// The most days one request may ask for.
pub const MAX_DAYS: u32 = 366;

/// What happened on one day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayActivity {
    pub day: NaiveDate,
    pub imports_completed: i64,
    pub imports_failed: i64,
    /// Rows inserted, updated and deleted by completed imports (not dry runs).
    pub rows_imported: i64,
    /// Runs that ran to their end, with or without failed files.
    pub ingest_runs_completed: i64,
    pub ingest_runs_failed: i64,
    pub files_loaded: i64,
}

/// The `days` days up to and including `today`, oldest first, each present.
pub async fn by_day(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    days: u32,
) -> Result<Vec<DayActivity>, DbErr> {
    let first = today
        .checked_sub_days(Days::new(u64::from(days.saturating_sub(1))))
        .unwrap_or(today);
    let since = first.and_time(chrono::NaiveTime::MIN).and_utc();
    let imports = counts(db, IMPORTS, "created_at", since).await?;
    let runs = counts(db, RUNS, "started_at", since).await?;
    Ok(first
        .iter_days()
        .take_while(|day| *day <= today)
        .map(|day| {
            let key = day.format("%Y-%m-%d").to_string();
            let [imports_completed, imports_failed, rows_imported] =
                imports.get(&key).copied().unwrap_or_default();
            let [ingest_runs_completed, ingest_runs_failed, files_loaded] =
                runs.get(&key).copied().unwrap_or_default();
            DayActivity {
                day,
                imports_completed,
                imports_failed,
                rows_imported,
                ingest_runs_completed,
                ingest_runs_failed,
                files_loaded,
            }
        })
        .collect())
}

/// Three sums per day of `imports`.
const IMPORTS: &str = "SELECT {day} AS day, \
     CAST(SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END) AS BIGINT) AS a, \
     CAST(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS BIGINT) AS b, \
     CAST(SUM(CASE WHEN state = 'completed' AND NOT dry_run \
         THEN rows_inserted + rows_updated + rows_deleted ELSE 0 END) AS BIGINT) AS c \
     FROM imports WHERE created_at >= {since} GROUP BY {day}";

/// Three sums per day of `ingest_runs`.
const RUNS: &str = "SELECT {day} AS day, \
     CAST(SUM(CASE WHEN state IN ('completed', 'completed_with_failures') \
         THEN 1 ELSE 0 END) AS BIGINT) AS a, \
     CAST(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS BIGINT) AS b, \
     CAST(SUM(files_loaded) AS BIGINT) AS c \
     FROM ingest_runs WHERE started_at >= {since} GROUP BY {day}";

/// `template`'s three sums by day (`YYYY-MM-DD`), for rows whose `column` is
/// at or after `since`.
async fn counts(
    db: &impl ConnectionTrait,
    template: &str,
    column: &str,
    since: DateTime<Utc>,
) -> Result<HashMap<String, [i64; 3]>, DbErr> {
    let backend = db.get_database_backend();
    let (day, since_param) = match backend {
        DatabaseBackend::Postgres => (
            format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
            "$1",
        ),
        _ => (format!("substr({column}, 1, 10)"), "?"),
    };
    let sql = template
        .replace("{day}", &day)
        .replace("{since}", since_param);
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(since)],
        ))
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let day: String = row.try_get("", "day")?;
        let sum = |name: &str| {
            row.try_get::<Option<i64>>("", name)
                .map(Option::unwrap_or_default)
        };
        out.insert(day, [sum("a")?, sum("b")?, sum("c")?]);
    }
    Ok(out)
}
