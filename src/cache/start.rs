//! Opening the cache at start: which tables exist, which announce their writes,
//! and the task that follows the announcements.

use super::changes::{Source, follow_postgres, follow_sqlite};
use super::{CacheConfig, ResponseCache, TableIndex};
use crate::http::metrics::Metrics;
use crate::jobs::Jobs;
use anyhow::bail;
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::sync::Arc;

/// The cache the config asks for, following changes in the background; `None`
/// when it is off.
pub async fn start(
    db: &DatabaseConnection,
    url: &str,
    config: &CacheConfig,
    jobs: &Jobs,
    metrics: Arc<Metrics>,
) -> anyhow::Result<Option<Arc<ResponseCache>>> {
    if !config.enabled {
        return Ok(None);
    }
    let backend = db.get_database_backend();
    if backend == DbBackend::Sqlite && crate::db::sqlite_path(url).is_none() {
        tracing::warn!(
            "the response cache needs a database file or PostgreSQL to watch for changes: it stays off on an in-memory database"
        );
        return Ok(None);
    }
    let (tables, schema) = tables(db).await?;
    let names: Vec<String> = tables.iter().map(|(name, _)| name.clone()).collect();
    let unknown = config.unknown_types(&names);
    if !unknown.is_empty() {
        bail!(
            "SIGNPOST_CACHE: `types` names tables that do not exist: {}",
            unknown.join(", ")
        );
    }
    let index = Arc::new(TableIndex::new(tables));
    let Some(cache) = ResponseCache::new(config, index.clone()) else {
        return Ok(None);
    };
    let cache = Arc::new(cache);
    let generations = cache.generations().clone();
    let on_change = move |source: Source| metrics.observe_invalidation(source);
    if backend == DbBackend::Postgres {
        // A pool of its own: the listener holds its connection for as long as it runs.
        let options = db.get_postgres_connection_pool().connect_options();
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with((*options).clone());
        jobs.spawn_loop("cache-changes", move |stopping| {
            follow_postgres(pool, schema, index, generations, on_change, stopping)
        });
    } else {
        let url = url.to_owned();
        jobs.spawn_loop("cache-changes", move |stopping| {
            follow_sqlite(url, generations, on_change, stopping)
        });
    }
    tracing::info!(
        ttl_secs = config.ttl_secs,
        max_bytes = config.max_bytes,
        "response cache on"
    );
    Ok(Some(cache))
}

/// Every table of the schema in use, and whether a write to it is announced; and
/// the schema's name.
async fn tables(db: &DatabaseConnection) -> anyhow::Result<(Vec<(String, bool)>, String)> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT c.relname AS name, current_schema() AS schema, EXISTS (SELECT 1 FROM pg_trigger t \
             WHERE t.tgrelid = c.oid AND t.tgname = 'signpost_changes') AS notifies \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1"
        }
        // Any commit to the file changes `data_version`.
        _ => {
            "SELECT name, 'main' AS schema, 1 AS notifies FROM sqlite_master \
             WHERE type IN ('table', 'view') ORDER BY 1"
        }
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut tables = Vec::with_capacity(rows.len());
    let mut schema = String::new();
    for row in rows {
        let name: String = row.try_get("", "name")?;
        schema = row.try_get("", "schema")?;
        let notifies = match backend {
            DbBackend::Postgres => row.try_get::<bool>("", "notifies")?,
            _ => row.try_get::<i64>("", "notifies")? != 0,
        };
        tables.push((name, notifies));
    }
    Ok((tables, schema))
}
