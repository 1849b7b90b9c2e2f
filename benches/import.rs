//! Benchmark: importing `services.csv` of 100,000 and 1,000,000 rows with
//! `signpost import` (the release binary, as an operator runs it) into SQLite and
//! PostgreSQL: rows/s and peak RSS, beside `psql \copy` of the same rows into a
//! plain table (the physical floor) with the ratio. Prints its figures; asserts
//! nothing.
//!
//!     cargo bench --bench import                                   # SQLite
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench import
//!     BENCH_ROWS=100000 cargo bench --bench import                 # one size only
//!
//! Peak RSS is read from `/usr/bin/time -v` when it is installed.

// A panic in a test or a benchmark is its failure, not a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const PROVIDER: &str = "0190a000-0000-7000-8000-000000000001";

fn write_files(dir: &Path, rows: usize) -> std::io::Result<()> {
    std::fs::write(
        dir.join("providers.csv"),
        format!("id,name,published\n{PROVIDER},Bench provider,true\n"),
    )?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("services.csv"))?);
    writeln!(
        out,
        "id,provider_id,name,description,email,url,status,minimum_age,maximum_age,published"
    )?;
    for i in 0..rows {
        writeln!(
            out,
            "0190b000-0000-7000-8000-{i:012},{PROVIDER},Service {i},\"Help with things, number {i}, for anyone who asks\",help{i}@example.org,https://example.org/s/{i},active,{},{},true",
            i % 18,
            18 + i % 60
        )?;
    }
    out.flush()
}

#[path = "common/mod.rs"]
mod common;

/// (seconds, peak RSS in MB if known) of `signpost import FILE`.
fn import(dir: &Path, url: &str, file: &str) -> anyhow::Result<(f64, Option<f64>)> {
    let run = common::signpost(dir, url, &["import", file])?;
    Ok((run.seconds, run.rss_mb))
}

/// Seconds of `psql \copy` of the same file into a plain table, and of
/// `INSERT … SELECT` of those rows into an empty copy of `services` with its
/// indexes and generated search column (what this schema costs any loader).
fn copy_floor(admin_url: &str, dir: &Path) -> anyhow::Result<(f64, f64)> {
    let psql = |sql: &str| -> anyhow::Result<()> {
        let output = Command::new("psql")
            .args([admin_url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .current_dir(dir)
            .output()?;
        anyhow::ensure!(
            output.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    };
    psql(
        "DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (id uuid, provider_id uuid, name text, description text, email text, url text, status text, minimum_age int, maximum_age int, published boolean)",
    )?;
    let started = Instant::now();
    psql("\\copy bench_copy FROM 'services.csv' WITH (FORMAT csv, HEADER true)")?;
    let seconds = started.elapsed().as_secs_f64();
    psql(
        "DROP TABLE IF EXISTS bench_upkeep; CREATE TABLE bench_upkeep (LIKE services INCLUDING ALL)",
    )?;
    let started = Instant::now();
    psql(
        "INSERT INTO bench_upkeep (id, provider_id, name, description, email, url, status, minimum_age, maximum_age, published, created_at, updated_at, version) \
         SELECT id, provider_id, name, description, email, url, status, minimum_age, maximum_age, published, now(), now(), 1 FROM bench_copy",
    )?;
    let upkeep = started.elapsed().as_secs_f64();
    psql("DROP TABLE bench_copy; DROP TABLE bench_upkeep")?;
    Ok((seconds, upkeep))
}

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = match std::env::var("BENCH_ROWS") {
        Ok(rows) => vec![rows.parse()?],
        Err(_) => vec![100_000, 1_000_000],
    };
    let postgres = std::env::var("BENCH_DATABASE_URL").ok();
    for rows in sizes {
        let dir = tempfile::tempdir()?;
        write_files(dir.path(), rows)?;
        let megabytes = std::fs::metadata(dir.path().join("services.csv"))?.len() as f64 / 1e6;
        let sqlite = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
        import(dir.path(), &sqlite, "providers.csv")?;
        let (seconds, rss) = import(dir.path(), &sqlite, "services.csv")?;
        println!(
            "SQLite     services.csv {rows:>9} rows ({megabytes:.0} MB): {seconds:6.2} s, {:>8.0} rows/s, peak RSS {}",
            rows as f64 / seconds,
            rss.map_or("?".into(), |mb| format!("{mb:.0} MB"))
        );
        if let Some(admin) = &postgres {
            common::with_scratch_database(admin, "signpost_import_bench", |url| {
                import(dir.path(), url, "providers.csv")?;
                let (seconds, rss) = import(dir.path(), url, "services.csv")?;
                let (floor, upkeep) = copy_floor(url, dir.path())?;
                println!(
                    "PostgreSQL services.csv {rows:>9} rows ({megabytes:.0} MB): {seconds:6.2} s, {:>8.0} rows/s, peak RSS {}; psql \\copy {floor:.2} s, {:.0} rows/s; ratio {:.2}",
                    rows as f64 / seconds,
                    rss.map_or("?".into(), |mb| format!("{mb:.0} MB")),
                    rows as f64 / floor,
                    floor / seconds
                );
                println!(
                    "           INSERT…SELECT into an indexed copy of services (the schema's upkeep): {upkeep:.2} s, {:.0} rows/s; ratio {:.2}",
                    rows as f64 / upkeep,
                    upkeep / seconds
                );
                Ok(())
            })?;
        }
    }
    Ok(())
}
