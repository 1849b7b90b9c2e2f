//! `signpost ingest [--source NAME] [--force]`: a run of one source (or of every
//! configured source in turn) from a terminal, with what it does shown as it goes
//! and the run's warnings printed under its summary line.
//! Exit 0 when every run completed, 1 when one failed, 2 for an unknown source.

use super::UsageError;
use crate::config::Config;
use crate::db::{self, DbSettings};
use crate::ingest::run::{self, Trigger};
use clap::Args;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The source to run (a `name` under `[[ingest.sources]]`); default: all.
    #[arg(long)]
    pub source: Option<String>,
    /// Load every stored file again, even those already processed.
    #[arg(long)]
    pub force: bool,
}

pub async fn run(config: &Config, args: IngestArgs) -> anyhow::Result<()> {
    let sources: Vec<_> = match &args.source {
        Some(name) => vec![config.ingest.source(name).cloned().ok_or_else(|| {
            UsageError(format!(
                "--source: no source {name:?} in [[ingest.sources]] (configured: {})",
                names(config)
            ))
        })?],
        None if config.ingest.sources.is_empty() => {
            return Err(UsageError(
                "no [[ingest.sources]] in the config file (SIGNPOST_CONFIG)".into(),
            )
            .into());
        }
        None => config.ingest.sources.clone(),
    };
    let settings = DbSettings::from_config(config);
    let db = db::connect(&settings).await?;
    db::migrate_up(&db, &settings).await?;
    let store = config.open_store(&db).await?;
    let holder = format!("cli:{}:{}", hostname(), std::process::id());
    let mut failed = Vec::new();
    for source in &sources {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        let shown = bar.clone();
        let progress: run::Progress = Arc::new(move |message: &str| {
            shown.println(message);
            shown.set_message(message.to_owned());
        });
        let started = run::create(&db, source, Trigger::Cli, args.force, &holder).await?;
        let run::Finished {
            run: finished,
            warnings,
        } = run::run_with_warnings(&db, &store, source, started, Some(progress)).await?;
        bar.finish_and_clear();
        println!(
            "{}: {} ({} listed, {} fetched, {} loaded, {} failed){}",
            source.name,
            finished.state,
            finished.files_seen,
            finished.files_fetched,
            finished.files_loaded,
            finished.files_failed,
            finished
                .error_message
                .as_deref()
                .map(|error| format!(": {error}"))
                .unwrap_or_default()
        );
        // Warnings leave no trace in the run's row: this is where they are seen.
        for warning in &warnings {
            println!("  warning: {warning}");
        }
        if finished.state != entities::ingest_runs::IngestRunState::Completed
            || finished.files_failed > 0
        {
            failed.push(source.name.clone());
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "ingest of {} did not load every file",
            failed.join(", ")
        ))
    }
}

fn names(config: &Config) -> String {
    let names: Vec<&str> = config
        .ingest
        .sources
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into())
}
