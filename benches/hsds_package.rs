//! Benchmark: an HSDS 3.0 package of 100,000 services with their phones, opening
//! hours, addresses, contacts and costs (Signpost's demo directory, exported with
//! `signpost export-hsds`) imported with `signpost import --publish` into a fresh
//! SQLite file and, with `BENCH_DATABASE_URL`, a scratch PostgreSQL database. Prints
//! the rows per file, the export's time and each import's time, rows/s and peak RSS;
//! asserts nothing.
//!
//!     cargo bench --bench hsds_package
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench hsds_package
//!     BENCH_SCALE=10000 cargo bench --bench hsds_package

// A panic in a test or a benchmark is its failure, not a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;

fn main() -> anyhow::Result<()> {
    let scale: usize = match std::env::var("BENCH_SCALE") {
        Ok(scale) => scale.parse()?,
        Err(_) => 100_000,
    };
    let dir = tempfile::tempdir()?;
    let path = dir.path();
    let source = format!("sqlite://{}/source.db?mode=rwc", path.display());
    let demo = common::signpost(path, &source, &["demo-data", "--scale", &scale.to_string()])?;
    println!("demo-data --scale {scale}: {:.1} s", demo.seconds);
    let export = common::signpost(path, &source, &["export-hsds", "package.zip"])?;
    let megabytes = std::fs::metadata(path.join("package.zip"))?.len() as f64 / 1e6;
    print!("{}", export.stdout);
    let rows: u64 = export
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum();
    println!(
        "export-hsds: {rows} rows in {:.1} s ({:.0} rows/s), {megabytes:.0} MB zipped, peak RSS {}",
        export.seconds,
        rows as f64 / export.seconds,
        export.rss()
    );
    let target = format!("sqlite://{}/target.db?mode=rwc", path.display());
    let import = |url: &str| common::signpost(path, url, &["import", "package.zip", "--publish"]);
    let run = import(&target)?;
    println!(
        "SQLite     import --publish: {:.1} s, {:.0} rows/s, peak RSS {}",
        run.seconds,
        rows as f64 / run.seconds,
        run.rss()
    );
    if let Ok(admin) = std::env::var("BENCH_DATABASE_URL") {
        common::with_scratch_database(&admin, "signpost_hsds_bench", |url| {
            let run = import(url)?;
            println!(
                "PostgreSQL import --publish: {:.1} s, {:.0} rows/s, peak RSS {}",
                run.seconds,
                rows as f64 / run.seconds,
                run.rss()
            );
            Ok(())
        })?;
    }
    Ok(())
}
