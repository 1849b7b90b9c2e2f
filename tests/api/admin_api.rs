//! The admin console's API: `viewer`, `ingestSources` with their last run,
//! the files of a run (`IngestRun.files`, `dataFiles(filter: {run})`),
//! `confirmImport` (once per dry run, however often asked) with
//! `Import.confirms` / `confirmedBy` ([`confirm`]), and `activity` per UTC day.

mod confirm;

use crate::helpers::{
    TestApp, code, graphql_as, post_graphql, spawn_app, spawn_app_with, token_for,
};
use crate::import_http::upload;
use crate::ingest_run::{Files, serve, source};
use serde_json::{Value, json};
use signpost::ingest::{Listing, Loader};

pub const P1: &str = "0190d000-0000-7000-8000-000000000001";
pub const P2: &str = "0190d000-0000-7000-8000-000000000002";
pub const P3: &str = "0190d000-0000-7000-8000-000000000003";

const IMPORT: &str = "mutation($file: Upload!, $dryRun: Boolean) { importCsv(file: $file, dryRun: $dryRun) { id state dryRun rowsInserted } }";
pub const CONFIRM: &str = "mutation($id: ID!) { confirmImport(id: $id) { id state dryRun rowsInserted confirms confirmedBy } }";

pub async fn admin(app: &TestApp, query: &str, variables: Value) -> Value {
    graphql_as(app, "admin", query, variables).await
}

/// Imports `csv` as `organizations.csv` (a dry run or not); the import.
pub async fn import(app: &TestApp, csv: &str, dry_run: bool) -> Value {
    let body = upload(
        app,
        "admin",
        IMPORT,
        json!({"file": null, "dryRun": dry_run}),
        "organizations.csv",
        csv.as_bytes(),
    )
    .await;
    assert!(body["data"]["importCsv"].is_object(), "{body}");
    body["data"]["importCsv"].clone()
}

pub async fn count(app: &TestApp, list: &str) -> usize {
    let body = admin(
        app,
        &format!("{{ {list}(first: 100) {{ nodes {{ id }} }} }}"),
        json!({}),
    )
    .await;
    body["data"][list]["nodes"]
        .as_array()
        .map(Vec::len)
        .unwrap_or_else(|| panic!("{body}"))
}

#[tokio::test]
async fn viewer_names_the_caller_and_its_role() {
    let app = spawn_app().await;
    let query = "{ viewer { subject role } }";
    let anonymous = app.graphql(query, json!({})).await;
    assert_eq!(
        anonymous["data"]["viewer"],
        json!({"subject": null, "role": "ANONYMOUS"}),
        "{anonymous}"
    );
    let reader = graphql_as(&app, "reader", query, json!({})).await;
    assert_eq!(
        reader["data"]["viewer"],
        json!({"subject": "reader@example.org", "role": "READER"}),
        "{reader}"
    );
    let admin = graphql_as(&app, "admin", query, json!({})).await;
    assert_eq!(
        admin["data"]["viewer"],
        json!({"subject": "admin@example.org", "role": "ADMIN"}),
        "{admin}"
    );
    // Another reader is told its own name, not the first reader's.
    let as_ann = app.client.post(app.url("/graphql")).header(
        "authorization",
        format!("Bearer {}", token_for("ann@example.org", "reader")),
    );
    let other = post_graphql(as_ann, query, json!({})).await;
    assert_eq!(
        other["data"]["viewer"]["subject"], "ann@example.org",
        "{other}"
    );
}

/// Waits for the newest run of the app to end; the run.
async fn finished_run(app: &TestApp) -> Value {
    let runs = "{ ingestRuns(first: 1) { nodes { id state filesLoaded errorMessage } } }";
    for _ in 0..200 {
        let body = admin(app, runs, json!({})).await;
        let run = body["data"]["ingestRuns"]["nodes"][0].clone();
        if ["COMPLETED", "COMPLETED_WITH_FAILURES", "FAILED"]
            .contains(&run["state"].as_str().unwrap_or_default())
        {
            return run;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run did not end");
}

#[tokio::test]
async fn ingest_sources_show_their_last_run_and_runs_their_files() {
    let files = Files::default();
    files.put("organizations.csv", format!("id,name\n{P1},Food Bank\n"));
    let index = serve(files).await;
    let app = spawn_app_with(|config| {
        let mut prices = source(
            "prices",
            "https://example.org/",
            ".",
            Loader::Dataset {
                organisation: "acme".into(),
                dataset: "prices".into(),
            },
        );
        prices.list = Listing::Urls {
            urls: vec!["https://user:hunter2@example.org/p.csv?key=s3cret".into()],
        };
        prices.schedule = Some("0 3 1 1 *".into());
        config.ingest.sources = vec![
            source(
                "directory",
                &index,
                r"\.csv$",
                Loader::Directory { replace: false },
            ),
            prices,
        ];
    })
    .await;
    let sources =
        "{ ingestSources { name loader listing schedule lastRun { id state filesLoaded } } }";
    let refused = graphql_as(&app, "reader", sources, json!({})).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");

    let before = admin(&app, sources, json!({})).await;
    let listed = &before["data"]["ingestSources"];
    assert_eq!(listed[0]["name"], "directory", "{before}");
    assert_eq!(listed[0]["loader"], "hsds csv");
    assert!(
        listed[0]["listing"]
            .as_str()
            .is_some_and(|l| l.starts_with(&index)),
        "{before}"
    );
    assert_eq!(listed[0]["schedule"], Value::Null);
    assert_eq!(listed[0]["lastRun"], Value::Null, "never run: {before}");
    assert_eq!(listed[1]["loader"], "dataset acme/prices");
    assert_eq!(listed[1]["schedule"], "0 3 1 1 *");
    let shown = listed[1]["listing"].as_str().unwrap_or_default();
    assert!(shown.contains("example.org/p.csv"), "{before}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("s3cret") && !shown.contains("user"),
        "no credentials: {shown}"
    );

    let trigger =
        "mutation($force: Boolean!) { triggerIngest(source: \"directory\", force: $force) { id } }";
    let first = admin(&app, trigger, json!({"force": false})).await;
    let first_id = first["data"]["triggerIngest"]["id"].clone();
    let run = finished_run(&app).await;
    assert_eq!(
        (run["id"].clone(), run["state"].clone()),
        (first_id.clone(), json!("COMPLETED")),
        "{run}"
    );
    assert_eq!(run["errorMessage"], Value::Null, "{run}");
    let after = admin(&app, sources, json!({})).await;
    assert_eq!(
        after["data"]["ingestSources"][0]["lastRun"],
        json!({"id": first_id, "state": "COMPLETED", "filesLoaded": 1}),
        "{after}"
    );
    assert_eq!(after["data"]["ingestSources"][1]["lastRun"], Value::Null);

    let run_files = "{ ingestRuns(first: 5) { nodes { id files { fileName state rowsLoaded } } } }";
    let body = admin(&app, run_files, json!({})).await;
    assert_eq!(
        body["data"]["ingestRuns"]["nodes"][0]["files"],
        json!([{"fileName": "organizations.csv", "state": "PROCESSED", "rowsLoaded": 1}]),
        "{body}"
    );
    let by_run = "query($run: ID) { dataFiles(filter: {run: $run}) { nodes { fileName } } }";
    let body = admin(&app, by_run, json!({"run": first_id})).await;
    assert_eq!(
        body["data"]["dataFiles"]["nodes"],
        json!([{"fileName": "organizations.csv"}]),
        "{body}"
    );
    let body = admin(&app, by_run, json!({"run": P3})).await;
    assert_eq!(body["data"]["dataFiles"]["nodes"], json!([]), "{body}");
    let body = admin(&app, by_run, json!({"run": "nope"})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");

    // A forced run loads the file again: it is that run's file now.
    let second = admin(&app, trigger, json!({"force": true})).await;
    let second_id = second["data"]["triggerIngest"]["id"].clone();
    let run = finished_run(&app).await;
    assert_eq!(run["id"], second_id, "{run}");
    let body = admin(&app, run_files, json!({})).await;
    let runs = &body["data"]["ingestRuns"]["nodes"];
    assert_eq!(runs[0]["id"], second_id, "{body}");
    assert_eq!(
        runs[0]["files"][0]["fileName"], "organizations.csv",
        "{body}"
    );
    assert_eq!(runs[1]["files"], json!([]), "{body}");
    let body = admin(&app, by_run, json!({"run": second_id})).await;
    assert_eq!(
        body["data"]["dataFiles"]["nodes"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );

    let today = admin(
        &app,
        "{ activity(days: 1) { ingestRunsCompleted ingestRunsFailed filesLoaded } }",
        json!({}),
    )
    .await;
    assert_eq!(
        today["data"]["activity"],
        json!([{"ingestRunsCompleted": 2, "ingestRunsFailed": 0, "filesLoaded": 2}]),
        "{today}"
    );
}

/// An import row created `days_ago` days ago, completed with `rows` inserted.
async fn old_import(app: &TestApp, days_ago: i64, rows: i64) {
    use sea_orm::ActiveModelTrait;
    let at = signpost::stamp::now() - chrono::TimeDelta::days(days_ago);
    entities::imports::ActiveModel::from(entities::imports::Model {
        id: signpost::stamp::new_id(),
        record_type: Some("providers".into()),
        mode: signpost::import::Mode::Upsert,
        dry_run: false,
        force: false,
        strict: false,
        publish: false,
        file_name: "organizations.csv".into(),
        object_key: "imports/old".into(),
        sha256: String::new(),
        size_bytes: 0,
        state: entities::imports::ImportState::Completed,
        rows_total: rows,
        rows_inserted: rows,
        rows_updated: 0,
        rows_deleted: 0,
        rows_rejected: 0,
        errors: None,
        warnings: None,
        submitted_by: None,
        restored_from: None,
        created_at: at,
        updated_at: at,
        finished_at: Some(at),
        preview: None,
        rows_done: rows,
        confirms: None,
        encoding: None,
    })
    .insert(&app.db)
    .await
    .expect("insert an import");
}

#[tokio::test]
async fn activity_counts_each_utc_day_and_fills_the_quiet_ones() {
    let app = spawn_app().await;
    let query = "query($days: Int) { activity(days: $days) { day importsCompleted importsFailed rowsImported ingestRunsCompleted ingestRunsFailed filesLoaded } }";
    let today = chrono::Utc::now().date_naive();
    let day = |ago: u64| {
        (today - chrono::Days::new(ago))
            .format("%Y-%m-%d")
            .to_string()
    };
    let body = admin(&app, query, json!({"days": 7})).await;
    let days = body["data"]["activity"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(days.len(), 7, "{body}");
    assert_eq!(days[0]["day"], day(6));
    assert_eq!(days[6]["day"], day(0));
    let zero = json!({"importsCompleted": 0, "importsFailed": 0, "rowsImported": 0, "ingestRunsCompleted": 0, "ingestRunsFailed": 0, "filesLoaded": 0});
    for entry in &days {
        let mut counts = entry.clone();
        counts.as_object_mut().map(|c| c.remove("day"));
        assert_eq!(counts, zero, "{body}");
    }
    let body = admin(&app, "{ activity { day } }", json!({})).await;
    assert_eq!(
        body["data"]["activity"].as_array().map(Vec::len),
        Some(30),
        "{body}"
    );

    let applied = import(
        &app,
        &format!("id,name\n{P1},Food Bank\n{P2},Advice\n"),
        false,
    )
    .await;
    assert_eq!(applied["state"], "COMPLETED", "{applied}");
    let failed = import(&app, "id,name\nnot-a-uuid,Food Bank\n", false).await;
    assert_eq!(failed["state"], "FAILED", "{failed}");
    let dry = import(&app, &format!("id,name\n{P3},Library\n"), true).await;
    assert_eq!(dry["state"], "VALIDATED", "{dry}");
    old_import(&app, 3, 5).await;
    old_import(&app, 10, 7).await;

    let body = admin(&app, query, json!({"days": 7})).await;
    let days = body["data"]["activity"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(days.len(), 7, "{body}");
    assert_eq!(
        (
            days[6]["importsCompleted"].clone(),
            days[6]["importsFailed"].clone(),
            days[6]["rowsImported"].clone()
        ),
        (json!(1), json!(1), json!(2)),
        "today: {body}"
    );
    assert_eq!(days[3]["day"], day(3));
    assert_eq!(
        (
            days[3]["importsCompleted"].clone(),
            days[3]["rowsImported"].clone()
        ),
        (json!(1), json!(5)),
        "three days ago: {body}"
    );
    let total: i64 = days.iter().filter_map(|d| d["rowsImported"].as_i64()).sum();
    assert_eq!(total, 7, "ten days ago is outside the window: {body}");
    let body = admin(&app, query, json!({"days": 11})).await;
    assert_eq!(body["data"]["activity"][0]["day"], day(10), "{body}");
    assert_eq!(body["data"]["activity"][0]["rowsImported"], 7, "{body}");

    for days in [0, 367, -1] {
        let body = admin(&app, query, json!({"days": days})).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("days:"), "{message}");
    }
    let body = admin(&app, query, json!({"days": 366})).await;
    assert_eq!(
        body["data"]["activity"].as_array().map(Vec::len),
        Some(366),
        "{body}"
    );
    let body = graphql_as(&app, "reader", query, json!({"days": 1})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
}
