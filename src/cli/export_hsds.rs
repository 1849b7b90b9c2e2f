//! `signpost export-hsds FILE.zip`: the directory as an HSDS 3.0 tabular package,
//! the same file as `GET /export/hsds.zip`, written beside FILE and renamed into
//! place when complete (an interrupted export leaves no half-written package).

use crate::config::Config;
use crate::db::{self, DbSettings};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct ExportHsdsArgs {
    /// Where to write the zip.
    pub file: PathBuf,
}

pub async fn run(config: &Config, args: ExportHsdsArgs) -> anyhow::Result<()> {
    let settings = DbSettings::from_config(config);
    let db = db::connect(&settings).await?;
    db::migrate_up(&db, &settings).await?;
    let started = Instant::now();
    let (mut package, report) = crate::export::hsds::write_package(&db)
        .await
        .map_err(anyhow::Error::msg)?;
    let partial = args.file.with_extension("zip.partial");
    let mut out = std::fs::File::create(&partial)
        .map_err(|error| anyhow::anyhow!("{}: {error}", partial.display()))?;
    std::io::copy(&mut package, &mut out)
        .and_then(|_| out.sync_all())
        .map_err(|error| anyhow::anyhow!("{}: {error}", partial.display()))?;
    std::fs::rename(&partial, &args.file)
        .map_err(|error| anyhow::anyhow!("{}: {error}", args.file.display()))?;
    for (file, rows) in &report.files {
        println!("{file:>30}  {rows:>9} rows");
    }
    println!(
        "wrote {} in {:.1} s",
        args.file.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
