//! Benchmark: exporting 1,000,000 services from PostgreSQL — through the export
//! query at 5,000-row pages, through the `table-data` compatibility route
//! (HAWK-signed, 5,000-row pages) and through the NDJSON download — each beside
//! `COPY (SELECT …) TO STDOUT` of the same rows (the physical floor) with the
//! ratio, and the latency of the first and the last page. Prints its figures;
//! asserts nothing.
//!
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench export
//!     BENCH_ROWS=100000 ...                     # another size
//!
//! The rows are loaded once into the database `signpost_export_bench` (created
//! next to the one the URL names) and kept for the next run. The server is the
//! release binary, started as a child process.

// A panic in a test or a benchmark is its failure, not a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hawk::{Credentials, DigestAlgorithm, Key, PayloadHasher, RequestBuilder};
use serde_json::{Value, json};
use std::process::{Command, Stdio};

#[path = "common/mod.rs"]
mod common;
use common::{Server, psql};
use std::time::Instant;

const JWT_SECRET: &str = "bench-secret-long-enough-for-hs256-signing";
const HAWK_KEY: &str = "bench-hawk-key-0123456789";
const PAGE: u64 = 5000;
const COLUMNS: &str = "id, provider_id, name, alternate_name, description, url, email, status, fees_description, application_process, wait_time, minimum_age, maximum_age, assured_date, published, flagged, created_at, updated_at, version, deleted_at";

// The client reads what a pipeline needs to page on and skips over the rows
// without building them, so the figures are the server's.
#[derive(serde::Deserialize)]
struct QueryBody {
    data: Option<QueryData>,
}

#[derive(serde::Deserialize)]
struct QueryData {
    export: QueryPage,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryPage {
    rows: Vec<serde::de::IgnoredAny>,
    end_cursor: Option<String>,
    has_next_page: bool,
}

#[derive(serde::Deserialize)]
struct TablePage {
    results: Vec<serde::de::IgnoredAny>,
    next: Option<String>,
}

fn signpost(url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signpost"));
    command
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env("SIGNPOST_DATA_DIR", "/var/tmp/signpost-bench");
    command
}

fn ensure_loaded(admin: &str, url: &str, rows: u64) -> anyhow::Result<()> {
    let name = url.rsplit('/').next().unwrap_or_default();
    if psql(
        admin,
        &format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
    )?
    .is_empty()
    {
        psql(admin, &format!("CREATE DATABASE {name}"))?;
    }
    let status = signpost(url).args(["migrate", "up"]).status()?;
    anyhow::ensure!(status.success(), "migrate up failed");
    let count: u64 = psql(url, "SELECT COUNT(*) FROM services")?.parse()?;
    if count != rows {
        println!("loading {rows} services (found {count})...");
        psql(url, "TRUNCATE providers CASCADE")?;
        psql(
            url,
            "INSERT INTO providers (id, name, published, flagged, created_at, updated_at, version) \
             VALUES ('0190a000-0000-7000-8000-000000000001', 'Bench provider', true, false, now(), now(), 1)",
        )?;
        psql(
            url,
            &format!(
                "INSERT INTO services (id, provider_id, name, description, email, url, status, minimum_age, maximum_age, published, flagged, created_at, updated_at, version) \
                 SELECT ('0190b000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, '0190a000-0000-7000-8000-000000000001', \
                 'Service ' || i, 'Help with things, number ' || i || ', for anyone who asks', 'help' || i || '@example.org', \
                 'https://example.org/s/' || i, 'active', i % 18, 18 + i % 60, true, false, \
                 now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval, 1 \
                 FROM generate_series(0, {}) AS i",
                rows - 1
            ),
        )?;
        psql(url, "VACUUM ANALYZE services")?;
    }
    Ok(())
}

async fn start(url: &str) -> anyhow::Result<(Server, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = signpost(url)
        .args(["serve", "--no-migrate"])
        .env("SIGNPOST_BIND", format!("127.0.0.1:{port}"))
        .env("SIGNPOST_JWT_SECRET", JWT_SECRET)
        .env("SIGNPOST_EXPORT_TABLE_PAGE_SIZE", PAGE.to_string())
        .env(
            "SIGNPOST_HAWK_CLIENTS",
            json!({"bench": {"key": HAWK_KEY, "scopes": ["table-data"]}}).to_string(),
        )
        .stdout(Stdio::null())
        .spawn()?;
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    common::ready(&base).await?;
    Ok((server, base))
}

fn token() -> anyhow::Result<String> {
    let claims = json!({ "sub": "bench", "exp": chrono::Utc::now().timestamp() + 3600, "roles": ["exporter"] });
    Ok(jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )?)
}

/// (seconds, rows, first page seconds, last page seconds).
struct Run {
    seconds: f64,
    rows: u64,
    first: f64,
    last: f64,
}

async fn export_query(client: &reqwest::Client, base: &str, bearer: &str) -> anyhow::Result<Run> {
    let query = "query($after: String) { export(recordType: SERVICES, first: 5000, after: $after) { rows endCursor hasNextPage } }";
    let (mut after, mut rows, mut pages) = (Value::Null, 0u64, Vec::new());
    let started = Instant::now();
    loop {
        let page_started = Instant::now();
        let bytes = client
            .post(format!("{base}/graphql"))
            .header("authorization", bearer)
            .json(&json!({ "query": query, "variables": { "after": after } }))
            .send()
            .await?
            .bytes()
            .await?;
        let body: QueryBody = serde_json::from_slice(&bytes)?;
        pages.push(page_started.elapsed().as_secs_f64());
        let Some(QueryData { export: page }) = body.data else {
            anyhow::bail!("export failed: {}", String::from_utf8_lossy(&bytes));
        };
        rows += page.rows.len() as u64;
        if !page.has_next_page {
            break;
        }
        after = json!(page.end_cursor);
    }
    Ok(Run {
        seconds: started.elapsed().as_secs_f64(),
        rows,
        first: pages.first().copied().unwrap_or_default(),
        last: pages.last().copied().unwrap_or_default(),
    })
}

async fn table_data(client: &reqwest::Client, base: &str) -> anyhow::Result<Run> {
    let credentials = Credentials {
        id: "bench".into(),
        key: Key::new(HAWK_KEY.as_bytes(), DigestAlgorithm::Sha256)?,
    };
    let port = base.rsplit(':').next().unwrap_or_default().parse::<u16>()?;
    let empty = PayloadHasher::hash(b"", DigestAlgorithm::Sha256, b"")?;
    let mut next = Some(format!(
        "{base}/api/v1/table-data/directory/services?orientation=records"
    ));
    let (mut rows, mut pages) = (0u64, Vec::new());
    let started = Instant::now();
    while let Some(url) = next {
        let path = url.trim_start_matches(base).to_owned();
        let header = RequestBuilder::new("GET", "127.0.0.1", port, &path)
            .hash(&empty[..])
            .request()
            .make_header(&credentials)?;
        let page_started = Instant::now();
        let bytes = client
            .get(&url)
            .header("authorization", format!("Hawk {header}"))
            .send()
            .await?
            .bytes()
            .await?;
        let body: TablePage = serde_json::from_slice(&bytes)?;
        pages.push(page_started.elapsed().as_secs_f64());
        rows += body.results.len() as u64;
        next = body.next;
    }
    Ok(Run {
        seconds: started.elapsed().as_secs_f64(),
        rows,
        first: pages.first().copied().unwrap_or_default(),
        last: pages.last().copied().unwrap_or_default(),
    })
}

async fn ndjson(client: &reqwest::Client, base: &str, bearer: &str) -> anyhow::Result<(f64, u64)> {
    let started = Instant::now();
    let mut response = client
        .get(format!("{base}/export/services.ndjson"))
        .header("authorization", bearer)
        .send()
        .await?;
    let mut lines = 0u64;
    while let Some(chunk) = response.chunk().await? {
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    Ok((started.elapsed().as_secs_f64(), lines))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    signpost::install_tls_provider();
    let Ok(admin) = std::env::var("BENCH_DATABASE_URL") else {
        println!("export bench: set BENCH_DATABASE_URL (PostgreSQL) to run it");
        return Ok(());
    };
    let rows: u64 = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let base_url = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base_url}/signpost_export_bench");
    ensure_loaded(&admin, &url, rows)?;
    let copy_started = Instant::now();
    let output = Command::new("psql")
        .args([
            url.as_str(),
            "-qAt",
            "-c",
            &format!("COPY (SELECT {COLUMNS} FROM services WHERE deleted_at IS NULL ORDER BY id) TO STDOUT"),
        ])
        .stdout(Stdio::null())
        .status()?;
    anyhow::ensure!(output.success(), "COPY failed");
    let copy = copy_started.elapsed().as_secs_f64();
    let copy_rate = rows as f64 / copy;
    println!("COPY (SELECT …) TO STDOUT  {rows} rows: {copy:6.2} s, {copy_rate:>9.0} rows/s");

    let (_server, base) = start(&url).await?;
    let client = reqwest::Client::builder().no_gzip().build()?;
    let bearer = format!("Bearer {}", token()?);
    let (seconds, lines) = ndjson(&client, &base, &bearer).await?;
    println!(
        "NDJSON download            {lines} rows: {seconds:6.2} s, {:>9.0} rows/s; ratio {:.2}",
        lines as f64 / seconds,
        copy / seconds
    );
    let run = export_query(&client, &base, &bearer).await?;
    println!(
        "export query, 5,000/page   {} rows: {:6.2} s, {:>9.0} rows/s; ratio {:.2}; first page {:.0} ms, last {:.0} ms ({:.2}x)",
        run.rows,
        run.seconds,
        run.rows as f64 / run.seconds,
        copy / run.seconds,
        run.first * 1000.0,
        run.last * 1000.0,
        run.last / run.first
    );
    let run = table_data(&client, &base).await?;
    println!(
        "table-data (HAWK), 5,000/p {} rows: {:6.2} s, {:>9.0} rows/s; ratio {:.2}; first page {:.0} ms, last {:.0} ms ({:.2}x)",
        run.rows,
        run.seconds,
        run.rows as f64 / run.seconds,
        copy / run.seconds,
        run.first * 1000.0,
        run.last * 1000.0,
        run.last / run.first
    );
    Ok(())
}
