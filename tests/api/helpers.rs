//! Test harness: a fresh database per test and a real server on a random port.
//!
//! Without `TEST_DATABASE_URL` every test gets its own SQLite file in a temporary
//! directory. With it (e.g. `postgres://postgres@127.0.0.1:5432/postgres`) every test
//! gets a fresh PostgreSQL schema in that database, dropped when the test ends.

use sea_orm::{ConnectionTrait, DatabaseConnection};
use signpost::cli::serve::{ServeArgs, prepare};
use signpost::config::Config;
use signpost::db::{self, DbSettings};
use std::net::SocketAddr;
use std::sync::Once;
use std::time::Duration;
use tempfile::TempDir;

static ANNOUNCE: Once = Once::new();

/// Which backend the suite runs on, said once per test binary.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    ANNOUNCE.call_once(|| match &url {
        Some(_) => eprintln!("signpost tests: running on PostgreSQL (TEST_DATABASE_URL)"),
        None => eprintln!(
            "signpost tests: TEST_DATABASE_URL is not set, running on SQLite; PostgreSQL runs are skipped"
        ),
    });
    url
}

/// A fresh, empty database that disappears with the value.
pub struct TestDb {
    pub url: String,
    pub dir: TempDir,
    postgres: Option<(String, String)>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match postgres_url() {
            None => {
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                TestDb {
                    url,
                    dir,
                    postgres: None,
                }
            }
            Some(admin_url) => {
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let admin = sea_orm::Database::connect(&admin_url)
                    .await
                    .expect("TEST_DATABASE_URL must be reachable");
                admin
                    .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
                    .await
                    .expect("create schema");
                admin.close().await.ok();
                let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
                url.query_pairs_mut()
                    .append_pair("options", &format!("-c search_path={schema}"));
                TestDb {
                    url: url.to_string(),
                    dir,
                    postgres: Some((admin_url, schema)),
                }
            }
        }
    }

    /// Another handle on the same database, for a second server over the same rows
    /// (this handle cleans nothing up: the first one does).
    pub fn sharing(&self) -> TestDb {
        TestDb {
            url: self.url.clone(),
            dir: tempfile::tempdir().expect("temp dir"),
            postgres: None,
        }
    }

    pub fn config(&self) -> Config {
        Config {
            database_url: Some(self.url.clone().into()),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: self.dir.path().to_path_buf(),
            db_connect_timeout_secs: 5,
            ..Config::default()
        }
    }

    pub fn settings(&self) -> DbSettings {
        DbSettings::from_config(&self.config())
    }

    /// A pool on this database, schema not yet migrated.
    pub async fn connect(&self) -> DatabaseConnection {
        db::connect(&self.settings()).await.expect("connect")
    }

    /// A pool on this database with every migration applied.
    pub async fn migrated(&self) -> DatabaseConnection {
        let conn = self.connect().await;
        db::migrate_up(&conn, &self.settings())
            .await
            .expect("migrate");
        conn
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, schema)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside async; a thread with its own runtime does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    if let Ok(admin) = sea_orm::Database::connect(&admin_url).await {
                        // Bounded: a session the test leaked must not hang the suite.
                        // A schema left behind goes with the scratch database `.ci/run` drops.
                        let _ = admin
                            .execute_unprepared(&format!(
                                "SET lock_timeout = '3s'; DROP SCHEMA IF EXISTS {schema} CASCADE"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            }
        })
        .join();
    }
}

/// A running server on a random port with its own fresh database.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    /// Keeps the database alive as long as the app (dropped with it).
    _database: TestDb,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }
}

impl TestApp {
    /// POSTs a GraphQL request to `/graphql`; returns the JSON body (`data`, `errors`).
    pub async fn graphql(&self, query: &str, variables: serde_json::Value) -> serde_json::Value {
        post_graphql(self.client.post(self.url("/graphql")), query, variables).await
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Shuts the server down as SIGTERM does and waits until it has stopped
    /// (requests, then background jobs, each within the grace period).
    pub async fn shut_down(&mut self) {
        self.begin_shutdown();
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("served");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawns the app after `adjust` has changed its config.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::over(TestDb::new().await, adjust).await
}

impl TestApp {
    /// Spawns the app on `test_db` (which may hold data already).
    pub async fn over(test_db: TestDb, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = test_db.config();
        adjust(&mut config);
        // Test servers accept `token`s unless a test chose its own keys.
        if config.jwt_secret.is_none() && config.jwt_jwks.is_none() {
            config.jwt_secret = Some(JWT_SECRET.to_owned().into());
        }
        let state = prepare(config, &ServeArgs::default())
            .await
            .expect("prepare server");
        let db = state.db.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(signpost::http::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        TestApp {
            address,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            db,
            _database: test_db,
            stop: Some(stop),
            server: Some(server),
        }
    }
}

/// Runs a GraphQL request in process (no HTTP) as `viewer`; returns the response
/// as JSON (`data`, `errors`).
pub async fn execute_as(
    db: &DatabaseConnection,
    viewer: signpost::read::Viewer,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    let request = signpost::graphql::attach(request, db, viewer, Default::default());
    let response = signpost::graphql::build_schema().execute(request).await;
    serde_json::to_value(&response).expect("response as JSON")
}

/// [`execute_as`] for an anonymous caller.
pub async fn execute(
    db: &DatabaseConnection,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    execute_as(db, signpost::read::Viewer::anonymous(), query, variables).await
}

/// The venv's Python with `mohawk` (the HAWK client existing pipelines use), or
/// `None` after saying that `test` is skipped; under `CI=true` a missing venv fails.
pub fn mohawk_python(test: &str) -> Option<std::path::PathBuf> {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let ready = python.exists()
        && std::process::Command::new(&python)
            .args(["-c", "import mohawk"])
            .status()
            .is_ok_and(|status| status.success());
    if ready {
        return Some(python);
    }
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "{test} cannot run under CI: no .venv with mohawk"
    );
    eprintln!(
        "SKIPPED {test}: no .venv with mohawk (python3 -m venv .venv && .venv/bin/pip install mohawk)"
    );
    None
}

/// `bytes` with every size header of its members (local and central) set to
/// `declared`: a zip that lies about how large its members inflate.
pub fn lying_about_sizes(mut bytes: Vec<u8>, declared: u32) -> Vec<u8> {
    let patch = |bytes: &mut Vec<u8>, at: usize| {
        bytes[at..at + 4].copy_from_slice(&declared.to_le_bytes());
    };
    let mut i = 0;
    while i + 46 <= bytes.len() {
        match &bytes[i..i + 4] {
            // Local file header: uncompressed size at +22.
            b"PK\x03\x04" => patch(&mut bytes, i + 22),
            // Central directory header: uncompressed size at +24.
            b"PK\x01\x02" => patch(&mut bytes, i + 24),
            _ => {}
        }
        i += 1;
    }
    bytes
}

/// The HS256 secret every test server accepts tokens signed with (long enough for
/// the start-up check).
pub const JWT_SECRET: &str = "signpost-test-secret-long-enough-for-hs256";

/// A bearer token for `role` (`reader`, `exporter`, `admin`), valid ten minutes.
pub fn token(role: &str) -> String {
    token_for(&format!("{role}@example.org"), role)
}

/// A bearer token for `role` naming `subject`, valid ten minutes.
pub fn token_for(subject: &str, role: &str) -> String {
    let claims = serde_json::json!({
        "sub": subject,
        "exp": chrono::Utc::now().timestamp() + 600,
        "roles": [role],
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("sign")
}

/// POSTs a GraphQL request to `/graphql` with a token for `role`.
pub async fn graphql_as(
    app: &TestApp,
    role: &str,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    let request = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", format!("Bearer {}", token(role)));
    post_graphql(request, query, variables).await
}

pub async fn post_graphql(
    request: reqwest::RequestBuilder,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    request
        .json(&serde_json::json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON body")
}

/// The `extensions.code` of a GraphQL response's first error ("" when none).
pub fn code(response: &serde_json::Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// A fresh, migrated database (dropped with the [`TestDb`]).
pub async fn fresh() -> (TestDb, DatabaseConnection) {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    (test_db, db)
}

/// Imports `body` as the file `name` (default options, an in-memory store) and
/// asserts it succeeded.
pub async fn import_text(db: &DatabaseConnection, name: &str, body: String) {
    let store: signpost::store::Store =
        std::sync::Arc::new(signpost::store::memory::MemoryStore::new());
    let outcome = signpost::import::import_file(
        db,
        &store,
        name,
        signpost::store::body_of(body.into_bytes()),
        &signpost::import::ImportOptions::default(),
        None,
    )
    .await
    .expect("import");
    assert!(outcome.succeeded(), "{name}: {:?}", outcome.errors);
}

/// A name for one test's database connections (`application_name`), and `url`
/// with it, so that [`cut_off`] ends only that test's session.
pub fn named_url(url: &str, prefix: &str) -> (String, String) {
    let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    let mut url = url::Url::parse(url).expect("url");
    url.query_pairs_mut().append_pair("application_name", &name);
    (name, url.to_string())
}

/// Waits until a backend of `application_name` runs a statement starting with
/// `statement`, then terminates it, as a failover or an administrator would;
/// fails the test if `still_running` turns false first or two minutes pass.
pub async fn cut_off(
    db: &DatabaseConnection,
    statement: &str,
    application_name: &str,
    still_running: impl Fn() -> bool,
) {
    let terminate = format!(
        "SELECT CAST(pg_terminate_backend(pid) AS TEXT) AS v FROM pg_stat_activity \
         WHERE query LIKE '{statement}%' AND application_name = '{application_name}'"
    );
    let started = std::time::Instant::now();
    loop {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                &terminate,
            ))
            .await
            .expect("pg_stat_activity");
        if row
            .and_then(|row| row.try_get::<String>("", "v").ok())
            .as_deref()
            == Some("true")
        {
            return;
        }
        assert!(still_running(), "it ended before `{statement}` was seen");
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no `{statement}` was seen"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
