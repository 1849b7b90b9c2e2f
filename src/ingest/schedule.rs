//! Scheduled runs: each source with a `schedule` runs at every occurrence of its
//! cron pattern (UTC). Every replica keeps the same timetable; the first to take
//! the occurrence's lease (`schedule:<source>`, held for half the gap to the
//! next occurrence) runs it, so one replica runs each occurrence and none keeps
//! state the others need.

use super::config::{IngestConfig, SourceConfig};
use super::lease::Lease;
use super::run::{self, Trigger};
use crate::store::Store;
use chrono::{DateTime, Utc};
use croner::Cron;
use sea_orm::DatabaseConnection;
use std::str::FromStr;
use std::sync::Arc;

/// Parses every source's schedule: a bad pattern stops start-up, naming it.
pub fn check(config: &IngestConfig) -> anyhow::Result<()> {
    for source in &config.sources {
        if let Some(pattern) = &source.schedule {
            Cron::from_str(pattern).map_err(|error| {
                anyhow::anyhow!(
                    "[[ingest.sources]] {}: schedule {pattern:?} is not a cron pattern: {error}",
                    source.name
                )
            })?;
        }
    }
    Ok(())
}

/// Starts a timetable task per scheduled source.
pub fn spawn(
    jobs: &crate::jobs::Jobs,
    db: DatabaseConnection,
    store: Store,
    config: Arc<IngestConfig>,
    replica: String,
) {
    for source in config.sources.iter().filter(|s| s.schedule.is_some()) {
        let Some(cron) = source
            .schedule
            .as_deref()
            .and_then(|pattern| Cron::from_str(pattern).ok())
        else {
            continue;
        };
        let (db, store, source, replica) =
            (db.clone(), store.clone(), source.clone(), replica.clone());
        jobs.spawn_loop("ingest-schedule", |stopping| {
            timetable(db, store, source, cron, replica, stopping)
        });
    }
}

fn next_after(cron: &Cron, time: DateTime<Utc>) -> Option<DateTime<Utc>> {
    cron.find_next_occurrence(&time, false).ok()
}

async fn timetable(
    db: DatabaseConnection,
    store: Store,
    source: SourceConfig,
    cron: Cron,
    replica: String,
    stopping: tokio_util::sync::CancellationToken,
) {
    loop {
        let Some(at) = next_after(&cron, Utc::now()) else {
            tracing::warn!(source = %source.name, "schedule has no next occurrence");
            return;
        };
        let wait = (at - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = stopping.cancelled() => return,
        }
        let gap = next_after(&cron, at)
            .and_then(|next| (next - at).to_std().ok())
            .unwrap_or(std::time::Duration::from_secs(120));
        let hold = (gap / 2).clamp(
            std::time::Duration::from_secs(1),
            std::time::Duration::from_secs(3600),
        );
        let slot = format!("schedule:{}", source.name);
        match Lease::acquire(&db, &slot, &replica, hold).await {
            Ok(Some(_)) => {
                let started =
                    match run::create(&db, &source, Trigger::Schedule, false, &replica).await {
                        Ok(started) => started,
                        Err(error) => {
                            tracing::error!(%error, source = %source.name, "scheduled ingest");
                            continue;
                        }
                    };
                if let Err(error) = run::run(&db, &store, &source, started, None).await {
                    tracing::error!(%error, source = %source.name, "scheduled ingest");
                }
            }
            Ok(None) => {
                tracing::debug!(source = %source.name, "another replica runs this occurrence");
            }
            Err(error) => tracing::error!(%error, source = %source.name, "scheduled ingest"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_and_six_field_patterns_parse() {
        assert!(Cron::from_str("0 3 * * *").is_ok());
        assert!(Cron::from_str("* * * * * *").is_ok(), "seconds");
        assert!(Cron::from_str("61 * * * *").is_err());
    }
}
