//! Benchmark: a 1,000,000-row, 10-column CSV as a dataset on PostgreSQL through
//! the release server — upload and whole-file preview, then confirm and load,
//! with the server's peak RSS — beside `psql \copy` of the same file into a plain
//! table of the same types (the physical floor); then the dataset's `table-data`
//! walked with HAWK at 5,000-row pages. Prints its figures; asserts nothing.
//!
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench datasets
//!     BENCH_ROWS=100000 ...                     # another size
//!
//! The database `signpost_dataset_bench` (next to the one the URL names) is made
//! afresh each run.

// A panic in a test or a benchmark is its failure, not a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hawk::{Credentials, DigestAlgorithm, Key, PayloadHasher, RequestBuilder};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[path = "common/mod.rs"]
mod common;
use common::{Server, psql};
use std::time::{Duration, Instant};

const JWT_SECRET: &str = "bench-secret-long-enough-for-hs256-signing";
const HAWK_KEY: &str = "bench-hawk-key-0123456789";
const PAGE: u64 = 5000;
const DIR: &str = "/var/tmp/signpost-dataset-bench";

fn write_file(path: &Path, rows: u64) -> anyhow::Result<u64> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "id,name,category,amount,count,open,opened,seen_at,ward,note"
    )?;
    for i in 1..=rows {
        writeln!(
            out,
            "{i},Place {i},{},{}.{:02},{},{},2024-{:02}-{:02},2024-03-01T{:02}:{:02}:00Z,Ward {},\"Notes, for row {i}\"",
            ["food", "housing", "health", "advice"][(i % 4) as usize],
            i % 1000,
            i % 100,
            i % 37,
            if i % 3 == 0 { "yes" } else { "no" },
            i % 12 + 1,
            i % 28 + 1,
            i % 24,
            i % 60,
            i % 50
        )?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// The server's peak and current resident memory (VmHWM, VmRSS), in MB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

async fn start(url: &str) -> anyhow::Result<(Server, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .env("SIGNPOST_DATA_DIR", DIR)
        .args(["serve"])
        .env("SIGNPOST_BIND", format!("127.0.0.1:{port}"))
        .env("SIGNPOST_JWT_SECRET", JWT_SECRET)
        .env("SIGNPOST_REQUEST_TIMEOUT_MS", "600000")
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

fn bearer() -> anyhow::Result<String> {
    let claims =
        json!({ "sub": "bench", "exp": chrono::Utc::now().timestamp() + 7200, "roles": ["admin"] });
    Ok(format!(
        "Bearer {}",
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
        )?
    ))
}

async fn graphql(
    client: &reqwest::Client,
    base: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let answer: Value = client
        .post(format!("{base}/graphql"))
        .header("authorization", bearer()?)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(answer["errors"].is_null(), "GraphQL: {answer}");
    Ok(answer["data"].clone())
}

/// Polls the version until it is in one of `states`; its row.
async fn until(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    states: &[&str],
) -> anyhow::Result<Value> {
    loop {
        let data = graphql(
            client,
            base,
            "query($id: ID!) { datasetVersion(id: $id) { state error rowsDone } }",
            json!({"id": id}),
        )
        .await?;
        let version = &data["datasetVersion"];
        if version["state"]
            .as_str()
            .is_some_and(|s| states.contains(&s))
        {
            return Ok(version.clone());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn upload(client: &reqwest::Client, base: &str, file: &Path) -> anyhow::Result<String> {
    let boundary = "signpost-bench-boundary-0123456789";
    let operations = json!({
        "query": "mutation($file: Upload!) { uploadDatasetVersion(organisation: \"bench\", dataset: \"places\", file: $file) { id } }",
        "variables": {"file": null},
    });
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n"
    )?;
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\": [\"variables.file\"]}}\r\n"
    )?;
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"places.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )?;
    body.extend(std::fs::read(file)?);
    write!(body, "\r\n--{boundary}--\r\n")?;
    let answer: Value = client
        .post(format!("{base}/graphql"))
        .header("authorization", bearer()?)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await?
        .json()
        .await?;
    answer["data"]["uploadDatasetVersion"]["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("upload failed: {answer}"))
}

async fn walk(client: &reqwest::Client, base: &str) -> anyhow::Result<(f64, u64)> {
    #[derive(serde::Deserialize)]
    struct Page {
        results: Vec<serde::de::IgnoredAny>,
        next: Option<String>,
    }
    let credentials = Credentials {
        id: "bench".into(),
        key: Key::new(HAWK_KEY.as_bytes(), DigestAlgorithm::Sha256)?,
    };
    let port = base.rsplit(':').next().unwrap_or_default().parse::<u16>()?;
    let empty = PayloadHasher::hash(b"", DigestAlgorithm::Sha256, b"")?;
    let mut next = Some(format!(
        "{base}/api/v1/table-data/bench/places?orientation=records"
    ));
    let mut rows = 0u64;
    let started = Instant::now();
    while let Some(url) = next {
        let path = url.trim_start_matches(base).to_owned();
        let header = RequestBuilder::new("GET", "127.0.0.1", port, &path)
            .hash(&empty[..])
            .request()
            .make_header(&credentials)?;
        let bytes = client
            .get(&url)
            .header("authorization", format!("Hawk {header}"))
            .send()
            .await?
            .bytes()
            .await?;
        let page: Page = serde_json::from_slice(&bytes).map_err(|error| {
            anyhow::anyhow!(
                "{error}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            )
        })?;
        rows += page.results.len() as u64;
        next = page.next;
    }
    Ok((started.elapsed().as_secs_f64(), rows))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    signpost::install_tls_provider();
    let Ok(admin) = std::env::var("BENCH_DATABASE_URL") else {
        println!("datasets bench: set BENCH_DATABASE_URL (PostgreSQL) to run it");
        return Ok(());
    };
    let rows: u64 = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    std::fs::create_dir_all(DIR)?;
    let file = Path::new(DIR).join("places.csv");
    let bytes = write_file(&file, rows)?;
    println!(
        "file: {rows} rows x 10 columns, {:.1} MB",
        bytes as f64 / 1e6
    );
    let base_url = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let url = format!("{base_url}/signpost_dataset_bench");
    psql(
        &admin,
        "DROP DATABASE IF EXISTS signpost_dataset_bench WITH (FORCE)",
    )?;
    psql(&admin, "CREATE DATABASE signpost_dataset_bench")?;

    psql(
        &url,
        "CREATE TABLE copy_floor (id bigint, name text, category text, amount numeric, count bigint, open boolean, opened date, seen_at timestamptz, ward text, note text)",
    )?;
    let started = Instant::now();
    psql(
        &url,
        &format!(
            "\\copy copy_floor FROM '{}' WITH (FORMAT csv, HEADER true)",
            file.display()
        ),
    )?;
    let copy = started.elapsed().as_secs_f64();
    println!(
        "psql \\copy (typed table)         {copy:6.2} s, {:>9.0} rows/s",
        rows as f64 / copy
    );

    let (server, base) = start(&url).await?;
    let pid = server.0.id();
    let (_, idle_rss) = memory(pid);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(1800))
        .build()?;
    graphql(
        &client,
        &base,
        "mutation { createDataset(organisation: \"bench\", dataset: \"places\") { id } }",
        json!({}),
    )
    .await?;
    let started = Instant::now();
    let id = upload(&client, &base, &file).await?;
    let uploaded = started.elapsed().as_secs_f64();
    let verified = until(&client, &base, &id, &["VERIFIED", "FAILED"]).await?;
    anyhow::ensure!(
        verified["state"] == "VERIFIED",
        "preview failed: {verified}"
    );
    let previewed = started.elapsed().as_secs_f64();
    // The mutations wait a few seconds for the work they start: time from the ask.
    let loading = Instant::now();
    graphql(
        &client,
        &base,
        "mutation($id: ID!) { confirmDatasetVersion(id: $id) { state } }",
        json!({"id": id}),
    )
    .await?;
    let done = until(&client, &base, &id, &["COMPLETED", "FAILED"]).await?;
    anyhow::ensure!(done["state"] == "COMPLETED", "load failed: {done}");
    let load = loading.elapsed().as_secs_f64();
    let total = started.elapsed().as_secs_f64();
    let (peak, _) = memory(pid);
    println!(
        "upload and whole-file preview     {previewed:6.2} s (the mutation answered after {uploaded:.2} s)"
    );
    println!(
        "confirm to completed (load)       {load:6.2} s, {:>9.0} rows/s; ratio to \\copy {:.2}",
        rows as f64 / load,
        copy / load
    );
    println!(
        "upload to completed (total)       {total:6.2} s; ratio to \\copy {:.2}",
        copy / total
    );
    println!("server RSS: idle {idle_rss:.0} MB, peak {peak:.0} MB");
    let (seconds, walked) = walk(&client, &base).await?;
    println!(
        "table-data walk (HAWK, {PAGE}/page) {walked} rows: {seconds:6.2} s, {:>9.0} rows/s",
        walked as f64 / seconds
    );
    Ok(())
}
