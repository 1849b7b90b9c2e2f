//! `signpost import FILE [--type T] [--mode upsert|replace] [--dry-run] [--force]
//! [--strict] [--encoding E]`: the same import as the `importCsv` mutation, from a
//! terminal. Exit 0 when done (or a dry run found nothing wrong), 1 when refused
//! (every error on stderr, one per line, naming row and column), 2 for bad usage.

use super::UsageError;
use crate::config::Config;
use crate::db::{self, DbSettings};
use crate::import::run::{ImportError, submit};
use crate::import::{ImportOptions, Mode, process};
use crate::repo::RecordType;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    Upsert,
    Replace,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file (or a .zip of CSV files).
    pub file: PathBuf,
    /// Record type (e.g. services, organizations); default: from the file name.
    #[arg(long = "type", value_name = "TYPE")]
    pub record_type: Option<String>,
    /// upsert: insert or update by id; replace: also delete records missing from the file.
    #[arg(long, value_enum, default_value = "upsert")]
    pub mode: ModeArg,
    /// Check and preview only; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Let REPLACE delete more than the configured share of records.
    #[arg(long)]
    pub force: bool,
    /// Refuse columns Signpost does not store instead of ignoring them.
    #[arg(long)]
    pub strict: bool,
    /// Publish the providers and services written (HSDS files have no `published`
    /// column): without it they are seen by editors and admins only.
    #[arg(long)]
    pub publish: bool,
    /// The file's encoding (utf-8, windows-1252); default: detected.
    #[arg(long)]
    pub encoding: Option<String>,
}

pub async fn run(config: &Config, args: ImportArgs) -> anyhow::Result<()> {
    let record_type = match &args.record_type {
        Some(text) => Some(
            text.parse::<RecordType>()
                .or_else(|_| {
                    crate::import::spec::record_type_of_file(&format!("{text}.csv")).ok_or(())
                })
                .map_err(|_| UsageError(format!("--type: {text:?} is not a record type")))?,
        ),
        None => None,
    };
    let file_name = args
        .file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = tokio::fs::File::open(&args.file)
        .await
        .map_err(|error| UsageError(format!("{}: {error}", args.file.display())))?;
    let settings = DbSettings::from_config(config);
    let db = db::connect(&settings).await?;
    db::migrate_up(&db, &settings).await?;
    let store = config.open_store(&db).await?;
    let options = ImportOptions {
        record_type,
        mode: match args.mode {
            ModeArg::Upsert => Mode::Upsert,
            ModeArg::Replace => Mode::Replace,
        },
        dry_run: args.dry_run,
        force: args.force,
        strict: args.strict,
        publish: args.publish,
        encoding: args.encoding,
        limits: config.import_limits(),
        ..ImportOptions::default()
    };
    let body = Box::pin(tokio_util::io::ReaderStream::with_capacity(
        file,
        256 * 1024,
    ));
    let usage = |error: ImportError| match error {
        ImportError::Usage(message) => anyhow::Error::new(UsageError(message)),
        other => anyhow::Error::new(other),
    };
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg}: {human_pos} rows ({per_sec}, {elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("storing {file_name}"));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let import = submit(&db, &store, &file_name, body, &options, Some("cli"))
        .await
        .map_err(usage)?;
    let ticker = tokio::spawn(show_progress(bar.clone(), import.id, file_name.clone()));
    let outcome = process(&db, &store, import, &options).await;
    ticker.abort();
    bar.finish_and_clear();
    let outcome = outcome.map_err(usage)?;
    for warning in &outcome.warnings {
        eprintln!("warning: {warning}");
    }
    for error in &outcome.errors {
        eprintln!("{error}");
    }
    for file in &outcome.files {
        println!(
            "{}: {} rows as {}: {} inserted, {} updated, {} unchanged, {} deleted{}",
            file.file,
            file.rows,
            file.record_type,
            file.inserts,
            file.updates.saturating_sub(file.unchanged),
            file.unchanged,
            file.deletes,
            if options.dry_run {
                " (dry run: nothing changed)"
            } else {
                ""
            }
        );
    }
    println!("import {}: {}", outcome.import.id, outcome.import.state);
    if outcome.succeeded() {
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "import refused: {} error(s), nothing changed",
            outcome.errors.len()
        ))
    }
}

/// Shows the rows done of the running import: checked, then applied (the
/// counter starts again at zero when applying begins).
async fn show_progress(bar: indicatif::ProgressBar, id: uuid::Uuid, file_name: String) {
    let mut last = 0;
    bar.set_message(format!("checking {file_name}"));
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let Some(done) = crate::import::progress::rows_done(id) else {
            continue;
        };
        if done < last {
            bar.set_message(format!("applying {file_name}"));
            bar.reset();
        }
        bar.set_position(done);
        last = done;
    }
}
