//! Telling others of completed changes, end to end: a fake data-flow server in
//! Python `mohawk` (`tests/hawk/fake_dataflow.py`, as the real one verifies HAWK)
//! is triggered once per completed dataset version or directory import and its
//! run followed to the end (`dataflow { state runId … }`), retried while it is
//! down, failed when its run fails, times out or its answers do not verify; and
//! webhooks, received here, get one HMAC-signed delivery per change, the same
//! delivery again after an error.

use crate::datasets::{confirm, create, load, upload_version};
use crate::helpers::{TestApp, graphql_as, mohawk_python, spawn_app_with};
use crate::import_http::upload;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use entities::notifications::{self, NotificationState};
use hmac::{Hmac, Mac};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use signpost::notify::{DataflowConfig, WebhookConfig};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const HAWK_ID: &str = "signpost";
const HAWK_KEY: &str = "dataflow-key-0123456789abcdef";
const FLOW: &str = "state runId dagId attempts error";
const IMPORT: &str = "mutation($file: Upload!, $dryRun: Boolean) { importCsv(file: $file, dryRun: $dryRun) { id state dryRun rowsInserted } }";
const ORGANIZATIONS: &str = "id,name,published\n\
    0190a000-0000-7000-8000-0000000000f1,Flow Food Bank,true\n\
    0190a000-0000-7000-8000-0000000000f2,Flow Advice,true\n";
/// Long enough for the worker (every 50 ms here) to have done anything it would.
const SETTLE: Duration = Duration::from_millis(800);

fn unique(prefix: &str) -> String {
    // PostgreSQL schemas are per organisation and outlive a test's own schema.
    format!(
        "{prefix}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// `tests/hawk/fake_dataflow.py`, running until dropped.
struct FakeDataflow {
    child: Child,
    url: String,
    log: PathBuf,
    // Kept open: the server may still write to it.
    _stdout: BufReader<ChildStdout>,
    _dir: tempfile::TempDir,
}

impl FakeDataflow {
    /// Starts the fake with `modes` (its environment: `FAIL_TRIGGERS`,
    /// `RUNNING_POLLS`, `RUN_OUTCOME`, `TAMPER_RESPONSES`).
    fn start(python: &Path, modes: &[(&str, &str)]) -> FakeDataflow {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hawk/fake_dataflow.py");
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("fake_dataflow.log");
        let mut command = Command::new(python);
        command
            .arg(script)
            .env("HAWK_ID", HAWK_ID)
            .env("HAWK_KEY", HAWK_KEY)
            .env("PORT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"));
        for (name, value) in modes {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("start the fake data-flow");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the fake's first line");
        let Some(port) = line.trim().strip_prefix("PORT ") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the fake data-flow did not start ({line:?}): {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        FakeDataflow {
            url: format!("http://127.0.0.1:{port}"),
            child,
            log,
            _stdout: stdout,
            _dir: dir,
        }
    }

    /// What the fake saw: `triggers`, `rejected`, `unavailable`, `polls`,
    /// `unknown_runs`.
    async fn seen(&self) -> Value {
        reqwest::get(format!("{}/_triggers", self.url))
            .await
            .expect("the fake's /_triggers")
            .json()
            .await
            .expect("JSON")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Signpost's `[dataflow]` for this fake, `dags` and `extra` fields over
    /// fast test settings.
    fn config(&self, dags: Value, extra: Value) -> DataflowConfig {
        let mut config = json!({
            "url": self.url,
            "hawk_id": HAWK_ID,
            "hawk_key": HAWK_KEY,
            "dags": dags,
            "poll_ms": 100,
            "retry_ms": 100,
            "request_timeout_secs": 10,
            "max_attempts": 5,
        });
        for (key, value) in extra.as_object().cloned().unwrap_or_default() {
            config[key] = value;
        }
        serde_json::from_value(config).expect("dataflow config")
    }
}

impl Drop for FakeDataflow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server that tells `fake` of every dataset's new versions (DAG `EveryDataset`).
async fn app_for_every_dataset(fake: &FakeDataflow) -> TestApp {
    app_with(
        Some(fake.config(json!({"datasets": "EveryDataset"}), json!({}))),
        Vec::new(),
    )
    .await
}

async fn app_with(dataflow: Option<DataflowConfig>, webhooks: Vec<WebhookConfig>) -> TestApp {
    spawn_app_with(move |config| {
        config.dataflow = dataflow;
        config.webhooks = webhooks;
        config.notify_poll_ms = 50;
    })
    .await
}

/// `field(id: $id) { dataflow { … } }` now.
async fn dataflow_now(app: &TestApp, field: &str, id: &str) -> Value {
    let answer = graphql_as(
        app,
        "admin",
        &format!("query($id: ID!) {{ {field}(id: $id) {{ dataflow {{ {FLOW} }} }} }}"),
        json!({"id": id}),
    )
    .await;
    assert!(answer["errors"].is_null(), "{answer}");
    answer["data"][field]["dataflow"].clone()
}

/// Follows `field(id)`'s data-flow until it is COMPLETED or FAILED: the states
/// seen on the way (`null` before it is fanned out; repeats dropped) and the end.
async fn follow(app: &TestApp, field: &str, id: &str, fake: &FakeDataflow) -> (Vec<String>, Value) {
    let started = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let flow = dataflow_now(app, field, id).await;
        let state = flow["state"].as_str().unwrap_or("null").to_owned();
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        if state == "COMPLETED" || state == "FAILED" {
            return (seen, flow);
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{field} {id}: data-flow never ended; states seen {seen:?}, last {flow}\nfake data-flow log:\n{}",
            fake.log()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn triggers(seen: &Value) -> Vec<Value> {
    seen["triggers"].as_array().cloned().unwrap_or_default()
}

fn conf(schema: &str, table: &str) -> Value {
    json!({"data_uploader_schema_name": schema, "data_uploader_table_name": table})
}

/// The notifications rows about `subject`.
async fn notifications_of(app: &TestApp, subject: &str) -> Vec<notifications::Model> {
    notifications::Entity::find()
        .filter(notifications::Column::SubjectId.eq(uuid::Uuid::parse_str(subject).unwrap()))
        .all(&app.db)
        .await
        .unwrap()
}

async fn import(app: &TestApp, dry_run: bool) -> Value {
    let answer = upload(
        app,
        "admin",
        IMPORT,
        json!({"file": null, "dryRun": dry_run}),
        "organizations.csv",
        ORGANIZATIONS.as_bytes(),
    )
    .await;
    let import = answer["data"]["importCsv"].clone();
    let expected = if dry_run { "VALIDATED" } else { "COMPLETED" };
    assert_eq!(import["state"], expected, "{answer}");
    import
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mohawk),
    ignore = "needs .venv with mohawk: set SIGNPOST_TEST_MOHAWK=1"
)]
async fn a_completed_version_triggers_one_signed_run_followed_to_its_end() {
    let Some(python) =
        mohawk_python("a_completed_version_triggers_one_signed_run_followed_to_its_end")
    else {
        return;
    };
    let fake = FakeDataflow::start(&python, &[("RUNNING_POLLS", "4")]);
    let org = unique("flow");
    let dags = json!({
        "datasets": "EveryDataset",
        format!("datasets/{org}/prices"): "PricesPipeline",
        "directory": "DirectoryPipeline",
    });
    let app = app_with(Some(fake.config(dags, json!({}))), Vec::new()).await;

    let first = load(&app, &org, "prices", "id,price\n1,2.50\n2,3.75\n").await;
    assert_eq!(first["state"], "COMPLETED", "{first}");
    let first_id = first["id"].as_str().unwrap().to_owned();
    let (states, flow) = follow(&app, "datasetVersion", &first_id, &fake).await;
    assert!(
        states.contains(&"PROCESSING_DATAFLOW".to_owned()),
        "the run is followed while data-flow says running: {states:?}"
    );
    assert_eq!(states.last().map(String::as_str), Some("COMPLETED"));
    assert_eq!(flow["runId"], "manual__1", "{flow}");
    assert_eq!(
        flow["dagId"], "PricesPipeline",
        "the most specific DAG: {flow}"
    );
    assert_eq!(flow["error"], Value::Null, "{flow}");
    let seen = fake.seen().await;
    assert_eq!(
        triggers(&seen),
        vec![json!({
            "dag_id": "PricesPipeline",
            "conf": conf(&org, "prices"),
            "run_id": "manual__1",
            "hawk_id": HAWK_ID,
            "hashed": true,
        })],
        "{seen}"
    );
    assert_eq!(
        seen["rejected"],
        json!([]),
        "every request verified: {seen}"
    );
    assert_eq!(seen["unknown_runs"], json!([]), "{seen}");
    // Four `running` answers, then `success`: no poll after the end.
    tokio::time::sleep(SETTLE).await;
    assert_eq!(fake.seen().await["polls"], json!({"manual__1": 5}));

    // A second version: one more run, the first version's own unchanged.
    let second = load(&app, &org, "prices", "id,price\n1,4.00\n").await;
    assert_eq!(second["state"], "COMPLETED", "{second}");
    let second_id = second["id"].as_str().unwrap().to_owned();
    let (_, flow) = follow(&app, "datasetVersion", &second_id, &fake).await;
    assert_eq!(
        (&flow["state"], &flow["runId"]),
        (&json!("COMPLETED"), &json!("manual__2")),
        "{flow}"
    );
    tokio::time::sleep(SETTLE).await;
    let seen = fake.seen().await;
    let all = triggers(&seen);
    assert_eq!(all.len(), 2, "exactly one more trigger: {seen}");
    assert_eq!(all[1]["conf"], conf(&org, "prices"), "{seen}");
    let first_flow = dataflow_now(&app, "datasetVersion", &first_id).await;
    assert_eq!(
        (&first_flow["state"], &first_flow["runId"]),
        (&json!("COMPLETED"), &json!("manual__1")),
        "{first_flow}"
    );

    // Another dataset of the organisation falls back to the `datasets` DAG.
    let other = load(&app, &org, "stock", "sku,count\nA1,3\n").await;
    let (_, flow) = follow(&app, "datasetVersion", other["id"].as_str().unwrap(), &fake).await;
    assert_eq!(flow["dagId"], "EveryDataset", "{flow}");
    let seen = fake.seen().await;
    assert_eq!(triggers(&seen).len(), 3, "{seen}");
    assert_eq!(triggers(&seen)[2]["dag_id"], "EveryDataset", "{seen}");
    assert_eq!(triggers(&seen)[2]["conf"], conf(&org, "stock"), "{seen}");
    assert_eq!(seen["rejected"], json!([]), "{seen}");
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mohawk),
    ignore = "needs .venv with mohawk: set SIGNPOST_TEST_MOHAWK=1"
)]
async fn a_failed_version_triggers_nothing() {
    let Some(python) = mohawk_python("a_failed_version_triggers_nothing") else {
        return;
    };
    let fake = FakeDataflow::start(&python, &[]);
    let app = app_for_every_dataset(&fake).await;
    let org = unique("flowbad");
    assert!(create(&app, &org, "amounts").await["errors"].is_null());
    // A value that does not fit the type it is confirmed as: the load fails.
    let uploaded = upload_version(&app, &org, "amounts", "id,amount\n1,10\n2,lots\n").await;
    assert_eq!(uploaded["state"], "VERIFIED", "{uploaded}");
    let bad_load = uploaded["id"].as_str().unwrap().to_owned();
    let failed = confirm(
        &app,
        &bad_load,
        json!([{"name": "amount", "type": "INTEGER"}]),
    )
    .await;
    assert_eq!(failed["state"], "FAILED", "{failed}");
    // A header the preview refuses: failed before it could be confirmed.
    let refused = upload_version(&app, &org, "amounts", "id,_row\n1,2\n").await;
    assert_eq!(refused["state"], "FAILED", "{refused}");
    let bad_preview = refused["id"].as_str().unwrap().to_owned();

    // A good version afterwards is told: the worker runs, and did nothing for the others.
    let good = load(&app, &org, "good", "id\n1\n").await;
    let (_, flow) = follow(&app, "datasetVersion", good["id"].as_str().unwrap(), &fake).await;
    assert_eq!(flow["state"], "COMPLETED", "{flow}");
    tokio::time::sleep(SETTLE).await;
    let seen = fake.seen().await;
    assert_eq!(
        triggers(&seen)
            .iter()
            .map(|t| t["conf"].clone())
            .collect::<Vec<_>>(),
        vec![conf(&org, "good")],
        "only the completed version triggers a run: {seen}"
    );
    for id in [&bad_load, &bad_preview] {
        assert_eq!(dataflow_now(&app, "datasetVersion", id).await, Value::Null);
        assert!(
            notifications_of(&app, id).await.is_empty(),
            "a failed version records no change"
        );
    }
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mohawk),
    ignore = "needs .venv with mohawk: set SIGNPOST_TEST_MOHAWK=1"
)]
async fn a_dataflow_that_is_down_is_tried_again() {
    let Some(python) = mohawk_python("a_dataflow_that_is_down_is_tried_again") else {
        return;
    };
    let fake = FakeDataflow::start(&python, &[("FAIL_TRIGGERS", "2")]);
    let app = app_for_every_dataset(&fake).await;
    let org = unique("flowdown");
    let version = load(&app, &org, "d", "id\n1\n").await;
    let id = version["id"].as_str().unwrap().to_owned();
    let (states, flow) = follow(&app, "datasetVersion", &id, &fake).await;
    assert_eq!(
        flow["state"],
        "COMPLETED",
        "{flow} after {states:?}\n{}",
        fake.log()
    );
    assert_eq!(flow["runId"], "manual__1", "{flow}");
    assert_eq!(flow["error"], Value::Null, "a run that went well: {flow}");
    tokio::time::sleep(SETTLE).await;
    let seen = fake.seen().await;
    assert_eq!(seen["unavailable"], 2, "two 503s first: {seen}");
    assert_eq!(triggers(&seen).len(), 1, "one run: {seen}");
    assert_eq!(triggers(&seen)[0]["conf"], conf(&org, "d"), "{seen}");
    assert_eq!(seen["rejected"], json!([]), "{seen}");
    // Two answered 503 and the third triggered the run.
    assert!(
        flow["attempts"].as_i64().unwrap_or_default() >= 3,
        "attempts counts every trigger tried: {flow}"
    );
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mohawk),
    ignore = "needs .venv with mohawk: set SIGNPOST_TEST_MOHAWK=1"
)]
async fn a_run_that_fails_or_never_ends_is_failed_naming_it() {
    let Some(python) = mohawk_python("a_run_that_fails_or_never_ends_is_failed_naming_it") else {
        return;
    };
    // Data-flow says the run failed.
    let fake = FakeDataflow::start(&python, &[("RUN_OUTCOME", "failed")]);
    let app = app_for_every_dataset(&fake).await;
    let org = unique("flowfail");
    let version = load(&app, &org, "d", "id\n1\n").await;
    let (_, flow) = follow(
        &app,
        "datasetVersion",
        version["id"].as_str().unwrap(),
        &fake,
    )
    .await;
    assert_eq!(flow["state"], "FAILED", "{flow}");
    assert_eq!(flow["runId"], "manual__1", "{flow}");
    let error = flow["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("manual__1") && error.contains("failed"),
        "the error names the run and how it ended: {flow}"
    );
    tokio::time::sleep(SETTLE).await;
    let seen = fake.seen().await;
    assert_eq!(
        triggers(&seen).len(),
        1,
        "a failed run is not triggered again: {seen}"
    );
    assert_eq!(
        seen["polls"],
        json!({"manual__1": 2}),
        "no poll after the end: {seen}"
    );
    drop(app);

    // A run still running after `timeout_secs`.
    let fake = FakeDataflow::start(&python, &[("RUNNING_POLLS", "1000000")]);
    let app = app_with(
        Some(fake.config(
            json!({"datasets": "EveryDataset"}),
            json!({"timeout_secs": 1}),
        )),
        Vec::new(),
    )
    .await;
    let version = load(&app, &org, "slow", "id\n1\n").await;
    let (states, flow) = follow(
        &app,
        "datasetVersion",
        version["id"].as_str().unwrap(),
        &fake,
    )
    .await;
    assert!(
        states.contains(&"PROCESSING_DATAFLOW".to_owned()),
        "{states:?}"
    );
    assert_eq!(flow["state"], "FAILED", "{flow}");
    let error = flow["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("manual__1") && error.contains("not finished"),
        "the error names the run that timed out: {flow}"
    );
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mohawk),
    ignore = "needs .venv with mohawk: set SIGNPOST_TEST_MOHAWK=1"
)]
async fn answers_that_do_not_verify_fail_at_once() {
    let Some(python) = mohawk_python("answers_that_do_not_verify_fail_at_once") else {
        return;
    };
    // Signpost signs with the wrong key: data-flow answers 401, not tried again.
    let fake = FakeDataflow::start(&python, &[]);
    let config = fake.config(
        json!({"datasets": "EveryDataset"}),
        json!({"hawk_key": "not-the-key-data-flow-knows-0000"}),
    );
    let app = app_with(Some(config), Vec::new()).await;
    let org = unique("flowkey");
    let version = load(&app, &org, "d", "id\n1\n").await;
    let (_, flow) = follow(
        &app,
        "datasetVersion",
        version["id"].as_str().unwrap(),
        &fake,
    )
    .await;
    assert_eq!(flow["state"], "FAILED", "{flow}");
    assert!(
        flow["error"].as_str().unwrap_or_default().contains("401"),
        "{flow}"
    );
    tokio::time::sleep(SETTLE).await;
    let seen = fake.seen().await;
    assert_eq!(triggers(&seen), Vec::<Value>::new(), "{seen}");
    let rejected = seen["rejected"].as_array().cloned().unwrap_or_default();
    assert_eq!(rejected.len(), 1, "refused once, not tried again: {seen}");
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("MacMismatch"),
        "{seen}"
    );
    drop(app);

    // Data-flow's answer changed on the way (its signature no longer verifies):
    // Signpost does not believe the run id and fails at once.
    let fake = FakeDataflow::start(&python, &[("TAMPER_RESPONSES", "1")]);
    let app = app_for_every_dataset(&fake).await;
    let version = load(&app, &org, "tampered", "id\n1\n").await;
    let (_, flow) = follow(
        &app,
        "datasetVersion",
        version["id"].as_str().unwrap(),
        &fake,
    )
    .await;
    assert_eq!(flow["state"], "FAILED", "{flow}");
    assert_eq!(flow["runId"], Value::Null, "{flow}");
    assert!(
        flow["error"]
            .as_str()
            .unwrap_or_default()
            .contains("does not verify"),
        "{flow}"
    );
    tokio::time::sleep(SETTLE).await;
    let seen = fake.seen().await;
    assert_eq!(triggers(&seen).len(), 1, "not tried again: {seen}");
    assert_eq!(seen["polls"], json!({}), "{seen}");
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mohawk),
    ignore = "needs .venv with mohawk: set SIGNPOST_TEST_MOHAWK=1"
)]
async fn an_import_that_changes_the_directory_triggers_one_directory_run() {
    let Some(python) =
        mohawk_python("an_import_that_changes_the_directory_triggers_one_directory_run")
    else {
        return;
    };
    let fake = FakeDataflow::start(&python, &[]);
    // No DAG for datasets: a dataset version is told to no one.
    let dags = json!({"directory": "DirectoryPipeline", "directory/services": "ServicesPipeline"});
    let app = app_with(Some(fake.config(dags, json!({}))), Vec::new()).await;
    let org = unique("flowdir");
    let version = load(&app, &org, "d", "id\n1\n").await;
    assert_eq!(version["state"], "COMPLETED", "{version}");

    let dry = import(&app, true).await;
    let done = import(&app, false).await;
    assert_eq!(done["rowsInserted"], 2, "{done}");
    let (states, flow) = follow(&app, "import", done["id"].as_str().unwrap(), &fake).await;
    assert_eq!(flow["state"], "COMPLETED", "{flow} after {states:?}");
    assert_eq!(flow["dagId"], "DirectoryPipeline", "{flow}");
    assert_eq!(flow["runId"], "manual__1", "{flow}");
    tokio::time::sleep(SETTLE).await;
    let seen = fake.seen().await;
    assert_eq!(
        triggers(&seen),
        vec![json!({
            "dag_id": "DirectoryPipeline",
            "conf": conf("directory", "providers"),
            "run_id": "manual__1",
            "hawk_id": HAWK_ID,
            "hashed": true,
        })],
        "one run for the import, none for the dry run or the dataset: {seen}"
    );
    assert_eq!(seen["rejected"], json!([]), "{seen}");
    assert_eq!(
        dataflow_now(&app, "import", dry["id"].as_str().unwrap()).await,
        Value::Null
    );
    assert_eq!(
        dataflow_now(&app, "datasetVersion", version["id"].as_str().unwrap()).await,
        Value::Null,
        "no DAG for datasets"
    );
}

// --- Webhooks ---------------------------------------------------------------

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Delivery {
    hook: String,
    event: String,
    delivery: String,
    signature: String,
    body: Vec<u8>,
    answered: u16,
}

impl Delivery {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// Whether `x-signpost-signature` is `sha256=<hex HMAC-SHA256(secret, body)>`.
    fn signed_with(&self, secret: &str) -> bool {
        let Some(hex_mac) = self.signature.strip_prefix("sha256=") else {
            return false;
        };
        let Ok(mac) = hex::decode(hex_mac) else {
            return false;
        };
        let mut expected = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        expected.update(&self.body);
        expected.verify_slice(&mac).is_ok()
    }
}

#[derive(Default)]
struct Received {
    deliveries: Vec<Delivery>,
    /// Requests still to answer 500.
    failures_left: usize,
}

type Receiver = Arc<Mutex<Received>>;

async fn receive(
    State(received): State<Receiver>,
    UrlPath(hook): UrlPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut received = received.lock().unwrap();
    let status = if received.failures_left > 0 {
        received.failures_left -= 1;
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    received.deliveries.push(Delivery {
        hook,
        event: header("x-signpost-event"),
        delivery: header("x-signpost-delivery"),
        signature: header("x-signpost-signature"),
        body: body.to_vec(),
        answered: status.as_u16(),
    });
    status
}

/// A webhook receiver on a random port (`POST /{hook}`) answering 500 to its
/// first `failures` requests; its base URL.
async fn receiver(failures: usize) -> (String, Receiver) {
    let received: Receiver = Arc::new(Mutex::new(Received {
        deliveries: Vec::new(),
        failures_left: failures,
    }));
    let router = axum::Router::new()
        .route("/{hook}", axum::routing::post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}"), received)
}

fn webhook(name: &str, url: String, secret: &str, events: &[&str]) -> WebhookConfig {
    serde_json::from_value(json!({
        "name": name,
        "url": url,
        "secret": secret,
        "events": events,
        "retry_ms": 100,
        "timeout_secs": 10,
    }))
    .expect("webhook config")
}

/// The deliveries once `done` says they are all there (fails after a minute),
/// then after [`SETTLE`] more, so that one too many is seen.
async fn deliveries_when(received: &Receiver, done: impl Fn(&[Delivery]) -> bool) -> Vec<Delivery> {
    let started = Instant::now();
    loop {
        let now = received.lock().unwrap().deliveries.clone();
        if done(&now) {
            tokio::time::sleep(SETTLE).await;
            return received.lock().unwrap().deliveries.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the deliveries never came: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn webhooks_get_one_signed_delivery_per_completed_change() {
    let (url, received) = receiver(0).await;
    let hooks = vec![
        webhook(
            "everything",
            format!("{url}/everything"),
            "everything-secret",
            &["*"],
        ),
        webhook(
            "imports",
            format!("{url}/imports"),
            "imports-secret",
            &["import.completed"],
        ),
    ];
    let app = app_with(None, hooks).await;
    let org = unique("hooks");
    let version = load(&app, &org, "prices", "id,price\n1,2.50\n2,3.75\n").await;
    assert_eq!(version["state"], "COMPLETED", "{version}");
    let version_id = version["id"].as_str().unwrap().to_owned();
    let dry = import(&app, true).await;
    let done = import(&app, false).await;
    let import_id = done["id"].as_str().unwrap().to_owned();

    let all = deliveries_when(&received, |d| d.len() >= 3).await;
    let of = |hook: &str| -> Vec<Delivery> {
        all.iter()
            .filter(|d| d.hook == hook)
            .cloned()
            .collect::<Vec<_>>()
    };
    let everything = of("everything");
    let imports = of("imports");
    assert_eq!(
        everything
            .iter()
            .map(|d| d.event.as_str())
            .collect::<Vec<_>>(),
        vec!["dataset.version.completed", "import.completed"],
        "one delivery per change, none for the dry run: {all:?}"
    );
    assert_eq!(
        imports.iter().map(|d| d.event.as_str()).collect::<Vec<_>>(),
        vec!["import.completed"],
        "only the events asked for: {all:?}"
    );
    for (deliveries, secret, wrong) in [
        (&everything, "everything-secret", "imports-secret"),
        (&imports, "imports-secret", "everything-secret"),
    ] {
        for delivery in deliveries {
            assert!(delivery.signed_with(secret), "{delivery:?}");
            assert!(!delivery.signed_with(wrong), "{delivery:?}");
            assert_eq!(delivery.answered, 200);
            assert_eq!(delivery.json()["event"], delivery.event.as_str());
            assert!(
                uuid::Uuid::parse_str(&delivery.delivery).is_ok(),
                "{delivery:?}"
            );
            assert!(
                delivery.json()["occurredAt"]
                    .as_str()
                    .is_some_and(|at| chrono::DateTime::parse_from_rfc3339(at).is_ok()),
                "{delivery:?}"
            );
        }
    }
    let mut ids: Vec<&str> = all.iter().map(|d| d.delivery.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "a delivery id per hook and change: {all:?}");

    let body = everything[0].json();
    assert_eq!(
        (
            &body["subject"],
            &body["schema"],
            &body["table"],
            &body["details"]["version"],
            &body["details"]["rows"]
        ),
        (
            &json!({"kind": "dataset_version", "id": version_id}),
            &json!(org),
            &json!("prices"),
            &json!(1),
            &json!(2)
        ),
        "{body}"
    );
    for body in [everything[1].json(), imports[0].json()] {
        assert_eq!(
            (
                &body["subject"],
                &body["schema"],
                &body["table"],
                &body["details"]["inserted"]
            ),
            (
                &json!({"kind": "import", "id": import_id}),
                &json!("directory"),
                &json!("providers"),
                &json!(2)
            ),
            "{body}"
        );
    }
    assert!(
        notifications_of(&app, dry["id"].as_str().unwrap())
            .await
            .is_empty()
    );
    let rows = notifications_of(&app, &import_id).await;
    let targets: BTreeMap<String, NotificationState> = rows
        .iter()
        .map(|row| (row.target.clone(), row.state))
        .collect();
    assert_eq!(
        targets,
        BTreeMap::from([
            ("change".to_owned(), NotificationState::Completed),
            (
                "webhook:everything".to_owned(),
                NotificationState::Completed
            ),
            ("webhook:imports".to_owned(), NotificationState::Completed),
        ]),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_webhook_that_answered_500_gets_the_same_delivery_again() {
    let (url, received) = receiver(1).await;
    let app = app_with(
        None,
        vec![webhook(
            "flaky",
            format!("{url}/flaky"),
            "flaky-secret",
            &["*"],
        )],
    )
    .await;
    let org = unique("hookretry");
    let version = load(&app, &org, "d", "id\n1\n").await;
    let version_id = version["id"].as_str().unwrap().to_owned();

    let all = deliveries_when(&received, |d| d.iter().any(|d| d.answered == 200)).await;
    assert_eq!(
        all.iter().map(|d| d.answered).collect::<Vec<_>>(),
        vec![500, 200],
        "tried again after the 500, then no more: {all:?}"
    );
    assert_eq!(all[0].delivery, all[1].delivery, "the same delivery id");
    assert!(uuid::Uuid::parse_str(&all[0].delivery).is_ok(), "{all:?}");
    assert_eq!(all[0].body, all[1].body, "the same body");
    assert_eq!(all[1].event, "dataset.version.completed");
    assert_eq!(all[1].json()["subject"]["id"], version_id.as_str());
    assert!(all.iter().all(|d| d.signed_with("flaky-secret")), "{all:?}");
    let rows = notifications_of(&app, &version_id).await;
    let hook = rows
        .iter()
        .find(|row| row.target == "webhook:flaky")
        .expect("the delivery's row");
    assert_eq!(hook.state, NotificationState::Completed, "{hook:?}");
    assert_eq!(
        hook.id.to_string(),
        all[0].delivery,
        "the delivery id is the row's"
    );
}
