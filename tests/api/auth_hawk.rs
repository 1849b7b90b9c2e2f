//! HAWK on `/graphql` with real signatures: made here with the `hawk` crate as a
//! client, and by Python `mohawk` (the client existing pipelines use) when its venv
//! is there. The server sits "behind a proxy": clients sign for the public URL
//! `https://signpost.test` while the request goes to 127.0.0.1.

use crate::fixtures;
use crate::helpers::{TestApp, spawn_app_with};
use hawk::{Credentials, DigestAlgorithm, Header, Key, PayloadHasher, RequestBuilder};
use serde_json::{Value, json};
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

const PUBLIC_HOST: &str = "signpost.test";
const PUBLIC_PORT: u16 = 443;
const EXPORT_KEY: &str = "export-key-0123456789abcdef";
const QUERY: &str = r#"{"query":"{ services { nodes { name } } }"}"#;

async fn hawk_app() -> TestApp {
    spawn_app_with(|config| {
        config.public_url = Some(format!("https://{PUBLIC_HOST}"));
        config.hawk_clients = serde_json::from_value(json!({
            "pipeline": { "key": EXPORT_KEY, "scopes": ["export"] },
            "compat": { "key": "compat-key-0123456789", "scopes": ["table-data"] },
        }))
        .expect("clients");
    })
    .await
}

fn credentials(id: &str, key: &str) -> Credentials {
    Credentials {
        id: id.into(),
        key: Key::new(key.as_bytes(), DigestAlgorithm::Sha256).expect("key"),
    }
}

fn hash(content_type: &str, body: &[u8]) -> Vec<u8> {
    PayloadHasher::hash(content_type.as_bytes(), DigestAlgorithm::Sha256, body).expect("hash")
}

/// A HAWK header for POST /graphql with `body`, signed for `host`:`port` at `ts`.
fn sign(credentials: &Credentials, host: &str, port: u16, body: &str, ts: SystemTime) -> Header {
    let payload = hash("application/json", body.as_bytes());
    RequestBuilder::new("POST", host, port, "/graphql")
        .hash(&payload[..])
        .request()
        .make_header_full(credentials, ts, format!("n{}", rand_nonce()))
        .expect("header")
}

fn rand_nonce() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}

async fn post(app: &TestApp, header: &Header, body: &str) -> reqwest::Response {
    app.client
        .post(app.url("/graphql"))
        .header("content-type", "application/json; charset=utf-8")
        .header("authorization", format!("Hawk {header}"))
        .body(body.to_owned())
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn signed_requests_are_answered_with_signed_responses() {
    let app = hawk_app().await;
    let provider = fixtures::provider(&app.db, "Hawk Provider").await;
    let mut draft = fixtures::service_model(provider, "Draft Service");
    draft.published = sea_orm::ActiveValue::Set(false);
    fixtures::try_service(&app.db, draft).await.expect("draft");

    let pipeline = credentials("pipeline", EXPORT_KEY);
    let header = sign(
        &pipeline,
        PUBLIC_HOST,
        PUBLIC_PORT,
        QUERY,
        SystemTime::now(),
    );
    let response = post(&app, &header, QUERY).await;
    assert_eq!(response.status(), 200);
    let server_authorization = response
        .headers()
        .get("server-authorization")
        .and_then(|v| v.to_str().ok())
        .expect("Server-Authorization")
        .to_owned();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let body = response.bytes().await.expect("body");
    let json: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        json["data"]["services"]["nodes"][0]["name"],
        json!("Draft Service"),
        "an exporter sees drafts"
    );
    // The client checks the signature over the bytes it received.
    let response_hash = hash(&content_type, &body);
    let request = RequestBuilder::new("POST", PUBLIC_HOST, PUBLIC_PORT, "/graphql").request();
    let signed = Header::from_str(server_authorization.trim_start_matches("Hawk ")).expect("parse");
    assert!(
        request
            .make_response_builder(&header)
            .hash(&response_hash[..])
            .response()
            .validate_header(&signed, &pipeline.key),
        "Server-Authorization verifies"
    );
    // A compatibility-route scope gives no GraphQL role: anonymous reads.
    let compat = credentials("compat", "compat-key-0123456789");
    let response = post(
        &app,
        &sign(&compat, PUBLIC_HOST, PUBLIC_PORT, QUERY, SystemTime::now()),
        QUERY,
    )
    .await;
    let json: Value = response.json().await.expect("json");
    assert_eq!(json["data"]["services"]["nodes"], json!([]));
}

#[tokio::test]
async fn bad_hawk_requests_are_refused() {
    let app = hawk_app().await;
    let pipeline = credentials("pipeline", EXPORT_KEY);
    let now = SystemTime::now();
    let refused = |status: reqwest::StatusCode, case: &str| {
        assert_eq!(status, 401, "{case}");
    };
    // Replay: the same header twice.
    let header = sign(&pipeline, PUBLIC_HOST, PUBLIC_PORT, QUERY, now);
    assert_eq!(post(&app, &header, QUERY).await.status(), 200);
    refused(post(&app, &header, QUERY).await.status(), "replay");
    // Tampered body.
    let header = sign(&pipeline, PUBLIC_HOST, PUBLIC_PORT, QUERY, now);
    let tampered = r#"{"query":"{ providers { nodes { name } } }"}"#;
    refused(
        post(&app, &header, tampered).await.status(),
        "tampered body",
    );
    // Wrong key, stale timestamp, wrong host, unknown client.
    let wrong = credentials("pipeline", "not-the-key-0123456789abc");
    refused(
        post(
            &app,
            &sign(&wrong, PUBLIC_HOST, PUBLIC_PORT, QUERY, now),
            QUERY,
        )
        .await
        .status(),
        "wrong key",
    );
    let stale = now - Duration::from_secs(3600);
    refused(
        post(
            &app,
            &sign(&pipeline, PUBLIC_HOST, PUBLIC_PORT, QUERY, stale),
            QUERY,
        )
        .await
        .status(),
        "stale",
    );
    let host = app.address.ip().to_string();
    refused(
        post(
            &app,
            &sign(&pipeline, &host, app.address.port(), QUERY, now),
            QUERY,
        )
        .await
        .status(),
        "wrong host",
    );
    let stranger = credentials("stranger", EXPORT_KEY);
    refused(
        post(
            &app,
            &sign(&stranger, PUBLIC_HOST, PUBLIC_PORT, QUERY, now),
            QUERY,
        )
        .await
        .status(),
        "unknown client",
    );
    // No payload hash in the header.
    let unhashed = RequestBuilder::new("POST", PUBLIC_HOST, PUBLIC_PORT, "/graphql")
        .request()
        .make_header(&pipeline)
        .expect("header");
    let response = post(&app, &unhashed, QUERY).await;
    assert_eq!(response.status(), 401, "no hash");
    let json: Value = response.json().await.expect("json");
    assert_eq!(
        json["errors"][0]["extensions"]["code"],
        json!("UNAUTHENTICATED")
    );
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mohawk),
    ignore = "needs .venv with mohawk: set SIGNPOST_TEST_MOHAWK=1"
)]
async fn mohawk_clients_interoperate() {
    let Some(python) = crate::helpers::mohawk_python("mohawk_clients_interoperate") else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hawk/mohawk_client.py");
    let app = hawk_app().await;
    fixtures::provider(&app.db, "Mohawk Provider").await;
    let mut command = std::process::Command::new(python);
    command
        .arg(script)
        .env("SIGNPOST_URL", app.url(""))
        .env("PUBLIC_URL", format!("https://{PUBLIC_HOST}"))
        .env("HAWK_ID", "pipeline")
        .env("HAWK_KEY", EXPORT_KEY);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("run python");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "mohawk run failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("mohawk interop: all checks passed"),
        "{stdout}"
    );
}

#[tokio::test]
async fn the_hawk_request_command_signs_and_verifies() {
    let app = hawk_app().await;
    fixtures::provider(&app.db, "Command Provider").await;
    let url = app.url("/graphql");
    let run = |key: &'static str| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"));
        command
            .args(["hawk-request", &url, "--id", "pipeline", "-X", "POST"])
            .args(["--data", r#"{"query":"{ providers { nodes { name } } }"}"#])
            .args(["--sign-for", &format!("https://{PUBLIC_HOST}")])
            .env("SIGNPOST_HAWK_KEY", key)
            .env("DATABASE_URL", "sqlite::memory:");
        command
    };
    let mut good = run(EXPORT_KEY);
    let output = tokio::task::spawn_blocking(move || good.output())
        .await
        .expect("join")
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Command Provider"), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("Server-Authorization verified"));
    let mut bad = run("wrong-key-0123456789abcdefg");
    let output = tokio::task::spawn_blocking(move || bad.output())
        .await
        .expect("join")
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("401"));
}

/// The HSDS REST API takes HAWK like `/graphql`: a signed GET from the pipeline
/// (an exporter) sees the unpublished organization the public does not, and is
/// answered with a signed response.
#[tokio::test]
async fn a_hawk_caller_reads_the_hsds_api_as_its_role() {
    let app = hawk_app().await;
    let hidden = "0190e000-0000-7000-8000-0000000000aa";
    let csv = format!("id,name,description,published\n{hidden},Draft Trust,Not yet public,false\n");
    crate::helpers::import_text(&app.db, "organizations.csv", csv).await;
    let path = "/hsds/organizations";
    let public = app.get(path).await.json::<Value>().await.expect("json");
    assert_eq!(public["total_items"], 0, "{public}");
    let header = RequestBuilder::new("GET", PUBLIC_HOST, PUBLIC_PORT, path)
        .hash(&hash("", b"")[..])
        .request()
        .make_header_full(
            &credentials("pipeline", EXPORT_KEY),
            SystemTime::now(),
            format!("n{}", rand_nonce()),
        )
        .expect("header");
    let response = app
        .client
        .get(app.url(path))
        .header("authorization", format!("Hawk {header}"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers().contains_key("server-authorization"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["contents"][0]["id"], hidden, "{body}");
}
