//! Knowing that data changed, on every replica, soon after it was committed.
//!
//! Each table has a generation, and there is one epoch over all of them. A cached
//! response remembers the generations of the tables it read *as they were before
//! it ran*; it is served only while they are unchanged. Taking them before the
//! statements run is what makes a race harmless: a write committed while the
//! response was being computed bumps a generation after that snapshot, so the
//! possibly old answer is never served.
//!
//! What bumps them:
//! - PostgreSQL: a statement trigger on each directory table (migration
//!   `m20261203_000010_change_notifications`) sends `NOTIFY signpost_changes,
//!   '<schema>.<table>'`, which PostgreSQL delivers to every listening replica only
//!   when the writing transaction commits — whatever wrote it: a mutation, an
//!   import, an ingest run, `psql`. A lost listener connection may have missed some,
//!   so reconnecting bumps the epoch.
//! - SQLite: one process serves a file, but the CLI may write it too, so a
//!   connection of the cache's own watches `PRAGMA data_version`, which changes
//!   when any other connection commits, and bumps the epoch.
//! - Both: a mutation bumps the epoch when it ends, so the caller's next read on
//!   the same replica sees its own write without waiting for the notification.
//!
//! Until the watcher is in place nothing is cached (a write before it would be
//! missed), and the TTL bounds what a missed notification could cost.

use super::reads::TableIndex;
use sea_orm::sqlx::postgres::{PgListener, PgPool};
use sea_orm::sqlx::sqlite::SqliteConnection;
use sea_orm::sqlx::{Connection, Row};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The channel the notification triggers send on.
pub const CHANNEL: &str = "signpost_changes";

/// How often SQLite's `data_version` is read.
const SQLITE_POLL: Duration = Duration::from_millis(100);

/// The generations of every table, and the epoch over them.
#[derive(Debug)]
pub struct Generations {
    epoch: AtomicU64,
    tables: Vec<AtomicU64>,
    watching: AtomicBool,
}

/// The generations a response was computed under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    epoch: u64,
    tables: Vec<u64>,
    /// Whether changes were watched when it was taken: a change before the watch
    /// began would never bump what it saw.
    pub watching: bool,
}

/// The part of a [`Snapshot`] a response depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    epoch: u64,
    tables: Vec<(u16, u64)>,
}

impl Generations {
    pub fn new(tables: usize) -> Self {
        Self {
            epoch: AtomicU64::new(0),
            tables: (0..tables).map(|_| AtomicU64::new(0)).collect(),
            watching: AtomicBool::new(false),
        }
    }

    /// Whether changes are being watched, so that what is cached now will be
    /// invalidated when it should.
    pub fn watching(&self) -> bool {
        self.watching.load(Ordering::Acquire)
    }

    pub fn set_watching(&self, watching: bool) {
        self.watching.store(watching, Ordering::Release);
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            watching: self.watching(),
            epoch: self.epoch.load(Ordering::Acquire),
            tables: self
                .tables
                .iter()
                .map(|generation| generation.load(Ordering::Acquire))
                .collect(),
        }
    }

    /// Everything cached so far is stale.
    pub fn bump_all(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    /// What was cached from `table` is stale.
    pub fn bump(&self, table: u16) {
        match self.tables.get(usize::from(table)) {
            Some(generation) => {
                generation.fetch_add(1, Ordering::AcqRel);
            }
            None => self.bump_all(),
        }
    }

    /// Whether nothing `stamp` depends on has changed since it was taken.
    pub fn current(&self, stamp: &Stamp) -> bool {
        stamp.epoch == self.epoch.load(Ordering::Acquire)
            && stamp.tables.iter().all(|(table, seen)| {
                self.tables
                    .get(usize::from(*table))
                    .is_some_and(|generation| generation.load(Ordering::Acquire) == *seen)
            })
    }
}

impl Snapshot {
    /// The stamp of a response that read `tables`.
    pub fn stamp(&self, tables: &[u16]) -> Stamp {
        Stamp {
            epoch: self.epoch,
            tables: tables
                .iter()
                .map(|table| {
                    let seen = self.tables.get(usize::from(*table)).copied();
                    (*table, seen.unwrap_or(u64::MAX))
                })
                .collect(),
        }
    }
}

/// Why the generations moved, for the metrics.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    /// A PostgreSQL notification named a table.
    Notification,
    /// The notification connection was (re)opened: some may have been missed.
    Reconnect,
    /// SQLite's `data_version` changed.
    DataVersion,
    /// A mutation ended on this replica.
    Mutation,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notification => "notification",
            Self::Reconnect => "reconnect",
            Self::DataVersion => "data_version",
            Self::Mutation => "mutation",
        }
    }
}

/// Follows PostgreSQL's notifications for the tables of `schema` until `stopping`.
pub async fn follow_postgres(
    pool: PgPool,
    schema: String,
    index: Arc<TableIndex>,
    generations: Arc<Generations>,
    on_change: impl Fn(Source),
    stopping: CancellationToken,
) {
    let prefix = format!("{schema}.");
    let mut delay = Duration::from_millis(200);
    while !stopping.is_cancelled() {
        let mut listener = match open_listener(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                generations.set_watching(false);
                tracing::warn!(error = %error, "cannot listen for changes: the response cache holds nothing until it can");
                tokio::select! {
                    () = stopping.cancelled() => return,
                    () = tokio::time::sleep(delay) => {}
                }
                delay = (delay * 2).min(Duration::from_secs(10));
                continue;
            }
        };
        delay = Duration::from_millis(200);
        // Whatever was cached before this connection listened may have missed a change.
        generations.bump_all();
        on_change(Source::Reconnect);
        generations.set_watching(true);
        loop {
            let received = tokio::select! {
                () = stopping.cancelled() => return,
                received = listener.try_recv() => received,
            };
            match received {
                Ok(Some(notification)) => {
                    let Some(table) = notification.payload().strip_prefix(&prefix) else {
                        continue; // another schema's tables
                    };
                    match index.number(table) {
                        Some(number) => generations.bump(number),
                        None => generations.bump_all(),
                    }
                    on_change(Source::Notification);
                }
                // The connection was lost: notifications sent meanwhile are gone.
                Ok(None) | Err(_) => {
                    generations.set_watching(false);
                    generations.bump_all();
                    on_change(Source::Reconnect);
                    break;
                }
            }
        }
    }
}

async fn open_listener(pool: &PgPool) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Watches a SQLite file's `data_version` until `stopping`.
pub async fn follow_sqlite(
    url: String,
    generations: Arc<Generations>,
    on_change: impl Fn(Source),
    stopping: CancellationToken,
) {
    let mut seen: Option<i64> = None;
    let mut connection: Option<SqliteConnection> = None;
    loop {
        tokio::select! {
            () = stopping.cancelled() => return,
            () = tokio::time::sleep(if seen.is_some() { SQLITE_POLL } else { Duration::ZERO }) => {}
        }
        if connection.is_none() {
            match SqliteConnection::connect(&url).await {
                Ok(opened) => connection = Some(opened),
                Err(error) => {
                    tracing::warn!(error = %error, "cannot watch the database for changes");
                    generations.set_watching(false);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        let Some(open) = connection.as_mut() else {
            continue;
        };
        let version = match sea_orm::sqlx::query("PRAGMA data_version")
            .fetch_one(&mut *open)
            .await
            .and_then(|row| row.try_get::<i64, _>(0))
        {
            Ok(version) => version,
            Err(error) => {
                tracing::warn!(error = %error, "lost the connection watching the database");
                generations.set_watching(false);
                connection = None;
                seen = None;
                continue;
            }
        };
        if seen != Some(version) {
            generations.bump_all();
            on_change(Source::DataVersion);
            seen = Some(version);
        }
        generations.set_watching(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_current_until_a_table_it_read_or_the_epoch_moves() {
        let generations = Generations::new(3);
        let stamp = generations.snapshot().stamp(&[0, 2]);
        assert!(generations.current(&stamp));
        generations.bump(1);
        assert!(generations.current(&stamp), "a table it did not read");
        generations.bump(2);
        assert!(!generations.current(&stamp));
        let stamp = generations.snapshot().stamp(&[0]);
        generations.bump_all();
        assert!(!generations.current(&stamp));
    }

    #[test]
    fn a_snapshot_taken_before_a_change_is_never_current_after_it() {
        let generations = Generations::new(1);
        let before = generations.snapshot();
        generations.bump(0); // committed while the response was being computed
        assert!(!generations.current(&before.stamp(&[0])));
    }
}
