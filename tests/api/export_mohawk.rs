//! The Data Store Service-compatible routes (`/api/v1/table-data/…`,
//! `/api/v1/table-structure/…`) as an existing pipeline uses them: Python `mohawk`
//! pages through a table by following `next` links (built on the public URL: the
//! server sits "behind a proxy") and verifies every `Server-Authorization`; and the
//! refusals, checked here with the `hawk` crate as a client.

use crate::fixtures;
use crate::helpers::{TestApp, spawn_app_with};
use hawk::{Credentials, DigestAlgorithm, Header, Key, PayloadHasher, RequestBuilder};
use serde_json::{Value, json};
use signpost::repo;
use std::path::Path;
use std::str::FromStr;
use std::time::SystemTime;

const PUBLIC_HOST: &str = "signpost.test";
const PUBLIC_PORT: u16 = 443;
const PIPELINE_KEY: &str = "pipeline-key-0123456789abcdef";
const READER_KEY: &str = "reader-key-0123456789abcdef";
const PAGE_SIZE: u64 = 7;

async fn table_app() -> TestApp {
    spawn_app_with(|config| {
        config.public_url = Some(format!("https://{PUBLIC_HOST}"));
        config.export_table_page_size = PAGE_SIZE;
        config.hawk_clients = serde_json::from_value(json!({
            "pipeline": { "key": PIPELINE_KEY, "scopes": ["table-data", "table-structure"] },
            "reader": { "key": READER_KEY, "scopes": ["read"] },
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

fn nonce() -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("n{nanos}")
}

/// A HAWK header for `GET path_and_query` on the public host, with the payload
/// hash of an empty body (content type "").
fn sign_get(credentials: &Credentials, path_and_query: &str) -> Header {
    let payload = hash("", b"");
    RequestBuilder::new("GET", PUBLIC_HOST, PUBLIC_PORT, path_and_query)
        .hash(&payload[..])
        .request()
        .make_header_full(credentials, SystemTime::now(), nonce())
        .expect("header")
}

async fn get(app: &TestApp, path_and_query: &str, header: Option<&Header>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path_and_query));
    if let Some(header) = header {
        request = request.header("authorization", format!("Hawk {header}"));
    }
    request.send().await.expect("request")
}

fn text_header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mohawk),
    ignore = "needs .venv with mohawk: set SIGNPOST_TEST_MOHAWK=1"
)]
async fn mohawk_pages_table_data_by_next_links() {
    let Some(python) = crate::helpers::mohawk_python("mohawk_pages_table_data_by_next_links")
    else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hawk/mohawk_table_data.py");
    let app = table_app().await;
    // 31 rows with pages of 7: four full pages and one of 3.
    let mut ids = Vec::new();
    for n in 0..30 {
        ids.push(fixtures::provider(&app.db, &format!("Paged Provider {n:02}")).await);
    }
    let gone = fixtures::provider(&app.db, "Tombstoned Provider").await;
    repo::delete::<repo::providers::Entity, _>(&app.db, gone, false)
        .await
        .expect("tombstone");
    ids.push(gone);
    // The route lists by id; UUID text order is byte order.
    let mut expected: Vec<String> = ids.iter().map(ToString::to_string).collect();
    expected.sort();

    let mut command = std::process::Command::new(python);
    command
        .arg(script)
        .env("SIGNPOST_URL", app.url(""))
        .env("PUBLIC_URL", format!("https://{PUBLIC_HOST}"))
        .env("HAWK_ID", "pipeline")
        .env("HAWK_KEY", PIPELINE_KEY)
        .env("TABLE", "providers")
        .env("EXPECTED_IDS", expected.join(","))
        .env("DELETED_IDS", gone.to_string())
        .env("PAGE_SIZE", PAGE_SIZE.to_string());
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("run python");
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}");
    assert!(
        output.status.success(),
        "mohawk table-data run failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.lines().last(),
        Some("mohawk table-data: all checks passed"),
        "{stdout}"
    );
}

#[tokio::test]
async fn table_routes_refuse_and_sign_for_hawk_clients() {
    let app = table_app().await;
    fixtures::provider(&app.db, "Refusal Provider").await;
    let pipeline = credentials("pipeline", PIPELINE_KEY);
    let reader = credentials("reader", READER_KEY);
    let data = "/api/v1/table-data/directory/providers?orientation=records";

    // A client with only `read` scope: signed, but not allowed.
    let response = get(&app, data, Some(&sign_get(&reader, data))).await;
    assert_eq!(response.status(), 403, "read scope");

    // No Authorization at all: 401 with an empty body.
    let response = get(&app, data, None).await;
    assert_eq!(response.status(), 401, "no credentials");
    assert!(
        response.bytes().await.expect("body").is_empty(),
        "401 has an empty body"
    );

    // An unknown schema: 404 with `{}`.
    let other = "/api/v1/table-data/other/providers";
    let response = get(&app, other, Some(&sign_get(&pipeline, other))).await;
    assert_eq!(response.status(), 404, "unknown schema");
    let body = response.bytes().await.expect("body");
    assert_eq!(&body[..], b"{}", "404 body");

    // Table structure: 200, signed over the exact bytes.
    let structure = "/api/v1/table-structure/directory/providers";
    let header = sign_get(&pipeline, structure);
    let response = get(&app, structure, Some(&header)).await;
    assert_eq!(response.status(), 200, "table-structure");
    let server_authorization =
        text_header(&response, "server-authorization").expect("Server-Authorization");
    let content_type = text_header(&response, "content-type")
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let body = response.bytes().await.expect("body");
    let json: Value = serde_json::from_slice(&body).expect("json");
    assert!(
        json["columns"]
            .as_array()
            .expect("columns")
            .contains(&json!({ "name": "id", "type": "UUID" })),
        "{json}"
    );
    let signed = Header::from_str(server_authorization.trim_start_matches("Hawk ")).expect("parse");
    let response_hash = hash(&content_type, &body);
    assert!(
        RequestBuilder::new("GET", PUBLIC_HOST, PUBLIC_PORT, structure)
            .request()
            .make_response_builder(&header)
            .hash(&response_hash[..])
            .response()
            .validate_header(&signed, &pipeline.key),
        "Server-Authorization verifies"
    );
}
