//! Benchmark: ingesting a 1,000,000-row ONS-style postcode CSV into PostgreSQL
//! with `signpost ingest` (the release binary, as an operator runs it, the file
//! served over HTTP by a local server): rows/s and peak RSS, beside `psql \copy`
//! of the same file into a plain table (the physical floor) and `INSERT … SELECT`
//! of those rows into an empty copy of `postcodes` (the schema's floor), with the
//! ratios.
//! Prints its figures; asserts nothing.
//!
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench ingest
//!     BENCH_ROWS=100000 ...     # another size
//!
//! Peak RSS is read from `/usr/bin/time -v` when it is installed.

// A panic in a test or a benchmark is its failure, not a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn write_file(dir: &Path, rows: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("onspd.csv"))?);
    writeln!(out, "pcd,pcd2,pcds,dointr,doterm,oscty,lat,long,ctry")?;
    for i in 0..rows {
        let (area, district, sector, unit) =
            (i / 100_000, (i / 1000) % 100, (i / 100) % 10, i % 100);
        let terminated = if i % 17 == 0 { "202001" } else { "" };
        let (lat, long) = if i % 101 == 0 {
            ("99.999999".to_owned(), "0.000000".to_owned())
        } else {
            (
                format!("5{}.{:06}", i % 5, i % 999_983),
                format!("-{}.{:06}", i % 3, i % 999_979),
            )
        };
        writeln!(
            out,
            "Z{area}{district:02} {sector}{u1}{u2},Z{area}{district:02} {sector}{u1}{u2},Z{area}{district:02} {sector}{u1}{u2},199801,{terminated},E10000023,{lat},{long},E92000001",
            u1 = (b'A' + (unit / 26) as u8) as char,
            u2 = (b'A' + (unit % 26) as u8) as char,
        )?;
    }
    out.flush()
}

fn psql(url: &str, dir: &Path, sql: &str) -> anyhow::Result<()> {
    let output = Command::new("psql")
        .args([url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .current_dir(dir)
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let Ok(admin) = std::env::var("BENCH_DATABASE_URL") else {
        println!("ingest bench: set BENCH_DATABASE_URL (PostgreSQL) to run it");
        return Ok(());
    };
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    write_file(dir.path(), rows)?;
    let megabytes = std::fs::metadata(dir.path().join("onspd.csv"))?.len() as f64 / 1e6;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    std::thread::sleep(std::time::Duration::from_millis(500));
    std::fs::write(
        dir.path().join("signpost.toml"),
        format!(
            "[[ingest.sources]]\nname = \"onspd\"\nlist = {{ kind = \"urls\", urls = [\"http://127.0.0.1:{port}/onspd.csv\"] }}\nloader = {{ kind = \"postcodes\" }}\n"
        ),
    )?;
    let database = format!("signpost_ingest_bench_{}", std::process::id());
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    let url = format!("{base}/{database}");
    psql(&admin, dir.path(), &format!("CREATE DATABASE {database}"))?;
    let result = (|| -> anyhow::Result<()> {
        let binary = env!("CARGO_BIN_EXE_signpost");
        let timed = Path::new("/usr/bin/time").exists();
        let mut command = if timed {
            let mut command = Command::new("/usr/bin/time");
            command.args(["-v", binary]);
            command
        } else {
            Command::new(binary)
        };
        command
            .args(["ingest", "--source", "onspd"])
            .current_dir(dir.path())
            .env("DATABASE_URL", &url)
            .env("SIGNPOST_CONFIG", dir.path().join("signpost.toml"))
            .env("SIGNPOST_DATA_DIR", dir.path())
            .env_remove("SIGNPOST_OBJECTSTORE")
            .env("RUST_LOG", "warn");
        let started = Instant::now();
        let output = command.output()?;
        let seconds = started.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&output.stderr);
        anyhow::ensure!(
            output.status.success(),
            "ingest failed: {}{stderr}",
            String::from_utf8_lossy(&output.stdout)
        );
        let rss = stderr
            .lines()
            .find_map(|line| {
                line.trim()
                    .strip_prefix("Maximum resident set size (kbytes): ")
            })
            .and_then(|kb| kb.trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0);
        psql(
            &url,
            dir.path(),
            "CREATE TABLE bench_copy (pcd text, pcd2 text, pcds text, dointr text, doterm text, oscty text, lat float8, long float8, ctry text)",
        )?;
        let copy_started = Instant::now();
        psql(
            &url,
            dir.path(),
            "\\copy bench_copy FROM 'onspd.csv' WITH (FORMAT csv, HEADER true)",
        )?;
        let floor = copy_started.elapsed().as_secs_f64();
        // The schema's own floor: the same rows, normalised, written by one
        // statement into an empty copy of `postcodes` (its key and checks).
        psql(
            &url,
            dir.path(),
            "CREATE TABLE bench_postcodes (LIKE postcodes INCLUDING ALL)",
        )?;
        let upkeep_started = Instant::now();
        psql(
            &url,
            dir.path(),
            "INSERT INTO bench_postcodes (postcode, latitude, longitude, terminated, source_file, updated_at) \
             SELECT DISTINCT ON (p) p, NULLIF(lat, 99.999999), CASE WHEN lat = 99.999999 THEN NULL ELSE long END, \
             doterm IS NOT NULL, 'onspd.csv', now() \
             FROM (SELECT upper(replace(pcds, ' ', '')) AS p, lat, long, doterm FROM bench_copy) rows ORDER BY p \
             ON CONFLICT (postcode) DO NOTHING",
        )?;
        let upkeep = upkeep_started.elapsed().as_secs_f64();
        println!(
            "signpost ingest onspd.csv {rows} rows ({megabytes:.0} MB, fetched over HTTP, stored, loaded): {seconds:6.2} s, {:>8.0} rows/s, peak RSS {}; psql \\copy {floor:.2} s, {:.0} rows/s; ratio {:.2}",
            rows as f64 / seconds,
            rss.map_or("?".into(), |mb| format!("{mb:.0} MB")),
            rows as f64 / floor,
            floor / seconds
        );
        println!(
            "           INSERT…SELECT into an empty copy of postcodes (the schema's upkeep): {upkeep:.2} s, {:.0} rows/s; ratio {:.2}",
            rows as f64 / upkeep,
            upkeep / seconds
        );
        Ok(())
    })();
    let _ = server.kill();
    let _ = psql(
        &admin,
        dir.path(),
        &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
    );
    result
}
