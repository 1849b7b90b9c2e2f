//! Opening the database and applying migrations.
//!
//! Start-up must survive a database that comes up after Signpost (containers start
//! in any order), so [`connect`] retries with backoff for a configured time. Several
//! replicas may start at once against one database, so [`migrate_up`] holds a lock
//! while it migrates: a PostgreSQL advisory lock on a connection of its own (closed
//! afterwards, so a pooled connection can never keep it), or an OS file lock beside
//! a SQLite file. The `locks` table cannot serve here: it does not exist before the
//! first migration.

use crate::config::{Config, DatabaseKind};
use anyhow::{Context, bail};
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigrationStatus;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Pool settings taken from [`Config`].
#[derive(Clone, Debug)]
pub struct DbSettings {
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout: Duration,
    /// PostgreSQL `statement_timeout` for every connection of the pool. Only the
    /// server sets one (`serving`): migrations, demo loads and imports may run long.
    pub statement_timeout: Option<Duration>,
    /// How long a caller waits for a pooled connection. Short for the server, so a
    /// database outage is answered 503 at once instead of at the request timeout.
    pub acquire_timeout: Duration,
}

impl DbSettings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            url: config.database_url().to_owned(),
            max_connections: config.db_max_connections,
            connect_timeout: Duration::from_secs(config.db_connect_timeout_secs),
            statement_timeout: None,
            acquire_timeout: Duration::from_secs(10),
        }
    }

    /// The settings for the server's pool: with the configured statement timeout.
    pub fn serving(config: &Config) -> Self {
        Self {
            statement_timeout: (config.db_statement_timeout_ms > 0)
                .then(|| Duration::from_millis(config.db_statement_timeout_ms)),
            acquire_timeout: Duration::from_millis(config.db_acquire_timeout_ms),
            ..Self::from_config(config)
        }
    }

    fn kind(&self) -> DatabaseKind {
        DatabaseKind::of(&self.url).unwrap_or(DatabaseKind::Sqlite)
    }
}

/// Opens a pool, retrying with exponential backoff until `connect_timeout` has passed.
pub async fn connect(settings: &DbSettings) -> anyhow::Result<DatabaseConnection> {
    if settings.kind() == DatabaseKind::Sqlite {
        create_sqlite_parent_dir(&settings.url)?;
    }
    let deadline = Instant::now() + settings.connect_timeout;
    let mut delay = Duration::from_millis(100);
    loop {
        match Database::connect(connect_options(settings)).await {
            Ok(mut db) => {
                db.set_metric_callback(|info| crate::cache::reads::observe(&info.statement.sql));
                return Ok(db);
            }
            Err(error) if Instant::now() + delay < deadline => {
                tracing::warn!(error = %error, retry_in_ms = delay.as_millis() as u64, "database not reachable yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(error) => {
                return Err(anyhow::Error::new(error).context(format!(
                    "database unreachable after {} s (DATABASE_URL, SIGNPOST_DB_CONNECT_TIMEOUT_SECS)",
                    settings.connect_timeout.as_secs()
                )));
            }
        }
    }
}

fn connect_options(settings: &DbSettings) -> ConnectOptions {
    let mut options = ConnectOptions::new(settings.url.clone());
    let statement_timeout = settings.statement_timeout;
    let in_memory = settings.url.contains(":memory:") || settings.url.contains("mode=memory");
    options
        // Each in-memory SQLite connection is a database of its own.
        .max_connections(if in_memory {
            1
        } else {
            settings.max_connections
        })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(settings.acquire_timeout)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            // WAL lets readers run beside the single writer; NORMAL sync is safe with WAL.
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        })
        .map_sqlx_postgres_opts(move |opts| {
            // `signpost` in pg_stat_activity, unless the URL names the replica
            // (`?application_name=signpost-eu-1`).
            let opts = if opts.get_application_name().is_some() {
                opts
            } else {
                opts.application_name("signpost")
            };
            match statement_timeout {
                Some(timeout) => {
                    opts.options([("statement_timeout", timeout.as_millis().to_string())])
                }
                None => opts,
            }
        });
    options
}

/// The file behind a SQLite URL, if it names one.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let path = rest.trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" || url.contains("mode=memory") {
        None
    } else {
        Some(PathBuf::from(path))
    }
}

fn create_sqlite_parent_dir(url: &str) -> anyhow::Result<()> {
    if let Some(parent) = sqlite_path(url).and_then(|p| p.parent().map(PathBuf::from))
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(&parent)
            .with_context(|| format!("Failed to create database directory {}", parent.display()))?;
    }
    Ok(())
}

/// Held while migrating; released on drop (file lock) or by [`MigrationLock::release`].
pub enum MigrationLock {
    Postgres(DatabaseConnection),
    SqliteFile(std::fs::File),
    None,
}

/// Advisory-lock key: per database and schema, so parallel test schemas don't queue.
const PG_LOCK_KEY: &str =
    "hashtext(current_database() || '.' || current_schema() || '.signpost-migrations')";

impl MigrationLock {
    pub async fn acquire(settings: &DbSettings) -> anyhow::Result<Self> {
        match settings.kind() {
            DatabaseKind::Postgres => {
                let single = DbSettings {
                    max_connections: 1,
                    ..settings.clone()
                };
                let conn = connect(&single).await?;
                conn.execute_unprepared(&format!("SELECT pg_advisory_lock({PG_LOCK_KEY})"))
                    .await
                    .context("Failed to take the migration lock")?;
                Ok(Self::Postgres(conn))
            }
            DatabaseKind::Sqlite => {
                let Some(path) = sqlite_path(&settings.url) else {
                    return Ok(Self::None);
                };
                let lock_path = path.with_extension("migrate-lock");
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&lock_path)
                    .with_context(|| format!("Failed to open {}", lock_path.display()))?;
                let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
                    .await?
                    .context("Failed to take the migration file lock")?;
                Ok(Self::SqliteFile(file))
            }
        }
    }

    pub async fn release(self) -> anyhow::Result<()> {
        if let Self::Postgres(conn) = self {
            conn.execute_unprepared(&format!("SELECT pg_advisory_unlock({PG_LOCK_KEY})"))
                .await?;
            conn.close().await?;
        }
        Ok(())
    }
}

/// What to do to the schema.
#[derive(Clone, Copy, Debug)]
pub enum MigrateAction {
    /// Apply pending migrations (all, or this many).
    Up(Option<u32>),
    /// Roll back applied migrations (all, or this many).
    Down(Option<u32>),
    /// Roll back everything, then apply everything: an empty, current schema.
    Fresh,
}

/// Runs `action` while holding the migration lock.
pub async fn migrate(
    db: &DatabaseConnection,
    settings: &DbSettings,
    action: MigrateAction,
) -> anyhow::Result<()> {
    let lock = MigrationLock::acquire(settings).await?;
    let result = run_migration(db, action).await;
    lock.release().await?;
    result.context("Migration failed")
}

async fn run_migration(db: &DatabaseConnection, action: MigrateAction) -> Result<(), DbErr> {
    match action {
        MigrateAction::Up(steps) => Migrator::up(db, steps).await,
        MigrateAction::Down(steps) => Migrator::down(db, steps).await,
        MigrateAction::Fresh => {
            Migrator::down(db, None).await?;
            Migrator::up(db, None).await
        }
    }
}

/// Applies every pending migration under the lock.
pub async fn migrate_up(db: &DatabaseConnection, settings: &DbSettings) -> anyhow::Result<()> {
    migrate(db, settings, MigrateAction::Up(None)).await
}

/// Each migration's name and whether it is applied.
pub async fn migration_status(db: &DatabaseConnection) -> anyhow::Result<Vec<(String, bool)>> {
    let migrations = Migrator::get_migration_with_status(db).await?;
    Ok(migrations
        .iter()
        .map(|m| {
            let applied = m.status() == MigrationStatus::Applied;
            (m.name().to_owned(), applied)
        })
        .collect())
}

/// Fails unless the schema is current (used by `serve --no-migrate`).
pub async fn require_current_schema(db: &DatabaseConnection) -> anyhow::Result<()> {
    let pending: Vec<String> = migration_status(db)
        .await?
        .into_iter()
        .filter(|(_, applied)| !applied)
        .map(|(name, _)| name)
        .collect();
    if !pending.is_empty() {
        bail!(
            "the database schema is behind: pending migrations {}; run `signpost migrate up`",
            pending.join(", ")
        );
    }
    Ok(())
}

/// A cheap round trip, for readiness checks.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// Whether `error` means the database cannot be reached (no connection could be
/// had, or the one in use broke), rather than a problem with the statement.
pub fn is_unavailable(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(inner)) | DbErr::Exec(RuntimeErr::SqlxError(inner)) => {
            matches!(
                inner.as_ref(),
                Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed
            )
        }
        _ => false,
    }
}

/// The SQLSTATE code of a database's own error, if the error is one.
pub fn sqlstate(error: &DbErr) -> Option<String> {
    use sea_orm::RuntimeErr;
    match error {
        DbErr::Query(RuntimeErr::SqlxError(inner)) | DbErr::Exec(RuntimeErr::SqlxError(inner)) => {
            inner
                .as_database_error()
                .and_then(|db_error| db_error.code())
                .map(|code| code.into_owned())
        }
        _ => None,
    }
}
