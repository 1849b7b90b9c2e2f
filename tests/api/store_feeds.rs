//! Every way the server feeds a put — an upload over HTTP, `signpost import`, an
//! ingest download, `signpost store migrate` — into S3 with objects larger than
//! one multipart part. Each producer is a different kind of stream (multipart
//! field, file reader, HTTP response, another store's read), and one of them
//! used to panic the S3 upload when polled after its end. Runs with
//! `TEST_S3_ENDPOINT`; says it is skipped otherwise.

use crate::helpers::JWT_SECRET as SECRET;
use crate::helpers::{TestDb, spawn_app_with};
use crate::import_http::upload;
use crate::store_conformance::s3_endpoint_and_bucket;
use sha2::{Digest, Sha256};
use signpost::store::{Key, ObjectStore, Store};
use std::sync::Arc;

/// The smallest part S3 takes: every file here spans two parts or more.
const PART_MB: u64 = 5;

/// The JSON store configuration of a fresh bucket, created at start.
fn s3_config(endpoint: &str, bucket: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "s3",
        "bucket": bucket,
        "region": "us-east-1",
        "endpoint_url": endpoint,
        "access_key_id": "test",
        "secret_access_key": "test",
        "part_size_mb": PART_MB,
        "create_bucket": true,
    })
}

async fn open(config: &serde_json::Value) -> Store {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let config = signpost::store::StoreConfig::from_json(config).expect("config");
    config.open(&db, None).await.expect("open S3 store")
}

/// `organizations.csv` of about `megabytes` MB (long names, so few rows to load).
fn organizations(megabytes: usize) -> Vec<u8> {
    let name = "n".repeat(240);
    let mut csv = String::from("id,name\n");
    let mut row = 0u64;
    while csv.len() < megabytes * 1024 * 1024 {
        row += 1;
        csv.push_str(&format!(
            "0190a000-0000-7000-8000-{row:012x},{name} {row}\n"
        ));
    }
    csv.into_bytes()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn rows_of(csv: &[u8]) -> i64 {
    csv.iter().filter(|byte| **byte == b'\n').count() as i64 - 1
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_s3),
    ignore = "needs an S3 server: set TEST_S3_ENDPOINT"
)]
async fn an_upload_over_several_parts_reaches_s3_whole() {
    let Some((endpoint, bucket)) = s3_endpoint_and_bucket("S3 upload feed") else {
        return;
    };
    let config = s3_config(&endpoint, &bucket);
    let app = spawn_app_with(|settings| {
        settings.objectstore = Some(config.clone());
        settings.jwt_secret = Some(SECRET.to_owned().into());
    })
    .await;
    let csv = organizations(12);
    let reply = upload(
        &app,
        "admin",
        "mutation($file: Upload!) { importCsv(file: $file) { id state rowsInserted errors { message } } }",
        serde_json::json!({"file": null}),
        "organizations.csv",
        &csv,
    )
    .await;
    let mut import = reply["data"]["importCsv"].clone();
    let id = import["id"].as_str().expect("id").to_owned();
    // A file this size may still be applying when `importCsv` answers (after about
    // 3 s): follow it as a client would.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while matches!(import["state"].as_str(), Some("VALIDATING" | "APPLYING"))
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let polled = crate::helpers::graphql_as(
            &app,
            "admin",
            "query($id: ID!) { import(id: $id) { state rowsInserted } }",
            serde_json::json!({ "id": id }),
        )
        .await;
        import = polled["data"]["import"].clone();
    }
    assert_eq!(import["state"], "COMPLETED", "{reply} then {import}");
    assert_eq!(import["rowsInserted"], rows_of(&csv), "{import}");
    let store = open(&config).await;
    let stored = store
        .head(&Key::parse(&format!("imports/{id}")).expect("key"))
        .await
        .expect("the upload is in S3");
    assert_eq!(
        (stored.size, stored.sha256),
        (csv.len() as u64, Some(sha256(&csv)))
    );
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_s3),
    ignore = "needs an S3 server: set TEST_S3_ENDPOINT"
)]
async fn signpost_import_of_a_large_file_reaches_s3_whole() {
    let Some((endpoint, bucket)) = s3_endpoint_and_bucket("S3 CLI import feed") else {
        return;
    };
    let config = s3_config(&endpoint, &bucket);
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("organizations.csv");
    let csv = organizations(11);
    std::fs::write(&file, &csv).expect("write");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["import", file.to_str().expect("path")])
        .env("DATABASE_URL", &test_db.url)
        .env("SIGNPOST_DATA_DIR", dir.path())
        .env("SIGNPOST_OBJECTSTORE", config.to_string())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run signpost import");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let store = open(&config).await;
    let objects = signpost::store::list_all(store.as_ref(), "imports/")
        .await
        .expect("list");
    assert_eq!(objects.len(), 1, "{objects:?}");
    let stored = store.head(&objects[0].key).await.expect("head");
    assert_eq!(
        (stored.size, stored.sha256),
        (csv.len() as u64, Some(sha256(&csv)))
    );
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_s3),
    ignore = "needs an S3 server: set TEST_S3_ENDPOINT"
)]
async fn an_ingest_download_over_several_parts_reaches_s3_with_its_hash() {
    let Some((endpoint, bucket)) = s3_endpoint_and_bucket("S3 ingest feed") else {
        return;
    };
    signpost::install_tls_provider();
    let config = s3_config(&endpoint, &bucket);
    let store = open(&config).await;
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let files = crate::ingest_run::Files::default();
    let csv = organizations(11);
    files.put("organizations.csv", csv.clone());
    let index = crate::ingest_run::serve(files).await;
    let mut source = crate::ingest_run::source(
        "big",
        &index,
        r"\.csv$",
        signpost::ingest::Loader::Directory { replace: false },
    );
    source.max_bytes = 64 * 1024 * 1024;
    let queued = signpost::ingest::run::create(
        &db,
        &source,
        signpost::ingest::run::Trigger::Cli,
        false,
        "test",
    )
    .await
    .expect("create");
    let finished = signpost::ingest::run::run(&db, &store, &source, queued, None)
        .await
        .expect("run");
    assert_eq!(
        finished.state.to_string(),
        "completed",
        "{:?}",
        finished.error_message
    );
    assert_eq!(finished.files_loaded, 1);
    let registered = entities::data_files::Entity::find()
        .all(&db)
        .await
        .expect("data files");
    use sea_orm::EntityTrait;
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].sha256.as_deref(), Some(sha256(&csv).as_str()));
    assert_eq!(registered[0].size_bytes, Some(csv.len() as i64));
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_s3),
    ignore = "needs an S3 server: set TEST_S3_ENDPOINT"
)]
async fn store_migrate_into_s3_copies_objects_over_several_parts() {
    let Some((endpoint, bucket)) = s3_endpoint_and_bucket("S3 migrate feed") else {
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let from = dir.path().join("from");
    std::fs::create_dir_all(from.join("imports")).expect("dir");
    let content = organizations(11);
    std::fs::write(from.join("imports").join("big.csv"), &content).expect("write");
    let to = s3_config(&endpoint, &bucket);
    let config = serde_json::json!({
        "type": "migrating",
        "from": {"type": "filesystem", "base_location": from},
        "to": to,
    });
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["store", "migrate"])
        .env_remove("DATABASE_URL")
        .env("SIGNPOST_DATA_DIR", dir.path())
        .env("SIGNPOST_OBJECTSTORE", config.to_string())
        .env("RUST_LOG", "warn")
        .output()
        .expect("run signpost store migrate");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store: Arc<dyn ObjectStore> = open(&to).await;
    let stored = store
        .head(&Key::parse("imports/big.csv").expect("key"))
        .await
        .expect("migrated into S3");
    assert_eq!(
        (stored.size, stored.sha256),
        (content.len() as u64, Some(sha256(&content)))
    );
}
