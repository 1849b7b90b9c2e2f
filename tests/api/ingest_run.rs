//! Ingest runs against a local HTTP source started by the test: only new files
//! are fetched, a second run does nothing, a corrupt file fails alone, a source
//! losing a file mid-run, zips of several CSVs, two runs at once loading each
//! file once, a dead holder's lease taken over, and the GraphQL trigger.

use crate::helpers::TestDb;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Statement};
use signpost::ingest::run::{self, Trigger};
use signpost::ingest::{Listing, Loader, SourceConfig};
use signpost::store::Store;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A served file: (status, body).
type Served = (u16, Vec<u8>);

/// What the source serves, by file name.
#[derive(Clone, Default)]
pub struct Files(Arc<Mutex<BTreeMap<String, Served>>>);

impl Files {
    pub fn put(&self, name: &str, body: impl Into<Vec<u8>>) {
        self.lock().insert(name.to_owned(), (200, body.into()));
    }

    pub fn fail(&self, name: &str, status: u16) {
        if let Some(file) = self.lock().get_mut(name) {
            file.0 = status;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Served>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn index(State(files): State<Files>) -> Html<String> {
    let links: String = files
        .lock()
        .keys()
        .map(|name| format!("<li><a href=\"files/{name}\">{name}</a></li>\n"))
        .collect();
    Html(format!(
        "<html><body><a href=\"/about\">about</a><ul>\n{links}</ul></body></html>"
    ))
}

async fn file(State(files): State<Files>, Path(name): Path<String>) -> axum::response::Response {
    match files.lock().get(&name) {
        Some((200, body)) => body.clone().into_response(),
        Some((status, _)) => StatusCode::from_u16(*status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Serves `files` on a random port; the index page's URL.
pub async fn serve(files: Files) -> String {
    let app = axum::Router::new()
        .route("/index.html", axum::routing::get(index))
        .route("/files/{name}", axum::routing::get(file))
        .with_state(files);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}/index.html")
}

pub fn source(name: &str, index: &str, regex: &str, loader: Loader) -> SourceConfig {
    SourceConfig {
        name: name.into(),
        list: Listing::Index {
            url: index.into(),
            link_regex: regex.into(),
        },
        loader,
        headers: BTreeMap::new(),
        max_bytes: 10 * 1024 * 1024,
        timeout_secs: 10,
        retries: 1,
        schedule: None,
        publish: false,
    }
}

pub fn zip_of(members: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in members {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("member");
        zip.write_all(body.as_bytes()).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

struct Setup {
    _db: TestDb,
    db: DatabaseConnection,
    store: Store,
}

async fn setup() -> Setup {
    signpost::install_tls_provider();
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    Setup {
        _db: test_db,
        db,
        store: Arc::new(signpost::store::memory::MemoryStore::new()),
    }
}

async fn go(setup: &Setup, source: &SourceConfig, force: bool) -> entities::ingest_runs::Model {
    let started = run::create(&setup.db, source, Trigger::Cli, force, "test")
        .await
        .expect("create run");
    run::run(&setup.db, &setup.store, source, started, None)
        .await
        .expect("run")
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .expect("query")
    .and_then(|row| row.try_get::<i64>("", "n").ok())
    .unwrap_or(-1)
}

async fn states(db: &DatabaseConnection) -> Vec<(String, String, i64)> {
    let mut rows: Vec<_> = entities::data_files::Entity::find()
        .all(db)
        .await
        .expect("data files")
        .into_iter()
        .map(|row| (row.file_name, row.state.to_string(), row.rows_loaded))
        .collect();
    rows.sort();
    rows
}

const P1: &str = "0190a000-0000-7000-8000-000000000001";
const P2: &str = "0190a000-0000-7000-8000-000000000002";

fn postcodes(rows: &[(&str, &str, &str, &str)]) -> String {
    let mut csv = String::from("pcd,pcds,dointr,doterm,lat,long\n");
    for (postcode, lat, long, doterm) in rows {
        csv.push_str(&format!("X,{postcode},199801,{doterm},{lat},{long}\n"));
    }
    csv
}

#[tokio::test]
async fn only_new_files_are_fetched_and_each_is_loaded_once() {
    let setup = setup().await;
    let files = Files::default();
    files.put("1-providers.csv", format!("id,name\n{P1},Food Bank\n"));
    files.put(
        "2-batch.zip",
        zip_of(&[
            (
                "services.csv",
                &format!("id,provider_id,name\n0190a000-0000-7000-8000-0000000000a1,{P1},Meals\n"),
            ),
            (
                "organizations.csv",
                &format!("id,name\n{P2},Advice Centre\n"),
            ),
        ]),
    );
    files.put("notes.txt", "not a directory file");
    let index = serve(files.clone()).await;
    let directory = source(
        "council",
        &index,
        r"\.(csv|zip)$",
        Loader::Directory { replace: false },
    );

    let first = go(&setup, &directory, false).await;
    assert_eq!(
        first.state.to_string(),
        "completed",
        "{:?}",
        first.error_message
    );
    assert_eq!(
        (
            first.files_seen,
            first.files_fetched,
            first.files_loaded,
            first.files_failed
        ),
        (2, 2, 2, 0)
    );
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM providers").await,
        2
    );
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM services").await,
        1
    );
    assert_eq!(
        states(&setup.db).await,
        [
            ("1-providers.csv".to_owned(), "processed".to_owned(), 1),
            ("2-batch.zip".to_owned(), "processed".to_owned(), 2)
        ]
    );

    let second = go(&setup, &directory, false).await;
    assert_eq!(
        (second.files_seen, second.files_fetched, second.files_loaded),
        (2, 0, 0),
        "a second run does nothing"
    );
    let imports = count(&setup.db, "SELECT COUNT(*) AS n FROM imports").await;

    files.put(
        "3-services.csv",
        format!("id,provider_id,name\n0190a000-0000-7000-8000-0000000000a2,{P2},Advice\n"),
    );
    let third = go(&setup, &directory, false).await;
    assert_eq!(
        (third.files_fetched, third.files_loaded),
        (1, 1),
        "only the new file"
    );
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM services").await,
        2
    );
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM imports").await,
        imports + 1
    );

    let forced = go(&setup, &directory, true).await;
    assert_eq!(
        (forced.files_fetched, forced.files_loaded),
        (0, 3),
        "force loads everything again"
    );
}

#[tokio::test]
async fn a_corrupt_file_fails_alone_and_a_vanishing_file_fails_the_run() {
    let setup = setup().await;
    let files = Files::default();
    files.put("a.csv", postcodes(&[("LS1 4AP", "53.796", "-1.548", "")]));
    files.put("b.csv", postcodes(&[("LS2 7HY", "95.5", "-1.55", "")]));
    files.put(
        "c.csv",
        postcodes(&[("ls6 1aa", "99.999999", "0.000000", "200012")]),
    );
    files.put("d.csv", postcodes(&[("LS7 3QB", "53.82", "-1.53", "")]));
    files.fail("d.csv", 404);
    let index = serve(files.clone()).await;
    let ons = source("onspd", &index, r"\.csv$", Loader::Postcodes);

    let first = go(&setup, &ons, false).await;
    assert_eq!(first.state.to_string(), "failed", "the source lost d.csv");
    assert!(
        first
            .error_message
            .as_deref()
            .is_some_and(|e| e.contains("d.csv")),
        "{:?}",
        first.error_message
    );
    assert_eq!(
        (
            first.files_seen,
            first.files_fetched,
            first.files_loaded,
            first.files_failed
        ),
        (4, 3, 2, 2)
    );
    let registry = states(&setup.db).await;
    assert_eq!(registry[0], ("a.csv".into(), "processed".into(), 1));
    assert_eq!(
        (registry[1].0.as_str(), registry[1].1.as_str()),
        ("b.csv", "failed")
    );
    assert_eq!(registry[2], ("c.csv".into(), "processed".into(), 1));
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM postcodes").await,
        2
    );
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM postcodes WHERE postcode = 'LS61AA' AND latitude IS NULL AND terminated").await,
        1
    );

    // Failed files are tried again; an admin can set one aside.
    files.put("d.csv", postcodes(&[("LS7 3QB", "53.82", "-1.53", "")]));
    let second = go(&setup, &ons, false).await;
    assert_eq!(
        second.state.to_string(),
        "completed_with_failures",
        "a run with a file that failed is not reported as a success"
    );
    assert_eq!(
        (
            second.files_fetched,
            second.files_loaded,
            second.files_failed
        ),
        (1, 1, 1)
    );
    let b = entities::data_files::Entity::find()
        .all(&setup.db)
        .await
        .expect("rows")
        .into_iter()
        .find(|row| row.file_name == "b.csv")
        .expect("b.csv");
    signpost::ingest::registry::set_ignored(&setup.db, b.id, true)
        .await
        .expect("ignore");
    let third = go(&setup, &ons, false).await;
    assert_eq!(
        (
            third.state.to_string().as_str(),
            third.files_loaded,
            third.files_failed
        ),
        ("completed", 0, 0)
    );
}

#[tokio::test]
async fn two_runs_at_once_load_each_file_once_and_a_dead_holder_is_taken_over() {
    let setup = setup().await;
    let files = Files::default();
    for i in 0..4 {
        let rows: Vec<(String, &str, &str, &str)> = (0..300)
            .map(|j| (format!("LS{i} {j:03}"), "53.8", "-1.5", ""))
            .collect();
        let borrowed: Vec<(&str, &str, &str, &str)> = rows
            .iter()
            .map(|(p, a, b, c)| (p.as_str(), *a, *b, *c))
            .collect();
        files.put(&format!("part-{i}.csv"), postcodes(&borrowed));
    }
    let index = serve(files.clone()).await;
    let ons = source("onspd", &index, r"\.csv$", Loader::Postcodes);
    let (a, b) = tokio::join!(go(&setup, &ons, false), go(&setup, &ons, false));
    let loaded = a.files_loaded + b.files_loaded;
    assert_eq!(loaded, 4, "each file once: {a:?} {b:?}");
    let busy = [&a, &b]
        .iter()
        .filter(|run| {
            run.error_message
                .as_deref()
                .is_some_and(|e| e.contains("in progress"))
        })
        .count();
    assert_eq!(busy, 1, "one run found the source busy");
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM postcodes").await,
        1200
    );
    assert_eq!(
        count(
            &setup.db,
            "SELECT CAST(SUM(rows_loaded) AS BIGINT) AS n FROM data_files"
        )
        .await,
        1200
    );

    // A holder that stopped heartbeating: its lease expired, its file was left
    // `processing`. The next run takes over and loads it.
    setup
        .db
        .execute_unprepared(
            "UPDATE data_files SET state = 'processing' WHERE file_name = 'part-2.csv'",
        )
        .await
        .expect("stale file");
    let past = signpost::stamp::now() - chrono::TimeDelta::minutes(5);
    signpost::ingest::lease::Lease::acquire(
        &setup.db,
        &run::lease_name("onspd"),
        "dead-replica",
        std::time::Duration::from_secs(1),
    )
    .await
    .expect("lease")
    .expect("free");
    entities::locks::Entity::update_many()
        .col_expr(
            entities::locks::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(past),
        )
        .exec(&setup.db)
        .await
        .expect("expire");
    let taken = go(&setup, &ons, false).await;
    assert_eq!(
        (taken.state.to_string().as_str(), taken.files_loaded),
        ("completed", 1),
        "{:?}",
        taken.error_message
    );
}

#[tokio::test]
async fn admins_trigger_runs_and_follow_them_over_graphql() {
    let files = Files::default();
    files.put("a.csv", postcodes(&[("LS1 4AP", "53.796", "-1.548", "")]));
    files.put("b.csv", postcodes(&[("LS2 7HY", "95.5", "-1.55", "")]));
    let index = serve(files).await;
    let app = crate::helpers::spawn_app_with(|config| {
        config.jwt_secret = Some(crate::helpers::JWT_SECRET.to_owned().into());
        config.ingest.sources = vec![source("onspd", &index, r"\.csv$", Loader::Postcodes)];
    })
    .await;
    let as_admin = |query: &'static str, variables: serde_json::Value| {
        crate::helpers::graphql_as(&app, "admin", query, variables)
    };
    let body = crate::helpers::graphql_as(
        &app,
        "reader",
        "mutation { triggerIngest(source: \"onspd\") { id } }",
        serde_json::json!({}),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    let body = as_admin(
        "mutation { triggerIngest(source: \"nope\") { id } }",
        serde_json::json!({}),
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("onspd")),
        "an unknown source names the configured ones: {body}"
    );
    let body = as_admin(
        "mutation { triggerIngest(source: \"onspd\") { id state trigger } }",
        serde_json::json!({}),
    )
    .await;
    assert_eq!(body["data"]["triggerIngest"]["state"], "QUEUED", "{body}");
    assert_eq!(body["data"]["triggerIngest"]["trigger"], "mutation");
    let runs = "{ ingestRuns(first: 5) { edges { node { state filesLoaded filesFailed } } } }";
    let mut state = serde_json::Value::Null;
    for _ in 0..100 {
        let body = as_admin(runs, serde_json::json!({})).await;
        state = body["data"]["ingestRuns"]["edges"][0]["node"].clone();
        if ["COMPLETED", "COMPLETED_WITH_FAILURES", "FAILED"]
            .contains(&state["state"].as_str().unwrap_or_default())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(state["state"], "COMPLETED_WITH_FAILURES", "{state}");
    assert_eq!(
        (state["filesLoaded"].as_i64(), state["filesFailed"].as_i64()),
        (Some(1), Some(1))
    );
    let body = as_admin(
        "{ dataFiles(filter: {state: FAILED}) { edges { node { id fileName errorMessage } } } }",
        serde_json::json!({}),
    )
    .await;
    let failed = &body["data"]["dataFiles"]["edges"][0]["node"];
    assert_eq!(failed["fileName"], "b.csv", "{body}");
    assert!(
        failed["errorMessage"]
            .as_str()
            .is_some_and(|m| m.contains("lat")),
        "{failed}"
    );
    let body = as_admin(
        "mutation($id: ID!) { ignoreDataFile(id: $id) { state } }",
        serde_json::json!({ "id": failed["id"] }),
    )
    .await;
    assert_eq!(body["data"]["ignoreDataFile"]["state"], "IGNORED", "{body}");
}

#[tokio::test]
async fn an_hsds_api_source_is_paged_and_its_services_upserted() {
    use serde_json::json;
    let setup = setup().await;
    let (o1, s1, s2) = (
        "0190c000-0000-7000-8000-000000000001",
        "0190c000-0000-7000-8000-0000000000a1",
        "0190c000-0000-7000-8000-0000000000a2",
    );
    let full_s1 = json!({
        "id": s1, "name": "Community Meals", "description": "Hot meals", "status": "active",
        "email": "meals@example.org", "url": "https://example.org/meals", "organization_id": o1,
        "organization": { "id": o1, "name": "Food Bank", "description": "Feeds people", "website": "https://example.org" },
        "service_at_locations": [{ "id": "0190c000-0000-7000-8000-0000000000b1",
            "location": { "id": "0190c000-0000-7000-8000-0000000000c1", "name": "Church Hall",
                "location_type": "physical", "latitude": 53.8, "longitude": -1.55 } }],
        "contacts": [{ "id": "0190c000-0000-7000-8000-0000000000d1", "name": "Ann", "email": "ann@example.org" }],
        "cost_options": [{ "id": "0190c000-0000-7000-8000-0000000000e1", "option": "Per meal", "amount": 2.5, "currency": "GBP" }],
        "attributes": [{ "id": "0190c000-0000-7000-8000-0000000000f1",
            "taxonomy_term": { "id": "0190c000-0000-7000-8000-000000000101", "code": "food", "name": "Food",
                "taxonomy_detail": { "id": "0190c000-0000-7000-8000-000000000201", "name": "Needs" } } }]
    });
    let full_s2 = json!({ "id": s2, "name": "Debt Advice", "organization_id": o1,
        "organization": { "id": o1, "name": "Food Bank" } });
    // HSDS 3.0 list entries are `service_list` items, carrying their organisation
    // (and program) but nothing else nested: every one is fetched in full.
    let pages = Arc::new(vec![
        json!({ "total_items": 2, "total_pages": 2, "page_number": 1, "size": 1,
            "contents": [{ "id": s1, "name": "Community Meals", "status": "active",
                "organization_id": o1,
                "organization": { "id": o1, "name": "Food Bank", "description": "Feeds people" } }] }),
        json!({ "total_items": 2, "total_pages": 2, "page_number": 2, "size": 1,
            "contents": [{ "id": s2, "name": "Debt Advice" }] }),
    ]);
    let singles = Arc::new(
        [full_s1, full_s2]
            .into_iter()
            .map(|service| {
                (
                    service["id"].as_str().unwrap_or_default().to_owned(),
                    service,
                )
            })
            .collect::<BTreeMap<String, serde_json::Value>>(),
    );
    let app = axum::Router::new()
        .route(
            "/api/services",
            axum::routing::get({
                let pages = pages.clone();
                move |axum::extract::Query(query): axum::extract::Query<
                    BTreeMap<String, String>,
                >| {
                    let pages = pages.clone();
                    async move {
                        let page: usize =
                            query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                        match pages.get(page.saturating_sub(1)) {
                            Some(body) => axum::Json(body.clone()).into_response(),
                            None => StatusCode::NOT_FOUND.into_response(),
                        }
                    }
                }
            }),
        )
        .route(
            "/api/services/{id}",
            axum::routing::get(move |Path(id): Path<String>| {
                let singles = singles.clone();
                async move {
                    match singles.get(&id) {
                        Some(service) => axum::Json(service.clone()).into_response(),
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut hsds = source("openreferral", "unused", ".", Loader::Hsds);
    hsds.list = Listing::HsdsApi {
        url: format!("http://{address}/api"),
        overlap_secs: 900,
    };
    let done = go(&setup, &hsds, false).await;
    assert_eq!(
        done.state.to_string(),
        "completed",
        "{:?}",
        done.error_message
    );
    assert_eq!(
        (done.files_fetched, done.files_loaded, done.files_failed),
        (4, 4, 0),
        "two pages and both services in full (the pages load no rows)"
    );
    for (table, n) in [
        ("providers", 1),
        ("services", 2),
        ("venues", 1),
        ("service_venues", 1),
        ("contacts", 1),
        ("cost_options", 1),
        ("taxonomies", 1),
        ("taxonomy_terms", 1),
        ("taxonomy_refs", 1),
    ] {
        assert_eq!(
            count(&setup.db, &format!("SELECT COUNT(*) AS n FROM {table}")).await,
            n,
            "{table}"
        );
    }
    // Each entry was fetched in full, with its organisation.
    let advice = entities::services::Entity::find()
        .all(&setup.db)
        .await
        .expect("services")
        .into_iter()
        .find(|service| service.name == "Debt Advice")
        .expect("the summarised service");
    assert_eq!(advice.provider_id.to_string(), o1);
}

#[tokio::test]
async fn a_schedule_runs_each_occurrence_on_one_replica() {
    let setup = setup().await;
    let files = Files::default();
    files.put("a.csv", postcodes(&[("LS1 4AP", "53.796", "-1.548", "")]));
    let index = serve(files).await;
    let mut ons = source("onspd", &index, r"\.csv$", Loader::Postcodes);
    ons.schedule = Some("* * * * * *".into()); // every second
    let config = Arc::new(signpost::ingest::IngestConfig { sources: vec![ons] });
    signpost::ingest::schedule::check(&config).expect("a valid schedule");
    let replicas: Vec<signpost::jobs::Jobs> = ["replica-a", "replica-b"]
        .into_iter()
        .map(|replica| {
            let jobs = signpost::jobs::Jobs::new();
            signpost::ingest::schedule::spawn(
                &jobs,
                setup.db.clone(),
                setup.store.clone(),
                config.clone(),
                replica.into(),
            );
            jobs
        })
        .collect();
    // Until three occurrences have run and ended (at most 15 s), then stop both.
    let started = std::time::Instant::now();
    let runs = loop {
        let runs = entities::ingest_runs::Entity::find()
            .all(&setup.db)
            .await
            .expect("runs");
        if runs.iter().filter(|run| run.finished_at.is_some()).count() >= 3 {
            break runs;
        }
        assert!(
            started.elapsed().as_secs() < 15,
            "{} runs in 15 s",
            runs.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    for jobs in &replicas {
        jobs.shut_down(std::time::Duration::from_secs(5)).await;
        assert_eq!(jobs.running(), 0, "a schedule stops with its process");
    }
    assert!(runs.iter().all(|run| run.trigger == "schedule"));
    // Each occurrence (a second) was run by one replica, not by both.
    let seconds: std::collections::HashSet<i64> =
        runs.iter().map(|run| run.started_at.timestamp()).collect();
    assert_eq!(
        seconds.len(),
        runs.len(),
        "one run per occurrence, not one per replica: {:?}",
        runs.iter().map(|run| run.started_at).collect::<Vec<_>>()
    );
    assert_eq!(
        runs.iter().map(|run| run.files_loaded).sum::<i32>(),
        1,
        "the file loaded once"
    );
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM postcodes").await,
        1
    );
    let bad = signpost::ingest::IngestConfig {
        sources: vec![SourceConfig {
            schedule: Some("every day".into()),
            ..source("x", "http://127.0.0.1/", ".", Loader::Postcodes)
        }],
    };
    let error = signpost::ingest::schedule::check(&bad).expect_err("refused");
    assert!(error.to_string().contains("every day"), "{error}");
}
