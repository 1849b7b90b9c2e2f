//! `signpost store migrate [--check] [--from JSON --to JSON]`: moving raw files
//! to another object store.
//!
//! Configure a `migrating` store (`{"type":"migrating","from":{…},"to":{…}}`) and
//! keep serving: new writes reach both sides. `signpost store migrate` copies what
//! `to` lacks (run it again after an interruption: it resumes), and `--check` says
//! how much is migrated and which keys are on one side only. Then configure `to`
//! alone. `--from` and `--to` name any two stores instead (JSON, in either
//! spelling), e.g. to copy a backup.

use crate::config::Config;
use crate::db::{self, DbSettings};
use crate::store::StoreConfig;
use crate::store::migrate::{self, Sample};
use anyhow::Context;
use clap::Args;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Only report the share migrated and the keys on one side only.
    #[arg(long)]
    pub check: bool,
    /// The store to copy from, as JSON (default: the configured migrating store's `from`).
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// The store to copy to, as JSON (default: the configured migrating store's `to`).
    #[arg(long, requires = "from")]
    pub to: Option<String>,
}

fn parse(flag: &str, json: &str) -> anyhow::Result<StoreConfig> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|error| usage(format!("--{flag}: not JSON: {error}")))?;
    StoreConfig::from_json(&value).map_err(|error| usage(format!("--{flag}: {error}")))
}

fn usage(message: String) -> anyhow::Error {
    super::super::UsageError(message).into()
}

/// The two sides: from the flags, else the configured migrating store.
fn sides(config: &Config, args: &MigrateArgs) -> anyhow::Result<(StoreConfig, StoreConfig)> {
    if let (Some(from), Some(to)) = (&args.from, &args.to) {
        return Ok((parse("from", from)?, parse("to", to)?));
    }
    match config.store_config()? {
        StoreConfig::Migrating { from, to } => Ok((*from, *to)),
        _ => Err(usage(
            "`store migrate` needs --from and --to, or SIGNPOST_OBJECTSTORE of type \
             \"migrating\" ({\"type\":\"migrating\",\"from\":{…},\"to\":{…}})"
                .into(),
        )),
    }
}

pub async fn run(config: &Config, args: MigrateArgs) -> anyhow::Result<()> {
    let (from, to) = sides(config, &args)?;
    let db = db::connect(&DbSettings::from_config(config)).await?;
    let default_dir = config.data_dir.join("objects");
    let from = from
        .open(&db, Some(&default_dir))
        .await
        .context("opening `from`")?;
    let to = to
        .open(&db, Some(&default_dir))
        .await
        .context("opening `to`")?;
    if args.check {
        let report = migrate::check(from.as_ref(), to.as_ref()).await?;
        println!(
            "{:.1}% migrated: {} of {} objects are in `to`",
            report.share_migrated() * 100.0,
            report.migrated,
            report.in_from
        );
        for (label, sample) in [
            ("only in `from`", &report.only_in_from),
            ("in both, sizes differ", &report.differing),
            ("only in `to`", &report.only_in_to),
        ] {
            print_sample(label, sample);
        }
        return Ok(());
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let started = std::time::Instant::now();
    let done = migrate::copy_missing(from.as_ref(), to.as_ref(), |done| {
        if done.seen % 100 == 0 {
            bar.set_message(format!(
                "{} objects looked at, {} copied ({:.1} MB)",
                done.seen,
                done.copied,
                done.bytes as f64 / 1e6
            ));
        }
    })
    .await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64().max(1e-3);
    println!(
        "copied {} of {} objects ({:.1} MB) to `to` in {seconds:.1} s ({:.0} objects/s looked at)",
        done.copied,
        done.seen,
        done.bytes as f64 / 1e6,
        done.seen as f64 / seconds
    );
    Ok(())
}

fn print_sample(label: &str, sample: &Sample) {
    println!("{label}: {}", sample.count);
    for key in &sample.first {
        println!("  {key}");
    }
    if sample.count > sample.first.len() as u64 {
        println!("  … and {} more", sample.count - sample.first.len() as u64);
    }
}
