//! Rows done of a running import's current pass. Kept in this process's memory
//! (what `import(id)` reads on the replica running it); on PostgreSQL also written
//! to the import's row about once a second, from the pool rather than the import's
//! transaction, so other replicas see it too (and the row's `updated_at` doubles as
//! a heartbeat). SQLite's single writer is left to the import itself.

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
    let ticker = (db.get_database_backend() == DatabaseBackend::Postgres).then(|| {
        let (db, counter) = (db.clone(), counter.clone());
        tokio::spawn(async move {
            let mut written = u64::MAX;
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let done = counter.load(Ordering::Relaxed);
                if done != written {
                    let _ = db
                        .execute_raw(Statement::from_sql_and_values(
                            DatabaseBackend::Postgres,
                            "UPDATE imports SET rows_done = $1, updated_at = now() WHERE id = $2",
                            [Value::BigInt(Some(done as i64)), Value::Uuid(Some(id))],
                        ))
                        .await;
                    written = done;
                }
            }
        })
    });
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

/// How long an import may sit in `validating` or `applying` without its row
/// changing before it is taken for interrupted. Generous: on SQLite a running
/// import does not touch its row until it ends.
pub const STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(6);

/// Marks imports whose process stopped mid-way (killed, crashed, restarted) as
/// failed, so the history does not show them running forever. Their changes were
/// never committed. Returns how many were marked.
pub async fn sweep_interrupted(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let now = crate::repo::now();
    let error = serde_json::json!([{
        "message": "interrupted: the process running this import stopped; nothing of it was applied"
    }]);
    let result = entities::imports::Entity::update_many()
        .col_expr(entities::imports::Column::State, Expr::value("failed"))
        .col_expr(entities::imports::Column::Errors, Expr::value(error))
        .col_expr(entities::imports::Column::FinishedAt, Expr::value(now))
        .col_expr(entities::imports::Column::UpdatedAt, Expr::value(now))
        .filter(entities::imports::Column::State.is_in(["validating", "applying"]))
        .filter(entities::imports::Column::UpdatedAt.lt(now - STALE_AFTER))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
