//! Benchmark: `demo-data` load speed on SQLite and PostgreSQL, and server start to
//! ready. Prints its figures; asserts nothing (speed targets live here, not in tests).
//!
//!     cargo bench --bench demo_data                      # SQLite, 100,000 services
//!     BENCH_SCALE=20000 cargo bench --bench demo_data    # smaller
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench demo_data
//!
//! With `BENCH_DATABASE_URL` a scratch database `signpost_bench` is created on that
//! server, loaded and dropped.

// A panic in a test or a benchmark is its failure, not a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sea_orm::{ConnectionTrait, Database};
use signpost::cli::serve::{ServeArgs, prepare};
use signpost::config::Config;
use signpost::db::{self, DbSettings};
use signpost::demo::{self, DemoOptions};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn config_for(url: &str, data_dir: &std::path::Path) -> Config {
    Config {
        database_url: Some(url.to_owned().into()),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.to_path_buf(),
        ..Config::default()
    }
}

async fn load(
    label: &str,
    url: &str,
    scale: usize,
    data_dir: &std::path::Path,
) -> anyhow::Result<()> {
    let settings = DbSettings::from_config(&config_for(url, data_dir));
    let conn = db::connect(&settings).await?;
    db::migrate(&conn, &settings, db::MigrateAction::Fresh).await?;
    let started = Instant::now();
    let report = demo::load(&conn, &DemoOptions::new(scale, 1)).await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "demo-data --scale {scale} into {label}: {:.2} s, {} rows, {:.0} rows/s",
        seconds,
        report.total_rows(),
        report.total_rows() as f64 / seconds
    );
    conn.close().await?;
    Ok(())
}

/// Time from `prepare` (connect, migrate check) to the first 200 from `/health/ready`.
async fn start_to_ready(url: &str, data_dir: &std::path::Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let state = prepare(config_for(url, data_dir), &ServeArgs::default()).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(signpost::http::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    loop {
        let response = client
            .get(format!("http://{address}/health/ready"))
            .send()
            .await;
        if response.map(|r| r.status().is_success()).unwrap_or(false) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    let _ = server.await;
    Ok(elapsed)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    signpost::install_tls_provider();
    let scale: usize = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let sqlite_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    load("SQLite", &sqlite_url, scale, dir.path()).await?;

    let empty_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("empty.db").display()
    );
    let cold = start_to_ready(&empty_url, dir.path()).await?;
    let warm = start_to_ready(&sqlite_url, dir.path()).await?;
    println!(
        "server start to ready on SQLite: {:.1} ms on an empty database (migrations applied), \
         {:.1} ms on the loaded one",
        cold.as_secs_f64() * 1000.0,
        warm.as_secs_f64() * 1000.0
    );

    match std::env::var("BENCH_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let admin = Database::connect(&admin_url).await?;
            admin
                .execute_unprepared("DROP DATABASE IF EXISTS signpost_bench")
                .await?;
            admin
                .execute_unprepared("CREATE DATABASE signpost_bench")
                .await?;
            let mut url = url::Url::parse(&admin_url)?;
            url.set_path("/signpost_bench");
            let result = load("PostgreSQL", url.as_str(), scale, dir.path()).await;
            admin
                .execute_unprepared("DROP DATABASE IF EXISTS signpost_bench WITH (FORCE)")
                .await?;
            result?;
        }
        _ => println!("PostgreSQL: skipped (set BENCH_DATABASE_URL to a server to run it)"),
    }
    Ok(())
}
