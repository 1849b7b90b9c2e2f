//! The demo directory: realistic synthetic data for a first look and for benchmarks.
//!
//! Everything is written through the repo layer's batched insert, in one
//! transaction, so a failed load leaves nothing behind. Services are generated in
//! batches with their providers, venues and the rest, so memory stays flat however
//! large `--scale` is. The same seed always gives the same directory.

mod catalogue;
mod generate;
mod places;
mod records;

use crate::repo::{self, Record};
use generate::{Batch, Generator};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};

/// Services generated (and written) per batch.
const BATCH_SERVICES: usize = 2_000;

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Number of services; the other records scale with it.
    pub scale: usize,
    pub seed: u64,
    /// Show a progress bar on the terminal.
    pub progress: bool,
}

impl DemoOptions {
    pub fn new(scale: usize, seed: u64) -> Self {
        Self {
            scale,
            seed,
            progress: false,
        }
    }
}

/// Rows written per table.
#[derive(Debug, Default)]
pub struct DemoReport {
    pub rows: Vec<(&'static str, u64)>,
}

impl DemoReport {
    fn add(&mut self, table: &'static str, rows: u64) {
        match self.rows.iter_mut().find(|(name, _)| *name == table) {
            Some((_, count)) => *count += rows,
            None => self.rows.push((table, rows)),
        }
    }

    pub fn total_rows(&self) -> u64 {
        self.rows.iter().map(|(_, rows)| rows).sum()
    }
}

/// True when the directory has no providers (so nothing else either).
pub async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(repo::providers::Entity::find().count(db).await? == 0)
}

/// Generates and writes the demo directory in one transaction.
pub async fn load(db: &DatabaseConnection, options: &DemoOptions) -> anyhow::Result<DemoReport> {
    let options = options.clone();
    let report = repo::in_transaction(db, move |txn| {
        Box::pin(async move { load_in(txn, &options).await })
    })
    .await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        // Move the load out of the write-ahead log into the database file: readers
        // look every page up in the WAL first, and a WAL the size of the database
        // made every read about five times slower (page 1 of 50 services at
        // 100,000: 189 req/s instead of 1,100) until something checkpointed it.
        // Best effort: another connection reading now only delays it.
        if let Err(error) = db
            .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
        {
            tracing::debug!(error = %error, "WAL checkpoint after the demo load did not run");
        }
    }
    Ok(report)
}

async fn load_in(db: &impl ConnectionTrait, options: &DemoOptions) -> anyhow::Result<DemoReport> {
    let progress = progress_bar(options);
    let mut generator = Generator::new(options.seed);
    let mut report = DemoReport::default();
    let shared = generator.shared();
    insert::<repo::taxonomies::Entity>(db, shared.taxonomies, &mut report).await?;
    insert::<repo::taxonomy_terms::Entity>(db, shared.top_terms, &mut report).await?;
    insert::<repo::taxonomy_terms::Entity>(db, shared.child_terms, &mut report).await?;
    insert::<repo::eligibilities::Entity>(db, shared.eligibilities, &mut report).await?;

    let mut remaining = options.scale;
    while remaining > 0 {
        let size = remaining.min(BATCH_SERVICES);
        let batch = generator.batch(size);
        write_batch(db, batch, &mut report).await?;
        remaining -= size;
        progress.inc(size as u64);
    }
    progress.finish_and_clear();
    // Fresh statistics: right after a bulk load PostgreSQL still believes the tables
    // are nearly empty and plans a first page as a sort of every row (89 ms instead
    // of 0.7 ms at 100,000 services) until autovacuum gets round to them.
    // SQLite is left without statistics: with the ones ANALYZE gathers, the bundled
    // SQLite planned the first page of services slower (8 ms instead of 2.6 ms end
    // to end at 100,000 services).
    // Only the directory's tables: a bare ANALYZE walks every schema of the database,
    // and would take locks on tables this load has nothing to do with.
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let tables: Vec<&str> = repo::RecordType::ALL
            .iter()
            .map(|kind| kind.name())
            .collect();
        db.execute_unprepared(&format!("ANALYZE {}", tables.join(", ")))
            .await?;
    }
    Ok(report)
}

async fn write_batch(
    db: &impl ConnectionTrait,
    batch: Batch,
    report: &mut DemoReport,
) -> anyhow::Result<()> {
    insert::<repo::providers::Entity>(db, batch.providers, report).await?;
    insert::<repo::services::Entity>(db, batch.services, report).await?;
    insert::<repo::venues::Entity>(db, batch.venues, report).await?;
    insert::<repo::service_venues::Entity>(db, batch.service_venues, report).await?;
    insert::<repo::contacts::Entity>(db, batch.contacts, report).await?;
    insert::<repo::cost_options::Entity>(db, batch.cost_options, report).await?;
    insert::<repo::service_eligibilities::Entity>(db, batch.service_eligibilities, report).await?;
    insert::<repo::events::Entity>(db, batch.events, report).await?;
    insert::<repo::taxonomy_refs::Entity>(db, batch.taxonomy_refs, report).await?;
    insert::<repo::addresses::Entity>(db, batch.addresses, report).await?;
    insert::<repo::phones::Entity>(db, batch.phones, report).await?;
    insert::<repo::schedules::Entity>(db, batch.schedules, report).await?;
    if !batch.postcodes.is_empty() {
        let rows = batch.postcodes.len() as u64;
        entities::postcodes::Entity::insert_many(batch.postcodes)
            .exec_without_returning(db)
            .await?;
        report.add("postcodes", rows);
    }
    Ok(())
}

async fn insert<E: Record>(
    db: &impl ConnectionTrait,
    rows: Vec<E::ActiveModel>,
    report: &mut DemoReport,
) -> anyhow::Result<()> {
    let written = repo::insert_many::<E>(db, rows).await?;
    report.add(E::TABLE, written);
    Ok(())
}

fn progress_bar(options: &DemoOptions) -> ProgressBar {
    if !options.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(options.scale as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} services ({per_sec}, {eta})")
    {
        bar.set_style(style);
    }
    bar
}
