//! Benchmark: the GraphQL read API under load. Prints req/s, p50 and p99 per query
//! and the server's RSS; asserts nothing.
//!
//!     cargo bench --bench read_api                       # SQLite, 100,000 services
//!     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/signpost_bench cargo bench --bench read_api
//!     BENCH_SCALE=20000 BENCH_SECONDS=5 cargo bench --bench read_api
//!     BENCH_HSDS_ONLY=1 cargo bench --bench read_api    # the HSDS REST cases and (b) only
//!
//! The server is the release binary, started as a child process (so its RSS is its
//! own) on a database loaded once with `demo-data --scale N` and kept for the next
//! run (SQLite under /var/tmp/signpost-bench, PostgreSQL in the database named by
//! the URL, which must exist). Each query is driven by 16 concurrent connections
//! for a fixed time (`BENCH_SECONDS`, default 10). Request logs are off (RUST_LOG=warn).

// A panic in a test or a benchmark is its failure, not a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 16;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|line| line.starts_with("VmRSS:"))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    }
}

fn signpost(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signpost"));
    command
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .env("SIGNPOST_DATA_DIR", "/var/tmp/signpost-bench")
        .env("SIGNPOST_DB_MAX_CONNECTIONS", CONCURRENCY.to_string());
    command
}

async fn ensure_loaded(database_url: &str, scale: usize) -> anyhow::Result<DatabaseConnection> {
    let status = signpost(database_url).args(["migrate", "up"]).status()?;
    anyhow::ensure!(status.success(), "migrate up failed");
    let db = Database::connect(database_url).await?;
    let count = |db: &DatabaseConnection| {
        let db = db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    "SELECT COUNT(*) AS n FROM services",
                ))
                .await?;
            Ok::<i64, anyhow::Error>(
                row.map(|r| r.try_get::<i64>("", "n"))
                    .transpose()?
                    .unwrap_or(0),
            )
        }
    };
    let existing = count(&db).await?;
    if existing != scale as i64 {
        println!("loading demo-data --scale {scale} (found {existing} services)...");
        let status = signpost(database_url).args(["migrate", "fresh"]).status()?;
        anyhow::ensure!(status.success(), "migrate fresh failed");
        let status = signpost(database_url)
            .args(["demo-data", "--scale", &scale.to_string()])
            .stdout(Stdio::null())
            .status()?;
        anyhow::ensure!(status.success(), "demo-data failed");
    }
    Ok(db)
}

async fn start(database_url: &str) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = signpost(database_url)
        .args(["serve", "--no-migrate"])
        .env("SIGNPOST_BIND", format!("127.0.0.1:{port}"))
        .env("SIGNPOST_JWT_SECRET", BENCH_JWT_SECRET)
        .env(
            "SIGNPOST_HAWK_CLIENTS",
            json!({"bench": {"key": BENCH_HAWK_KEY, "scopes": ["table-data"]}}).to_string(),
        )
        .spawn()?;
    let server = Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(response) = client
            .get(format!("{}/health/ready", server.url))
            .send()
            .await
            && response.status().is_success()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("server did not become ready")
}

struct Figures {
    requests: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Runs `work` from 16 tasks for `seconds`, timing each call.
async fn drive<F, Fut>(seconds: u64, work: F) -> anyhow::Result<Figures>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let work = Arc::new(work);
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let work = work.clone();
        let latencies = latencies.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while Instant::now() < deadline {
                let begun = Instant::now();
                work().await?;
                mine.push(begun.elapsed());
            }
            latencies
                .lock()
                .map_err(|_| anyhow::anyhow!("poisoned"))?
                .extend(mine);
            Ok::<(), anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = latencies
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    all.sort();
    let at = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    };
    Ok(Figures {
        requests: all.len(),
        per_second: all.len() as f64 / elapsed,
        p50_ms: at(0.50),
        p99_ms: at(0.99),
    })
}

/// How the load generator signs its requests.
#[derive(Clone)]
enum Credential {
    None,
    /// A bearer token (HS256, no role: the same visibility as anonymous).
    Bearer(String),
    /// HAWK, each request signed afresh (a scope that gives no GraphQL role).
    Hawk(Arc<hawk::Credentials>, String, u16),
}

const BENCH_JWT_SECRET: &str = "bench-jwt-secret-0123456789abcdef";
const BENCH_HAWK_KEY: &str = "bench-hawk-key-0123456789abcdef";

async fn post(
    client: &reqwest::Client,
    url: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    post_as(client, url, query, variables, &Credential::None).await
}

async fn post_as(
    client: &reqwest::Client,
    url: &str,
    query: &str,
    variables: Value,
    credential: &Credential,
) -> anyhow::Result<Value> {
    let body = serde_json::to_vec(&json!({ "query": query, "variables": variables }))?;
    let mut request = client
        .post(format!("{url}/graphql"))
        .header("content-type", "application/json");
    match credential {
        Credential::None => {}
        Credential::Bearer(token) => {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        Credential::Hawk(credentials, host, port) => {
            let hash = hawk::PayloadHasher::hash(
                b"application/json",
                hawk::DigestAlgorithm::Sha256,
                &body,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let header = hawk::RequestBuilder::new("POST", host, *port, "/graphql")
                .hash(&hash[..])
                .request()
                .make_header(credentials)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            request = request.header("authorization", format!("Hawk {header}"));
        }
    }
    let response = request.body(body).send().await?;
    anyhow::ensure!(
        response.status().is_success(),
        "status {}",
        response.status()
    );
    let body: Value = response.json().await?;
    if body.get("errors").is_some() {
        anyhow::bail!("GraphQL errors: {body}");
    }
    Ok(body)
}

async fn graphql_case(
    label: &str,
    server: &Server,
    seconds: u64,
    query: &'static str,
    variables: Value,
) -> anyhow::Result<()> {
    graphql_case_as(label, server, seconds, query, variables, Credential::None).await
}

async fn graphql_case_as(
    label: &str,
    server: &Server,
    seconds: u64,
    query: &'static str,
    variables: Value,
    credential: Credential,
) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let url = server.url.clone();
    let sample = post_as(&client, &url, query, variables.clone(), &credential).await?;
    let rows = sample["data"]["services"]["nodes"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    let figures = drive(seconds, move || {
        let (client, url, variables) = (client.clone(), url.clone(), variables.clone());
        let credential = credential.clone();
        async move {
            post_as(&client, &url, query, variables, &credential)
                .await
                .map(|_| ())
        }
    })
    .await?;
    println!(
        "{label:<44} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ({} requests, {rows} rows/page, server RSS {:.0} MB)",
        figures.per_second,
        figures.p50_ms,
        figures.p99_ms,
        figures.requests,
        server.rss_mb()
    );
    Ok(())
}

const SEARCH: &str = "query($q: String!, $order: [ServiceOrder!]) { services(first: 20, filter: {search: $q}, orderBy: $order) { nodes { id name provider { name } } } }";
const WIDE_PAGE: &str = "query($after: String) { services(first: 50, after: $after) { pageInfo { endCursor } nodes { id name provider { name } venues { nodes { name postalCode } } taxonomyTerms { nodes { name } } costOptions { nodes { option amount } } } } }";
const NEAR: &str = "query($postcode: String!) { services(first: 20, filter: {near: {postcode: $postcode, radiusKm: 5}}) { nodes { id name distanceKm } } }";
const PAGE: &str = "query($after: String) { services(first: 50, after: $after) { pageInfo { endCursor } nodes { id name } } }";
/// About what `/hsds/services/{id}` nests, asked of GraphQL.
const ONE_SERVICE: &str = "query($id: ID!) { service(id: $id) { id name description url email status minimumAge maximumAge \
    provider { id name description phones { nodes { number } } } program { name } \
    serviceAtLocations { nodes { id location { id name latitude longitude addresses { nodes { address1 city postalCode } } \
      accessibilityFeatures { nodes { description } } phones { nodes { number } } schedules { nodes { byday opensAt closesAt } } } \
      phones { nodes { number } } schedules { nodes { byday opensAt closesAt } } } } \
    contacts { nodes { name email phones { nodes { number } } } } phones { nodes { number } } \
    schedules { nodes { byday opensAt closesAt } } languages { nodes { name code } } serviceAreas { nodes { name } } \
    funding { nodes { source } } costOptions { nodes { option amount } } requiredDocuments { nodes { document } } \
    taxonomyRefs { nodes { term { id name } } } } }";

/// `GET {server}{path}` from 16 connections for `seconds`; prints the figures
/// and the body's size.
async fn http_case(label: &str, server: &Server, seconds: u64, path: String) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", server.url);
    let sample = client.get(&url).send().await?;
    anyhow::ensure!(sample.status().is_success(), "{url}: {}", sample.status());
    let bytes = sample.bytes().await?.len();
    let figures = drive(seconds, move || {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let response = client.get(&url).send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "status {}",
                response.status()
            );
            response.bytes().await?;
            Ok(())
        }
    })
    .await?;
    println!(
        "{label:<44} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ({} requests, {bytes} bytes, server RSS {:.0} MB)",
        figures.per_second,
        figures.p50_ms,
        figures.p99_ms,
        figures.requests,
        server.rss_mb()
    );
    Ok(())
}

/// The HSDS REST API beside GraphQL: a page of 50, one whole service, and a
/// walk of every page of `/services`.
async fn hsds_cases(db: &DatabaseConnection, server: &Server, seconds: u64) -> anyhow::Result<()> {
    graphql_case(
        "(b) GraphQL first 50 + provider, venues, …",
        server,
        seconds,
        WIDE_PAGE,
        json!({}),
    )
    .await?;
    http_case(
        "(h) HSDS /services?per_page=50",
        server,
        seconds,
        "/hsds/services?per_page=50".into(),
    )
    .await?;
    // The visible service with the most venues linked, to nest the most.
    let id = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT s.id AS id FROM services s JOIN service_venues sv ON sv.service_id = s.id \
             WHERE s.visible = TRUE GROUP BY s.id ORDER BY COUNT(*) DESC, s.id LIMIT 1",
        ))
        .await?
        .map(|row| row.try_get::<uuid::Uuid>("", "id"))
        .transpose()?
        .ok_or_else(|| anyhow::anyhow!("no visible service with a venue"))?;
    graphql_case(
        "(h) GraphQL one service, nested",
        server,
        seconds,
        ONE_SERVICE,
        json!({ "id": id }),
    )
    .await?;
    http_case(
        "(h) HSDS /services/{id}",
        server,
        seconds,
        format!("/hsds/services/{id}"),
    )
    .await?;
    let client = reqwest::Client::new();
    for per_page in [1000u64, 50] {
        let started = Instant::now();
        let (mut page, mut seen) = (1u64, 0usize);
        loop {
            let body: Value = client
                .get(format!(
                    "{}/hsds/services?page={page}&per_page={per_page}",
                    server.url
                ))
                .send()
                .await?
                .json()
                .await?;
            seen += body["contents"].as_array().map(Vec::len).unwrap_or(0);
            if body["last_page"] != json!(false) {
                break;
            }
            page += 1;
        }
        println!(
            "{:<44} {:>8.2} s  ({page} pages, {seen} services, one connection)",
            format!("(h) HSDS walk of /services, per_page={per_page}"),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

async fn run(label: &str, database_url: &str, scale: usize, seconds: u64) -> anyhow::Result<()> {
    println!("\n== {label}: {scale} services, {CONCURRENCY} connections, {seconds} s per query");
    let db = ensure_loaded(database_url, scale).await?;
    let server = start(database_url).await?;
    println!("server RSS idle: {:.0} MB", server.rss_mb());
    if std::env::var("BENCH_HSDS_ONLY").is_ok() {
        return hsds_cases(&db, &server, seconds).await;
    }
    let client = reqwest::Client::new();

    // A common word and a real postcode of the demo data.
    graphql_case(
        "(a) search \"advice\" first 20 + provider",
        &server,
        seconds,
        SEARCH,
        json!({"q": "advice"}),
    )
    .await?;
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "bench", "exp": chrono::Utc::now().timestamp() + 3600}),
        &jsonwebtoken::EncodingKey::from_secret(BENCH_JWT_SECRET.as_bytes()),
    )?;
    graphql_case_as(
        "(a) with a JWT (HS256)",
        &server,
        seconds,
        SEARCH,
        json!({"q": "advice"}),
        Credential::Bearer(token),
    )
    .await?;
    let port = server
        .url
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or(80);
    let credentials = hawk::Credentials {
        id: "bench".into(),
        key: hawk::Key::new(BENCH_HAWK_KEY.as_bytes(), hawk::DigestAlgorithm::Sha256)
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    graphql_case_as(
        "(a) with HAWK (signed, nonce stored)",
        &server,
        seconds,
        SEARCH,
        json!({"q": "advice"}),
        Credential::Hawk(Arc::new(credentials), "127.0.0.1".into(), port),
    )
    .await?;
    graphql_case(
        "(a') the same, orderBy RELEVANCE",
        &server,
        seconds,
        SEARCH,
        json!({"q": "advice", "order": ["RELEVANCE"]}),
    )
    .await?;
    graphql_case(
        "(b) first 50 + provider, venues, terms, costs",
        &server,
        seconds,
        WIDE_PAGE,
        json!({}),
    )
    .await?;
    let postcode = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT v.postal_code AS p FROM venues v WHERE v.postal_code IS NOT NULL ORDER BY v.id LIMIT 1",
        ))
        .await?
        .map(|row| row.try_get::<String>("", "p"))
        .transpose()?
        .unwrap_or_default();
    graphql_case(
        &format!("(c) near {postcode} 5 km, first 20"),
        &server,
        seconds,
        NEAR,
        json!({"postcode": postcode}),
    )
    .await?;

    // (d): walk to page 2,000 by cursor, then drive that page and the first.
    let mut after = Value::Null;
    let pages = 1999.min(scale / 50 - 1);
    for _ in 0..pages {
        let body = post(&client, &server.url, PAGE, json!({"after": after})).await?;
        after = body["data"]["services"]["pageInfo"]["endCursor"].clone();
    }
    graphql_case(
        "(d) first page of first 50",
        &server,
        seconds,
        PAGE,
        json!({"after": null}),
    )
    .await?;
    graphql_case(
        &format!("(d) page {} of first 50 (by cursor)", pages + 1),
        &server,
        seconds,
        PAGE,
        json!({"after": after}),
    )
    .await?;

    // (b) without GraphQL: the statements the server ran for one page, replayed.
    let statements = statements_of_wide_page(database_url).await?;
    let shared = Arc::new(db.clone());
    let replay = statements.clone();
    let figures = drive(seconds, move || {
        let (db, statements) = (shared.clone(), replay.clone());
        async move {
            for statement in statements.iter() {
                db.query_all_raw(statement.clone()).await?;
            }
            Ok(())
        }
    })
    .await?;
    println!(
        "{:<44} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ({} statements per page)",
        "(b) same SQL statements, no GraphQL",
        figures.per_second,
        figures.p50_ms,
        figures.p99_ms,
        statements.len()
    );
    hsds_cases(&db, &server, seconds).await?;
    println!("server RSS after load: {:.0} MB", server.rss_mb());
    Ok(())
}

/// The SQL statements one (b) page costs, captured in process.
async fn statements_of_wide_page(database_url: &str) -> anyhow::Result<Vec<Statement>> {
    let mut db = Database::connect(database_url).await?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    db.set_metric_callback(move |info| {
        if let Ok(mut seen) = sink.lock() {
            seen.push(info.statement.clone());
        }
    });
    let request = async_graphql::Request::new(WIDE_PAGE);
    let request = signpost::graphql::attach(
        request,
        &db,
        signpost::read::Viewer::anonymous(),
        Default::default(),
    );
    let response = signpost::graphql::build_schema().execute(request).await;
    anyhow::ensure!(response.errors.is_empty(), "{:?}", response.errors);
    let statements = seen
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    Ok(statements)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    signpost::install_tls_provider();
    let scale = env_or("BENCH_SCALE", 100_000usize);
    let seconds = env_or("BENCH_SECONDS", 10u64);
    std::fs::create_dir_all("/var/tmp/signpost-bench")?;
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(url) => run("PostgreSQL", &url, scale, seconds).await,
        Err(_) => {
            let url = format!("sqlite:///var/tmp/signpost-bench/read-{scale}.db?mode=rwc");
            run("SQLite", &url, scale, seconds).await
        }
    }
}
