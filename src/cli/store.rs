//! `signpost store migrate [--check]`: moving raw files to another object store.
//!
//! Configure a `migrating` store (`{"type":"migrating","from":{…},"to":{…}}`) and
//! keep serving: new writes reach both sides. `signpost store migrate` copies what
//! `to` lacks (run it again after an interruption: it resumes), and `--check` says
//! how much is migrated and which keys are on one side only. Then configure `to`
//! alone.

use crate::config::Config;
use crate::db::{self, DbSettings};
use crate::store::{StoreConfig, migrate};
use anyhow::bail;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct StoreArgs {
    #[command(subcommand)]
    pub command: StoreCommand,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy what the migrating store's `to` side lacks.
    Migrate {
        /// Only report the share migrated and the keys on one side only.
        #[arg(long)]
        check: bool,
    },
}

/// Keys of one side printed at most.
const SHOWN: usize = 20;

pub async fn run(config: &Config, args: StoreArgs) -> anyhow::Result<()> {
    let StoreCommand::Migrate { check } = args.command;
    let StoreConfig::Migrating { from, to } = config.store_config()? else {
        bail!(
            "SIGNPOST_OBJECTSTORE: `store migrate` needs a store of type \"migrating\" \
             ({{\"type\":\"migrating\",\"from\":{{…}},\"to\":{{…}}}})"
        );
    };
    let settings = DbSettings::from_config(config);
    let db = db::connect(&settings).await?;
    let default_dir = config.data_dir.join("objects");
    let from = from.open(&db, Some(&default_dir)).await?;
    let to = to.open(&db, Some(&default_dir)).await?;
    if check {
        let report = migrate::check(from.as_ref(), to.as_ref()).await?;
        println!(
            "{:.1}% migrated: {} of {} objects are in `to`",
            report.share_migrated() * 100.0,
            report.migrated,
            report.in_from
        );
        for (label, keys) in [
            ("only in `from`", &report.only_in_from),
            ("in both, sizes differ", &report.differing),
            ("only in `to`", &report.only_in_to),
        ] {
            println!("{label}: {}", keys.len());
            for key in keys.iter().take(SHOWN) {
                println!("  {key}");
            }
            if keys.len() > SHOWN {
                println!("  … and {} more", keys.len() - SHOWN);
            }
        }
        return Ok(());
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} objects, {msg} ({elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let (copied, bytes) =
        migrate::copy_missing(from.as_ref(), to.as_ref(), |done, total, bytes| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(format!("{:.1} MB", bytes as f64 / 1e6));
        })
        .await?;
    bar.finish_and_clear();
    println!(
        "copied {copied} objects ({:.1} MB) to `to`",
        bytes as f64 / 1e6
    );
    Ok(())
}
