//! Rows done of a running import's current pass, and its heartbeat. Kept in this
//! process's memory (what `import(id)` reads on the replica running it) and written
//! to the import's row every [`HEARTBEAT`], from the pool rather than the import's
//! transaction, so other replicas see it too; the row's `updated_at` is the
//! heartbeat. An import whose row has not moved for [`STALE_AFTER`] belongs to a
//! process that stopped, and [`sweep_interrupted`] (at start and every
//! [`SWEEP_EVERY`] while serving) marks it failed.
//!
//! On SQLite the heartbeat cannot write while the import's apply transaction holds
//! the one write lock, and neither can the sweep: by the time it may, the import
//! has committed `completed`, which the sweep leaves alone.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use uuid::Uuid;

static RUNNING: LazyLock<Mutex<HashMap<Uuid, Arc<AtomicU64>>>> = LazyLock::new(Default::default);

fn running() -> std::sync::MutexGuard<'static, HashMap<Uuid, Arc<AtomicU64>>> {
    RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Rows done of import `id`'s current pass, when it runs in this process.
pub fn rows_done(id: Uuid) -> Option<u64> {
    running()
        .get(&id)
        .map(|counter| counter.load(Ordering::Relaxed))
}

/// The progress of one running import; forgotten when dropped.
pub struct Progress {
    id: Uuid,
    counter: Arc<AtomicU64>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

/// Starts tracking import `id`.
pub fn track(db: &DatabaseConnection, id: Uuid) -> Progress {
    let counter = Arc::new(AtomicU64::new(0));
    running().insert(id, counter.clone());
    let ticker = {
        let (db, counter) = (db.clone(), counter.clone());
        let sql = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                "UPDATE imports SET rows_done = $1, updated_at = $2 WHERE id = $3"
            }
            _ => "UPDATE imports SET rows_done = ?, updated_at = ? WHERE id = ?",
        };
        Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT).await;
                let done = counter.load(Ordering::Relaxed);
                let beat = db
                    .execute_raw(Statement::from_sql_and_values(
                        db.get_database_backend(),
                        sql,
                        [
                            Value::BigInt(Some(done as i64)),
                            Value::ChronoDateTimeUtc(Some(crate::stamp::now())),
                            Value::Uuid(Some(id)),
                        ],
                    ))
                    .await;
                if let Err(error) = beat {
                    tracing::debug!(%error, import = %id, "import heartbeat (retried next tick)");
                }
            }
        }))
    };
    Progress {
        id,
        counter,
        ticker,
    }
}

impl Progress {
    /// The counter the passes add their rows to.
    pub fn counter(&self) -> Arc<AtomicU64> {
        self.counter.clone()
    }

    /// A new pass begins.
    pub fn restart(&self) {
        self.counter.store(0, Ordering::Relaxed);
    }

    /// The import ended: stop tracking it.
    pub fn finish(&self) {
        running().remove(&self.id);
        if let Some(ticker) = &self.ticker {
            ticker.abort();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// How often a running import's row is touched.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// How long an import may sit in `validating` or `applying` without a heartbeat
/// before it is taken for interrupted: many missed heartbeats, so a busy database
/// does not make a live import look dead.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// How often a serving replica looks for interrupted imports.
pub const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// Marks imports whose process stopped mid-way (killed, crashed, restarted) as
/// failed — no heartbeat for `stale_after` — so the history does not show them
/// running for ever. Their changes were never committed, so their counts become 0.
/// Returns how many were marked.
pub async fn sweep_interrupted(
    db: &DatabaseConnection,
    stale_after: Duration,
) -> Result<u64, sea_orm::DbErr> {
    let now = crate::stamp::now();
    let stale = chrono::TimeDelta::from_std(stale_after).unwrap_or(chrono::TimeDelta::MAX);
    let Some(before) = now.checked_sub_signed(stale) else {
        return Ok(0);
    };
    let message = "interrupted: the process running this import stopped; nothing of it was applied";
    mark_failed(db, None, Some(before), message).await
}

/// Marks running imports failed with `message`, their applied counts 0: the one
/// with `id`, or every one whose last heartbeat is older than `before`.
pub async fn mark_failed(
    db: &DatabaseConnection,
    id: Option<Uuid>,
    before: Option<chrono::DateTime<chrono::Utc>>,
    message: &str,
) -> Result<u64, sea_orm::DbErr> {
    use entities::imports::Column;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let now = crate::stamp::now();
    let mut update = entities::imports::Entity::update_many()
        .col_expr(Column::State, Expr::value("failed"))
        .col_expr(
            Column::Errors,
            Expr::value(serde_json::json!([{ "message": message }])),
        )
        .col_expr(Column::RowsInserted, Expr::value(0i64))
        .col_expr(Column::RowsUpdated, Expr::value(0i64))
        .col_expr(Column::RowsDeleted, Expr::value(0i64))
        .col_expr(Column::FinishedAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::State.is_in(["validating", "applying"]));
    if let Some(id) = id {
        update = update.filter(Column::Id.eq(id));
    }
    if let Some(before) = before {
        update = update.filter(Column::UpdatedAt.lt(before));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// Sweeps for interrupted imports every [`SWEEP_EVERY`] until the process stops.
pub fn spawn_sweeper(jobs: &crate::jobs::Jobs, db: DatabaseConnection) {
    jobs.spawn_loop("import-sweeper", |stopping| async move {
        loop {
            tokio::select! {
                () = tokio::time::sleep(SWEEP_EVERY) => {}
                () = stopping.cancelled() => return,
            }
            match sweep_interrupted(&db, STALE_AFTER).await {
                Ok(0) => {}
                Ok(marked) => tracing::warn!(
                    imports = marked,
                    "imports whose process stopped (no heartbeat) marked failed"
                ),
                Err(error) => tracing::debug!(%error, "import sweep (retried later)"),
            }
        }
    });
}
