//! Datasets where data-flow and analysts read them: `table-data` walked by Python
//! `mohawk`, the downloads, readers during a replacement (each sees one whole
//! version), one version processing at a time, and the `dataset` ingest loader.

use crate::datasets::{load, rows, upload_version};
use crate::helpers::{TestApp, fresh, spawn_app, spawn_app_with, token};
use serde_json::{Value, json};
use std::path::Path;

const PUBLIC_HOST: &str = "signpost.test";
const PIPELINE_KEY: &str = "pipeline-key-0123456789abcdef";

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

fn people(rows: usize, tag: &str) -> String {
    let mut csv = String::from("id,name,open\n");
    for i in 1..=rows {
        csv.push_str(&format!(
            "{i},{tag} {i},{}\n",
            if i % 2 == 0 { "yes" } else { "no" }
        ));
    }
    csv
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mohawk),
    ignore = "needs .venv with mohawk: set SIGNPOST_TEST_MOHAWK=1"
)]
async fn mohawk_walks_a_dataset_by_next_links() {
    let Some(python) = crate::helpers::mohawk_python("mohawk_walks_a_dataset_by_next_links") else {
        return;
    };
    let app = spawn_app_with(|config| {
        config.public_url = Some(format!("https://{PUBLIC_HOST}"));
        config.export_table_page_size = 9;
        config.hawk_clients = serde_json::from_value(json!({
            "pipeline": { "key": PIPELINE_KEY, "scopes": ["table-data", "table-structure"] },
        }))
        .expect("clients");
    })
    .await;
    let org = unique("walk");
    assert_eq!(
        load(&app, &org, "people", &people(40, "P")).await["state"],
        "COMPLETED"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hawk/mohawk_dataset.py");
    let mut command = std::process::Command::new(python);
    command
        .arg(script)
        .env("SIGNPOST_URL", app.url(""))
        .env("PUBLIC_URL", format!("https://{PUBLIC_HOST}"))
        .env("HAWK_ID", "pipeline")
        .env("HAWK_KEY", PIPELINE_KEY)
        .env("DATASET", format!("{org}/people"))
        .env("ROWS", "40")
        .env("PAGE_SIZE", "9");
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("run python");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "mohawk dataset walk failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.lines().last(),
        Some("mohawk dataset: all checks passed"),
        "{stdout}"
    );
}

async fn get_as(app: &TestApp, role: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("authorization", format!("Bearer {}", token(role)))
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_walk_finishes_on_its_version_and_downloads_are_whole() {
    let app = spawn_app_with(|config| config.export_table_page_size = 5).await;
    let org = unique("dl");
    load(&app, &org, "people", &people(12, "Old")).await;
    let first: Value = get_as(
        &app,
        "exporter",
        &format!("/api/v1/table-data/{org}/people"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(first["results"].as_array().unwrap().len(), 5, "{first}");
    assert_eq!(
        first["results"][0],
        json!({"id": 1, "name": "Old 1", "open": false})
    );
    // A new version lands mid-walk: the walk's next page is still the old one.
    load(&app, &org, "people", &people(3, "New")).await;
    let next = first["next"].as_str().unwrap();
    let path = &next[next.find("/api/").unwrap()..];
    let second: Value = get_as(&app, "exporter", path).await.json().await.unwrap();
    assert_eq!(second["results"][0]["name"], "Old 6", "{second}");
    // Two versions on, the walk's version is gone: told to start again.
    load(&app, &org, "people", &people(2, "Newer")).await;
    let gone = get_as(&app, "exporter", path).await;
    assert_eq!(gone.status(), 409);
    let body: Value = gone.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("start again"),
        "{body}"
    );

    let csv = get_as(
        &app,
        "exporter",
        &format!("/export/datasets/{org}/people.csv"),
    )
    .await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("-v3.csv")
    );
    assert_eq!(
        csv.text().await.unwrap(),
        "id,name,open\r\n1,Newer 1,false\r\n2,Newer 2,true\r\n"
    );
    let ndjson = get_as(
        &app,
        "exporter",
        &format!("/export/datasets/{org}/people.ndjson"),
    )
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(
        ndjson,
        "{\"id\":1,\"name\":\"Newer 1\",\"open\":false}\n{\"id\":2,\"name\":\"Newer 2\",\"open\":true}\n"
    );
    assert_eq!(
        get_as(
            &app,
            "reader",
            &format!("/export/datasets/{org}/people.csv")
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        get_as(
            &app,
            "exporter",
            &format!("/export/datasets/{org}/nope.csv")
        )
        .await
        .status(),
        404
    );
    let structure: Value = get_as(
        &app,
        "exporter",
        &format!("/api/v1/table-structure/{org}/people"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        structure["columns"][2],
        json!({"name": "open", "type": "boolean"})
    );
}

#[tokio::test]
async fn readers_during_a_replacement_see_one_whole_version() {
    let app = spawn_app().await;
    let org = unique("swap");
    load(&app, &org, "d", &people(300, "A")).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..3 {
        let (client, url, org, stop) = (
            app.client.clone(),
            app.url("/graphql"),
            org.clone(),
            stop.clone(),
        );
        readers.push(tokio::spawn(async move {
            let mut seen = std::collections::BTreeSet::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let answer: Value = client
                    .post(&url)
                    .header("authorization", format!("Bearer {}", token("exporter")))
                    .json(&json!({
                        "query": "query($o: String!) { dataset(organisation: $o, dataset: \"d\") { rows(first: 1000) { nodes { values } } } }",
                        "variables": {"o": org},
                    }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let nodes = answer["data"]["dataset"]["rows"]["nodes"].as_array().cloned().unwrap_or_default();
                let tags: std::collections::BTreeSet<String> = nodes
                    .iter()
                    .map(|n| n["values"]["name"].as_str().unwrap().split(' ').next().unwrap().to_owned())
                    .collect();
                assert_eq!(tags.len(), 1, "one page mixed versions: {tags:?}");
                let tag = tags.into_iter().next().unwrap();
                let expected = if tag == "A" { 300 } else { 200 };
                assert_eq!(nodes.len(), expected, "version {tag} read in part");
                seen.insert(tag);
            }
            seen
        }));
    }
    load(&app, &org, "d", &people(200, "B")).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        let seen = reader.await.expect("a reader saw a partial version");
        assert!(seen.contains("B"), "{seen:?}");
    }
    assert_eq!(rows(&app, &org, "d", 1000).await.len(), 200);
    if app.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // What psql sees: the view over the current version.
        use sea_orm::ConnectionTrait;
        let row = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                format!("SELECT COUNT(*) AS n FROM \"{org}\".\"d\""),
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 200);
    }
}

#[tokio::test]
async fn one_version_processes_at_a_time() {
    use signpost::dataset::{DatasetError, DatasetLimits, version};
    let (_test_db, db) = fresh().await;
    let store: signpost::store::Store =
        std::sync::Arc::new(signpost::store::memory::MemoryStore::new());
    let limits = DatasetLimits::default();
    let dataset = version::create(&db, &unique("busy"), "d", None)
        .await
        .unwrap();
    let body = || signpost::store::body_of(b"a\n1\n".to_vec());
    let one = version::upload(&db, &store, &dataset, "1.csv", body(), &limits, None)
        .await
        .unwrap();
    let two = version::upload(&db, &store, &dataset, "2.csv", body(), &limits, None)
        .await
        .unwrap();
    let one = version::verify(&db, &store, one, &limits).await.unwrap();
    let two = version::verify(&db, &store, two, &limits).await.unwrap();
    // Confirmed and not yet loaded: processing.
    version::confirm(&db, one.id, &[]).await.unwrap();
    let refused = version::confirm(&db, two.id, &[]).await.unwrap_err();
    assert!(
        matches!(refused, DatasetError::Conflict(ref m) if m.contains("version 1")),
        "{refused}"
    );
    let refused = version::upload(&db, &store, &dataset, "3.csv", body(), &limits, None)
        .await
        .unwrap_err();
    assert!(matches!(refused, DatasetError::Conflict(_)), "{refused}");
    // A processing version nobody has moved for longer than STALE was left by a
    // server that stopped: it fails, and work goes on.
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    entities::dataset_versions::ActiveModel {
        id: Set(one.id),
        updated_at: Set(chrono::Utc::now() - chrono::Duration::minutes(10)),
        ..Default::default()
    }
    .update(&db)
    .await
    .unwrap();
    version::confirm(&db, two.id, &[]).await.unwrap();
    let one = version::version(&db, one.id).await.unwrap();
    assert_eq!(
        one.state,
        entities::dataset_versions::DatasetVersionState::Failed
    );
    assert!(one.error_message.unwrap().contains("went away"));
}

#[tokio::test]
async fn an_ingest_source_lands_in_a_dataset_keeping_column_types() {
    use crate::ingest_run::{Files, serve, source};
    use signpost::ingest::Loader;
    use signpost::ingest::run::{self, Trigger};
    let app = spawn_app().await;
    let org = unique("feed");
    let files = Files::default();
    files.put("counts-1.csv", "ward,count\nnorth,1.5\nsouth,2\n");
    let index = serve(files.clone()).await;
    let feed = source(
        "counts",
        &index,
        r"counts-\d+\.csv",
        Loader::Dataset {
            organisation: org.clone(),
            dataset: "counts".into(),
        },
    );
    let store: signpost::store::Store =
        std::sync::Arc::new(signpost::store::memory::MemoryStore::new());
    let ingest = |db: sea_orm::DatabaseConnection,
                  store: signpost::store::Store,
                  feed: signpost::ingest::SourceConfig| async move {
        let created = run::create(&db, &feed, Trigger::Cli, false, "test")
            .await
            .unwrap();
        run::run(&db, &store, &feed, created, None).await.unwrap()
    };
    let done = ingest(app.db.clone(), store.clone(), feed.clone()).await;
    assert_eq!((done.files_loaded, done.files_failed), (1, 0), "{done:?}");
    assert_eq!(
        rows(&app, &org, "counts", 10).await,
        vec![
            json!({"ward": "north", "count": 1.5}),
            json!({"ward": "south", "count": 2})
        ]
    );
    // The next file holds only whole numbers: `count` stays numeric.
    files.put("counts-2.csv", "ward,count\nnorth,3\n");
    let done = ingest(app.db.clone(), store.clone(), feed.clone()).await;
    assert_eq!((done.files_loaded, done.files_failed), (1, 0), "{done:?}");
    let current = upload_version(&app, &org, "counts", "ward,count\neast,4\n").await;
    assert_eq!(current["preview"]["columns"][1]["inferredType"], "INTEGER");
    let columns = graphql_columns(&app, &org).await;
    assert_eq!(
        columns,
        json!([{"name": "ward", "type": "TEXT"}, {"name": "count", "type": "NUMERIC"}])
    );
    // A file that cannot load fails alone, naming why.
    files.put("counts-3.csv", "ward,ward\nx,y\n");
    let done = ingest(app.db.clone(), store.clone(), feed).await;
    assert_eq!(done.files_failed, 1, "{done:?}");
}

async fn graphql_columns(app: &TestApp, org: &str) -> Value {
    let answer = crate::helpers::graphql_as(
        app,
        "exporter",
        "query($o: String!) { dataset(organisation: $o, dataset: \"counts\") { columns { name type } } }",
        json!({"o": org}),
    )
    .await;
    answer["data"]["dataset"]["columns"].clone()
}
