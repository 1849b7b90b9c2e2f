//! A put that is cancelled mid-upload (its request dropped) leaves nothing behind
//! in any backend — no temporary file, no `writing` row, no multipart upload, no
//! chunk items — and what a killed process left is swept when the store next
//! starts.

use crate::helpers::TestDb;
use bytes::Bytes;
use futures_util::StreamExt;
use sea_orm::ConnectionTrait;
use signpost::store::{Body, Key, ObjectStore};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const MB: usize = 1024 * 1024;

/// `megabytes` of content, then a wait that never ends; `exhausted` is told when
/// the store asks for more after the last byte (so all of it was taken in).
fn stalling(megabytes: usize, exhausted: Arc<Notify>) -> Body {
    let chunks = (0..megabytes).map(|i| Ok(Bytes::from(vec![i as u8; MB])));
    let tail = futures_util::stream::poll_fn(move |_| {
        exhausted.notify_one();
        std::task::Poll::Pending
    });
    Box::pin(futures_util::stream::iter(chunks).chain(tail))
}

/// Starts a put of a stalling body, waits until the store has taken every byte
/// of it, and drops the put as a cancelled request would.
async fn cancelled_put(store: &dyn ObjectStore, key: &str, megabytes: usize) {
    let exhausted = Arc::new(Notify::new());
    let key = Key::parse(key).expect("key");
    let put = store.put(&key, stalling(megabytes, exhausted.clone()));
    tokio::select! {
        result = put => panic!("a put of a stalled body ended: {result:?}"),
        () = exhausted.notified() => {}
    }
    // The select dropped the put here.
}

/// Polls `count` until it is zero, for up to ten seconds (the cleanup of a
/// dropped put runs as a task of its own).
async fn until_zero<F, Fut>(what: &str, mut count: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = count().await;
        if left == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{left} {what} left behind"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_cancelled_put_leaves_no_temporary_file_and_old_ones_are_swept_at_start() {
    let dir = tempfile::tempdir().expect("dir");
    let store = signpost::store::filesystem::FilesystemStore::open(dir.path(), false)
        .await
        .expect("open");
    cancelled_put(&store, "imports/cancelled", 3).await;
    let tmp = dir.path().join(".tmp");
    let left = std::fs::read_dir(&tmp).expect("tmp").count();
    assert_eq!(left, 0, "temporary files left in .tmp");
    assert!(
        store
            .head(&Key::parse("imports/cancelled").expect("key"))
            .await
            .is_err()
    );

    // One a dead process left two hours ago, one being written right now.
    let old = tmp.join("left-by-a-crash");
    let fresh = tmp.join("in-progress");
    std::fs::write(&old, b"x").expect("write");
    std::fs::write(&fresh, b"x").expect("write");
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .and_then(|file| file.set_modified(two_hours_ago))
        .expect("age the file");
    signpost::store::filesystem::FilesystemStore::open(dir.path(), false)
        .await
        .expect("reopen");
    assert!(!old.exists(), "the crash's leftover was swept");
    assert!(fresh.exists(), "an upload in progress was left alone");
}

async fn writing_rows(db: &sea_orm::DatabaseConnection) -> usize {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM objects WHERE state = 'writing'",
        ))
        .await
        .expect("count");
    row.and_then(|row| row.try_get::<i64>("", "n").ok())
        .unwrap_or(-1) as usize
}

#[tokio::test]
async fn a_cancelled_sql_put_leaves_no_writing_row_and_old_ones_are_swept_at_start() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store = signpost::store::sql::SqlStore::new(db.clone());
    cancelled_put(&store, "imports/cancelled", 9).await;
    until_zero("writing rows", || writing_rows(&db)).await;
    let chunks = sea_orm::PaginatorTrait::count(
        <entities::object_chunks::Entity as sea_orm::EntityTrait>::find(),
        &db,
    )
    .await
    .expect("count");
    assert_eq!(chunks, 0, "chunks of the cancelled put went with its row");

    // A row a crashed writer left two hours ago.
    let backend = db.get_database_backend();
    let p = |n: usize| {
        if backend == sea_orm::DatabaseBackend::Postgres {
            format!("${n}")
        } else {
            "?".into()
        }
    };
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO objects (id, key, size_bytes, state, created_at) VALUES ({}, 'imports/x', 0, 'writing', {})",
            p(1),
            p(2)
        ),
        [
            uuid::Uuid::now_v7().into(),
            (chrono::Utc::now() - chrono::TimeDelta::hours(2)).into(),
        ],
    ))
    .await
    .expect("insert");
    assert_eq!(writing_rows(&db).await, 1);
    let reopened = signpost::store::sql::SqlStore::new(db.clone());
    reopened.check().await.expect("check");
    assert_eq!(writing_rows(&db).await, 0, "swept when the store started");
}

#[cfg(feature = "s3")]
#[tokio::test]
#[cfg_attr(
    not(signpost_test_s3),
    ignore = "needs an S3 server: set TEST_S3_ENDPOINT"
)]
async fn a_cancelled_s3_put_leaves_no_multipart_upload() {
    let Some(store) = crate::store_conformance::s3_store().await else {
        return;
    };
    // Past one 8 MB part: a multipart upload with a part sent.
    cancelled_put(&store, "imports/cancelled", 9).await;
    until_zero("multipart uploads or temporary objects", || async {
        store.unfinished_uploads().await.expect("list uploads")
    })
    .await;
}

#[cfg(feature = "s3")]
#[tokio::test]
#[cfg_attr(
    not(signpost_test_s3),
    ignore = "needs an S3 server: set TEST_S3_ENDPOINT"
)]
async fn objects_past_the_single_copy_limit_are_copied_into_place_in_parts() {
    // S3 copies at most 5 GiB in one request; the limit is lowered here so the
    // multipart copy runs on 21 MB (8 MB parts uploaded, 5 MB ranges copied).
    let Some(store) = crate::store_conformance::s3_store_with(10 * MB as u64, 5 * MB as u64).await
    else {
        return;
    };
    let content: Vec<u8> = (0..21 * MB).map(|i| (i % 251) as u8).collect();
    let key = Key::parse("imports/large.bin").expect("key");
    let expected = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&content));
    let written = store
        .put(&key, signpost::store::body_of(content.clone()))
        .await
        .expect("put");
    assert_eq!(written.sha256.as_deref(), Some(expected.as_str()));
    let head = store.head(&key).await.expect("head");
    assert_eq!(
        (head.size, head.sha256.as_deref()),
        (content.len() as u64, Some(expected.as_str()))
    );
    let (_, body) = store.get(&key).await.expect("get");
    let read = signpost::store::read_all(body, 64 * MB)
        .await
        .expect("read");
    assert!(read == content, "the content came back whole");
    assert_eq!(store.unfinished_uploads().await.expect("uploads"), 0);
}

#[cfg(feature = "dynamodb")]
#[tokio::test]
#[cfg_attr(
    not(signpost_test_dynamodb),
    ignore = "needs a DynamoDB server: set TEST_DYNAMODB_ENDPOINT"
)]
async fn a_cancelled_dynamodb_put_leaves_no_chunks() {
    use signpost::store::dynamodb::{DynamoDbStore, DynamoSettings};
    let Some(endpoint) =
        crate::store_backends::required_env("TEST_DYNAMODB_ENDPOINT", "the DynamoDB cleanup test")
    else {
        return;
    };
    let store = DynamoDbStore::new(&DynamoSettings {
        region: Some("eu-west-2".into()),
        endpoint_url: Some(endpoint),
        access_key_id: Some("test".into()),
        secret_access_key: Some("test".into()),
        single_table: true,
        table_prefix: format!("t{}_", &uuid::Uuid::now_v7().simple().to_string()[20..]),
        create_tables: true,
        ..Default::default()
    })
    .await;
    // Past one item's worth: chunk items and a pending marker are written.
    cancelled_put(&store, "imports/cancelled", 2).await;
    until_zero("pending uploads", || async {
        store.unfinished_uploads().await.expect("pending")
    })
    .await;
    assert!(
        store
            .head(&Key::parse("imports/cancelled").expect("key"))
            .await
            .is_err()
    );
    store.delete_tables().await.expect("delete tables");
}
