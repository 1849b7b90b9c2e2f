//! The HSDS 3.0 API ingest against a local API started by the test: list pages of
//! `service_list` items (carrying their organisation), every service fetched in
//! full from `/services/{id}`, every object nested in it landing in its own table
//! with its parent's id; a `total_pages` promising more pages than there are ends
//! the listing with a warning (printed by `signpost ingest`); a bad record fails
//! its own file, naming the service, while the others load; and the bounds of a
//! run.

use crate::helpers::TestDb;
use crate::ingest_run::source;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Statement};
use serde_json::{Value, json};
use signpost::ingest::run::{self, Finished, Trigger};
use signpost::ingest::{Listing, Loader, SourceConfig};
use signpost::store::Store;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// What the API serves: list pages (page 1 first) and full services by id; and
/// the paths asked for.
#[derive(Clone, Default)]
struct Api {
    pages: Arc<Vec<Value>>,
    services: Arc<BTreeMap<String, Value>>,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Api {
    fn new(pages: Vec<Value>, services: Vec<Value>) -> Self {
        Self {
            pages: Arc::new(pages),
            services: Arc::new(
                services
                    .into_iter()
                    .map(|service| (service["id"].as_str().unwrap().to_owned(), service))
                    .collect(),
            ),
            asked: Arc::default(),
        }
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

async fn list(
    State(api): State<Api>,
    Query(query): Query<BTreeMap<String, String>>,
) -> axum::response::Response {
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    api.asked
        .lock()
        .unwrap()
        .push(format!("/services?page={page}"));
    match api.pages.get(page.saturating_sub(1)) {
        Some(body) => axum::Json(body.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn one(State(api): State<Api>, Path(id): Path<String>) -> axum::response::Response {
    api.asked.lock().unwrap().push(format!("/services/{id}"));
    match api.services.get(&id) {
        Some(body) => axum::Json(body.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Serves `api` on a random port; the API's base URL.
async fn serve(api: Api) -> String {
    let app = axum::Router::new()
        .route("/api/services", axum::routing::get(list))
        .route("/api/services/{id}", axum::routing::get(one))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}/api")
}

fn hsds_source(name: &str, url: &str) -> SourceConfig {
    let mut hsds = source(name, "unused", ".", Loader::Hsds);
    hsds.list = Listing::HsdsApi {
        url: url.into(),
        overlap_secs: 900,
    };
    hsds
}

/// A page of the list: `service_list` items, as HSDS 3.0's `/services` gives them.
fn page(number: u64, total_pages: u64, contents: Vec<Value>) -> Value {
    json!({ "total_items": contents.len(), "total_pages": total_pages, "page_number": number,
        "size": contents.len(), "first_page": number == 1, "last_page": number == total_pages,
        "empty": contents.is_empty(), "contents": contents })
}

/// A `service_list` item of `full`: its one-to-one fields and its organisation.
fn summary(full: &Value) -> Value {
    let mut item = json!({});
    for field in ["id", "name", "description", "status", "organization_id"] {
        if let Some(value) = full.get(field) {
            item[field] = value.clone();
        }
    }
    let organization = &full["organization"];
    item["organization"] = json!({ "id": organization["id"], "name": organization["name"],
        "description": organization["description"] });
    item
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

async fn go(setup: &Setup, source: &SourceConfig) -> Finished {
    let started = run::create(&setup.db, source, Trigger::Cli, false, "test")
        .await
        .expect("create run");
    run::run_with_warnings(&setup.db, &setup.store, source, started, None)
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

/// A value to compare a column with: a UUID as one (however the backend stores
/// them), else text.
fn bound(text: &str) -> sea_orm::Value {
    match uuid::Uuid::parse_str(text) {
        Ok(id) => id.into(),
        Err(_) => text.into(),
    }
}

/// Rows of `table` where each `column = value`.
async fn rows_where(db: &DatabaseConnection, table: &str, columns: &[(&str, &str)]) -> i64 {
    let backend = db.get_database_backend();
    let conditions: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(at, (column, _))| match backend {
            sea_orm::DbBackend::Postgres => format!("{column} = ${}", at + 1),
            _ => format!("{column} = ?"),
        })
        .collect();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE {}",
        conditions.join(" AND ")
    );
    let values: Vec<sea_orm::Value> = columns.iter().map(|(_, value)| bound(value)).collect();
    db.query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .expect("query")
        .and_then(|row| row.try_get::<i64>("", "n").ok())
        .unwrap_or(-1)
}

/// Asserts `table` has the row `id` with each `column = value`.
async fn has(db: &DatabaseConnection, table: &str, id: &str, columns: &[(&str, &str)]) {
    assert_eq!(
        rows_where(db, table, &[("id", id)]).await,
        1,
        "{table} has no row {id}"
    );
    let mut all = vec![("id", id)];
    all.extend_from_slice(columns);
    assert_eq!(
        rows_where(db, table, &all).await,
        1,
        "{table} {id}: {columns:?}"
    );
}

/// The registry: (file name, state, rows loaded, error), by name.
async fn registry(db: &DatabaseConnection) -> Vec<(String, String, i64, Option<String>)> {
    let mut rows: Vec<_> = entities::data_files::Entity::find()
        .all(db)
        .await
        .expect("data files")
        .into_iter()
        .map(|row| {
            (
                row.file_name,
                row.state.to_string(),
                row.rows_loaded,
                row.error_message,
            )
        })
        .collect();
    rows.sort();
    rows
}

const ORG: &str = "0190e000-0000-7000-8000-000000000001";
const A: &str = "0190e000-0000-7000-8000-0000000000a1";
const B: &str = "0190e000-0000-7000-8000-0000000000a2";

/// An id of this test's: `0190e000-…-0000000001NN`.
fn id(n: u32) -> &'static str {
    Box::leak(format!("0190e000-0000-7000-8000-000000000{n:03}").into_boxed_str())
}

/// A full service (`service_full`) with every kind of nested object.
fn full_service() -> Value {
    json!({
        "id": A, "name": "Community Meals", "description": "Hot meals", "status": "active",
        "email": "meals@example.org", "url": "https://example.org/meals",
        "organization_id": ORG,
        "organization": { "id": ORG, "name": "Food Bank", "description": "Feeds people",
            "website": "https://example.org",
            "organization_identifiers": [{ "id": id(101), "identifier_scheme": "GB-CHC",
                "identifier_type": "Charity number", "identifier": "1234567" }],
            "funding": [{ "id": id(102), "source": "Leeds City Council" }],
            "phones": [{ "id": id(103), "number": "0113 000 0000", "type": "voice" }],
            "contacts": [{ "id": id(104), "name": "Director", "email": "director@example.org" }] },
        "program": { "id": id(105), "name": "Food Support", "description": "Everything food" },
        "phones": [{ "id": id(106), "number": "0113 111 1111", "type": "voice",
            "languages": [{ "id": id(107), "name": "Urdu", "code": "ur" }] }],
        "schedules": [{ "id": id(108), "freq": "WEEKLY", "byday": "MO,TU",
            "opens_at": "09:00", "closes_at": "17:00", "description": "Weekdays" }],
        "languages": [{ "id": id(109), "name": "English", "code": "en" }],
        "service_areas": [{ "id": id(110), "name": "Leeds", "description": "All of Leeds" }],
        "funding": [{ "id": id(111), "source": "National Lottery" }],
        "required_documents": [{ "id": id(112), "document": "Proof of address" }],
        "cost_options": [{ "id": id(113), "option": "Per meal", "amount": 2.5, "currency": "GBP" }],
        "contacts": [{ "id": id(114), "name": "Ann", "email": "ann@example.org",
            "phones": [{ "id": id(115), "number": "0113 222 2222" }] }],
        "attributes": [{ "id": id(116), "link_type": "audience", "value": "adults",
            "taxonomy_term": { "id": id(117), "code": "food", "name": "Food", "description": "Food",
                "taxonomy_detail": { "id": id(118), "name": "Needs", "description": "What people need" } } }],
        "service_at_locations": [{ "id": id(119), "description": "Meals at the hall",
            "phones": [{ "id": id(120), "number": "0113 333 3333" }],
            "schedules": [{ "id": id(121), "freq": "WEEKLY", "byday": "FR",
                "opens_at": "10:00", "closes_at": "12:00" }],
            "location": { "id": id(122), "name": "Church Hall", "location_type": "physical",
                "latitude": 53.8, "longitude": -1.55,
                "addresses": [{ "id": id(123), "address_1": "1 Church Lane", "city": "Leeds",
                    "postal_code": "LS1 4AP", "country": "GB", "address_type": "physical" }],
                "accessibility": [{ "id": id(124), "description": "Step-free entrance" }],
                "languages": [{ "id": id(125), "name": "Polish", "code": "pl" }],
                "phones": [{ "id": id(126), "number": "0113 444 4444" }] } }]
    })
}

fn plain_service(id: &str, name: &str, email: &str) -> Value {
    json!({ "id": id, "name": name, "status": "active", "email": email, "organization_id": ORG,
        "organization": { "id": ORG, "name": "Food Bank", "description": "Feeds people" } })
}

#[tokio::test]
async fn every_object_nested_in_a_full_service_lands_in_its_table_with_its_parent() {
    let setup = setup().await;
    let a = full_service();
    let b = plain_service(B, "Debt Advice", "advice@example.org");
    let api = Api::new(
        vec![page(1, 2, vec![summary(&a)]), page(2, 2, vec![summary(&b)])],
        vec![a, b],
    );
    let url = serve(api.clone()).await;
    let done = go(&setup, &hsds_source("openreferral", &url)).await;
    let run = &done.run;
    assert_eq!(
        run.state.to_string(),
        "completed",
        "{:?}",
        run.error_message
    );
    assert_eq!(
        (run.files_fetched, run.files_loaded, run.files_failed),
        (4, 4, 0),
        "two pages and two services"
    );
    assert!(done.warnings.is_empty(), "{:?}", done.warnings);
    // Entries carrying their organisation are still summaries: both fetched.
    let asked = api.asked();
    for path in [format!("/services/{A}"), format!("/services/{B}")] {
        assert!(asked.contains(&path), "{path} in {asked:?}");
    }
    // The pages are files of the run that load nothing; they did not fail.
    let files = registry(&setup.db).await;
    assert_eq!(files.len(), 4, "{files:?}");
    for (name, state, rows, error) in &files {
        assert_eq!(state, "processed", "{name}: {error:?}");
        if name.contains("-services-page-") {
            assert_eq!(*rows, 0, "{name}");
        } else {
            assert!(*rows > 0, "{name}");
        }
    }

    let db = &setup.db;
    let (org, a) = (ORG, A);
    has(db, "providers", org, &[("website", "https://example.org")]).await;
    has(
        db,
        "services",
        a,
        &[("provider_id", org), ("program_id", id(105))],
    )
    .await;
    has(db, "services", B, &[("provider_id", org)]).await;
    has(db, "programs", id(105), &[("provider_id", org)]).await;
    has(
        db,
        "organization_identifiers",
        id(101),
        &[("provider_id", org), ("identifier", "1234567")],
    )
    .await;
    has(db, "funding", id(102), &[("provider_id", org)]).await;
    has(db, "funding", id(111), &[("service_id", a)]).await;
    has(db, "contacts", id(104), &[("provider_id", org)]).await;
    has(db, "contacts", id(114), &[("service_id", a)]).await;
    // Phones, each with the parent it is nested in.
    has(db, "phones", id(103), &[("provider_id", org)]).await;
    has(db, "phones", id(106), &[("service_id", a)]).await;
    has(db, "phones", id(115), &[("contact_id", id(114))]).await;
    has(db, "phones", id(120), &[("service_venue_id", id(119))]).await;
    has(db, "phones", id(126), &[("venue_id", id(122))]).await;
    has(
        db,
        "schedules",
        id(108),
        &[
            ("service_id", a),
            ("freq", "WEEKLY"),
            ("byday", "MO,TU"),
            ("opens_at", "09:00"),
            ("closes_at", "17:00"),
        ],
    )
    .await;
    has(
        db,
        "schedules",
        id(121),
        &[("service_venue_id", id(119)), ("byday", "FR")],
    )
    .await;
    has(db, "languages", id(107), &[("phone_id", id(106))]).await;
    has(
        db,
        "languages",
        id(109),
        &[("service_id", a), ("code", "en")],
    )
    .await;
    has(db, "languages", id(125), &[("venue_id", id(122))]).await;
    has(db, "service_areas", id(110), &[("service_id", a)]).await;
    has(db, "required_documents", id(112), &[("service_id", a)]).await;
    has(db, "cost_options", id(113), &[("service_id", a)]).await;
    has(
        db,
        "service_venues",
        id(119),
        &[("service_id", a), ("venue_id", id(122))],
    )
    .await;
    // The venue, its address (which feeds the venue's own), its accessibility.
    has(
        db,
        "addresses",
        id(123),
        &[("venue_id", id(122)), ("postal_code", "LS1 4AP")],
    )
    .await;
    has(
        db,
        "venues",
        id(122),
        &[("postal_code", "LS1 4AP"), ("city", "Leeds")],
    )
    .await;
    has(db, "accessibility", id(124), &[("venue_id", id(122))]).await;
    // The attribute: about the service, its own link_type kept.
    has(
        db,
        "taxonomy_refs",
        id(116),
        &[
            ("service_id", a),
            ("link_type", "audience"),
            ("taxonomy_term_id", id(117)),
        ],
    )
    .await;
    has(db, "taxonomy_terms", id(117), &[("taxonomy_id", id(118))]).await;
    has(db, "taxonomies", id(118), &[]).await;
    for (table, n) in [
        ("providers", 1),
        ("services", 2),
        ("phones", 5),
        ("schedules", 2),
        ("languages", 3),
        ("venues", 1),
        ("addresses", 1),
    ] {
        assert_eq!(
            count(db, &format!("SELECT COUNT(*) AS n FROM {table}")).await,
            n,
            "{table}"
        );
    }
}

#[tokio::test]
async fn a_total_pages_beyond_the_pages_there_are_ends_the_listing_with_a_warning() {
    let setup = setup().await;
    let a = plain_service(A, "Community Meals", "meals@example.org");
    let b = plain_service(B, "Debt Advice", "advice@example.org");
    // Page 3 is not there (404) ...
    let missing = Api::new(
        vec![page(1, 3, vec![summary(&a)]), page(2, 3, vec![summary(&b)])],
        vec![a.clone(), b.clone()],
    );
    // ... or is there with nothing in it.
    let empty = Api::new(
        vec![
            page(1, 3, vec![summary(&a)]),
            page(2, 3, vec![summary(&b)]),
            page(3, 3, vec![]),
        ],
        vec![a, b],
    );
    for (name, api, fetched) in [("missing", missing, 4), ("empty", empty, 5)] {
        let url = serve(api.clone()).await;
        let done = go(&setup, &hsds_source(name, &url)).await;
        let run = &done.run;
        assert_eq!(
            run.state.to_string(),
            "completed",
            "{name}: {:?}",
            run.error_message
        );
        assert_eq!(run.error_message, None, "{name}");
        assert_eq!(
            (run.files_fetched, run.files_loaded, run.files_failed),
            (fetched, fetched, 0),
            "{name}"
        );
        assert!(
            api.asked().contains(&"/services?page=3".to_owned()),
            "{name}"
        );
        assert!(
            !api.asked().contains(&"/services?page=4".to_owned()),
            "{name}"
        );
        assert_eq!(done.warnings.len(), 1, "{name}: {:?}", done.warnings);
        let warning = &done.warnings[0];
        assert!(
            warning.contains("page=3")
                && warning.contains("total_pages is 3")
                && warning.contains("ends at page 2"),
            "{name}: {warning}"
        );
        // Kept with the run, for runs started from GraphQL or the schedule.
        use sea_orm::EntityTrait;
        let saved = entities::ingest_runs::Entity::find_by_id(done.run.id)
            .one(&setup.db)
            .await
            .expect("run")
            .expect("saved run");
        assert_eq!(saved.warnings.as_deref(), Some(warning.as_str()), "{name}");
    }
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM services").await,
        2
    );
}

#[tokio::test]
async fn a_bad_record_fails_only_its_own_file_naming_the_service() {
    let setup = setup().await;
    let good = full_service();
    let bad = plain_service(B, "Debt Advice", "not-an-email");
    let api = Api::new(
        vec![page(1, 1, vec![summary(&good), summary(&bad)])],
        vec![good, bad],
    );
    let url = serve(api).await;
    let done = go(&setup, &hsds_source("openreferral", &url)).await;
    let run = &done.run;
    assert_eq!(
        run.state.to_string(),
        "completed_with_failures",
        "{:?}",
        run.error_message
    );
    assert_eq!(
        (run.files_fetched, run.files_loaded, run.files_failed),
        (3, 2, 1)
    );
    let files = registry(&setup.db).await;
    let failed: Vec<_> = files.iter().filter(|f| f.1 == "failed").collect();
    assert_eq!(failed.len(), 1, "{files:?}");
    let (name, _, _, error) = failed[0];
    assert!(name.ends_with(&format!("-service-{B}.json")), "{name}");
    let error = error.as_deref().unwrap_or_default();
    assert!(
        error.starts_with(&format!("service {B}: "))
            && error.contains("services.csv")
            && error.contains("column email")
            && error.contains("not-an-email"),
        "{error}"
    );
    // The other service and everything in it loaded.
    has(&setup.db, "services", A, &[("provider_id", ORG)]).await;
    assert_eq!(rows_where(&setup.db, "services", &[("id", B)]).await, 0);
    assert_eq!(
        count(&setup.db, "SELECT COUNT(*) AS n FROM phones").await,
        5
    );
}

#[tokio::test]
async fn fields_signpost_does_not_store_are_the_runs_warnings() {
    let setup = setup().await;
    let mut a = plain_service(A, "Community Meals", "meals@example.org");
    a["colour"] = json!("blue");
    a["widgets"] = json!([{ "id": id(150), "size": 3 }]);
    a["phones"] = json!([{ "id": id(151), "number": "0113 111 1111", "fax_hours": "9-5" }]);
    let mut b = plain_service(B, "Debt Advice", "advice@example.org");
    b["colour"] = json!("red");
    let api = Api::new(vec![page(1, 1, vec![summary(&a), summary(&b)])], vec![a, b]);
    let url = serve(api).await;
    let done = go(&setup, &hsds_source("openreferral", &url)).await;
    assert_eq!(
        done.run.state.to_string(),
        "completed",
        "{:?}",
        done.run.error_message
    );
    let warnings = done.warnings.join("\n");
    assert!(
        warnings.contains("`widgets` in a service is not part of an HSDS 3.0 service"),
        "{warnings}"
    );
    assert!(
        warnings.contains("columns Signpost does not store for services: colour"),
        "{warnings}"
    );
    assert!(
        warnings.contains("(and 1 more file)"),
        "one warning for both services: {warnings}"
    );
    assert!(
        warnings.contains("columns Signpost does not store for phones: fax_hours"),
        "{warnings}"
    );
    // The import keeps them too, and the rows loaded.
    let imports = entities::imports::Entity::find()
        .all(&setup.db)
        .await
        .expect("imports");
    assert!(
        imports.iter().any(|import| import
            .warnings
            .as_ref()
            .is_some_and(|w| w.to_string().contains("colour"))),
        "{imports:?}"
    );
    has(&setup.db, "phones", id(151), &[("service_id", A)]).await;
}

#[tokio::test]
async fn a_run_stops_at_its_bounds_with_a_warning() {
    signpost::install_tls_provider();
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let services: Vec<Value> = (1..=4)
        .map(|n| plain_service(id(160 + n), &format!("Service {n}"), "x@example.org"))
        .collect();
    let api = Api::new(
        vec![
            page(1, 2, services[..2].iter().map(summary).collect()),
            page(2, 2, services[2..].iter().map(summary).collect()),
        ],
        services,
    );
    let url = serve(api.clone()).await;
    let source = hsds_source("bounded", &url);
    let client = signpost::ingest::fetch::client(&source).expect("client");
    let fetch = |bounds: signpost::ingest::hsds::Bounds| {
        let (client, source, store, url) =
            (client.clone(), source.clone(), store.clone(), url.clone());
        async move {
            let mut listed = signpost::ingest::hsds::Listed::default();
            signpost::ingest::hsds::fetch_pages(
                &client,
                &source,
                &url,
                &store,
                "sources/bounded/",
                &format!("{bounds:?}").replace(|c: char| !c.is_ascii_alphanumeric(), ""),
                bounds,
                &mut listed,
            )
            .await
            .expect("listed");
            listed
        }
    };
    let pages = fetch(signpost::ingest::hsds::Bounds {
        max_pages: 1,
        max_services: 100,
        modified_after: None,
    })
    .await;
    assert_eq!(pages.stored, 3, "one page and its two services");
    assert!(
        pages.warnings.len() == 1 && pages.warnings[0].contains("stopped after 1 pages"),
        "{:?}",
        pages.warnings
    );
    let services = fetch(signpost::ingest::hsds::Bounds {
        max_pages: 100,
        max_services: 3,
        modified_after: None,
    })
    .await;
    assert_eq!(services.stored, 2 + 3, "two pages and three services");
    assert!(
        services.warnings.len() == 1 && services.warnings[0].contains("stopped at 3 services"),
        "{:?}",
        services.warnings
    );
    assert!(pages.failed.is_empty() && services.failed.is_empty());
}

#[tokio::test]
async fn the_command_line_prints_a_runs_warnings() {
    let test_db = TestDb::new().await;
    let a = plain_service(A, "Community Meals", "meals@example.org");
    let api = Api::new(vec![page(1, 2, vec![summary(&a)])], vec![a]);
    let url = serve(api).await;
    let config = test_db.dir.path().join("signpost.toml");
    std::fs::write(
        &config,
        format!(
            "[[ingest.sources]]\nname = \"openreferral\"\nlist = {{ kind = \"hsds_api\", url = \"{url}\" }}\nloader = {{ kind = \"hsds\" }}\nretries = 0\n"
        ),
    )
    .expect("config");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"));
    command
        .env_remove("SIGNPOST_CONFIG")
        .env("RUST_LOG", "error")
        .env("DATABASE_URL", &test_db.url)
        .env("SIGNPOST_DATA_DIR", test_db.dir.path())
        .args(["--config", config.to_str().expect("path"), "ingest"]);
    let output = tokio::task::spawn_blocking(move || command.output().expect("run signpost"))
        .await
        .expect("joined");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("openreferral: completed (2 listed, 2 fetched, 2 loaded, 0 failed)"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|line| line.trim_start().starts_with("warning:")
                && line.contains("page=2")
                && line.contains("total_pages is 2")),
        "{stdout}"
    );
}
