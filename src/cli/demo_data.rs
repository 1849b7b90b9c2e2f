//! `signpost demo-data --scale N [--seed S]`: a synthetic directory for trying
//! Signpost out and for benchmarks.

use crate::config::Config;
use crate::db::{self, DbSettings};
use crate::demo::{self, DemoOptions};
use anyhow::bail;
use clap::Args;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct DemoDataArgs {
    /// How many services to create (providers, venues and the rest scale with it).
    #[arg(long, default_value_t = 1000)]
    pub scale: usize,
    /// Seed of the generator: the same seed gives the same directory.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub async fn run(config: &Config, args: DemoDataArgs) -> anyhow::Result<()> {
    if args.scale == 0 {
        bail!("--scale must be at least 1");
    }
    let settings = DbSettings::from_config(config);
    let db = db::connect(&settings).await?;
    db::migrate_up(&db, &settings).await?;
    if !demo::is_empty(&db).await? {
        bail!(
            "the database already holds providers; demo data goes into an empty directory \
             (`signpost migrate fresh` empties it)"
        );
    }
    let started = Instant::now();
    let mut options = DemoOptions::new(args.scale, args.seed);
    options.progress = true;
    let report = demo::load(&db, &options).await?;
    let seconds = started.elapsed().as_secs_f64();
    for (table, rows) in &report.rows {
        println!("{table:>24}  {rows:>9} rows");
    }
    println!(
        "{:>24}  {:>9} rows in {seconds:.2} s ({:.0} rows/s)",
        "total",
        report.total_rows(),
        report.total_rows() as f64 / seconds
    );
    Ok(())
}
