//! One conformance suite that every object store backend and wrapper passes:
//! empty, small and 100 MB objects (generated and checked as streams, never held
//! whole by the test), listing with paging, overwrite, delete, missing keys, keys
//! with odd characters, concurrent writers. S3 runs against the S3-compatible
//! server at `TEST_S3_ENDPOINT` (`.ci/run` starts one); without it the S3 case
//! says it is skipped, and under `CI=true` it fails.

use crate::helpers::TestDb;
use bytes::Bytes;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use signpost::store::config::CachePolicy;
use signpost::store::{Body, Key, ObjectStore, Store, StoreError, list_all, read_all};
use std::sync::Arc;

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MB: usize = 1024 * 1024;

fn key(text: &str) -> Key {
    Key::parse(text).unwrap_or_else(|error| panic!("{error}"))
}

pub fn body(bytes: &'static [u8]) -> Body {
    signpost::store::body_of(Bytes::from_static(bytes))
}

pub fn owned(bytes: Vec<u8>) -> Body {
    signpost::store::body_of(Bytes::from(bytes))
}

/// `megabytes` MB of deterministic bytes, made one 1 MB chunk at a time.
///
/// Made by `unfold`, as the server's own producers are (a download, an S3 read
/// being migrated): such a stream panics when polled again after it ended, so a
/// store that does so fails here rather than in production.
fn generated(megabytes: usize, seed: u8) -> Body {
    let stream = futures_util::stream::unfold(0..megabytes, move |mut indices| async move {
        let index = indices.next()?;
        let chunk: Vec<u8> = (0..MB)
            .map(|i| {
                (i as u32)
                    .wrapping_mul(2_654_435_761)
                    .wrapping_add(index as u32) as u8
                    ^ seed
            })
            .collect();
        Some((Ok(Bytes::from(chunk)), indices))
    });
    Box::pin(stream)
}

/// (size, sha256) of a body, read chunk by chunk.
async fn digest(mut body: Body) -> (u64, String) {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("chunk");
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    (size, hex::encode(hasher.finalize()))
}

async fn text(store: &dyn ObjectStore, key_: &Key) -> String {
    let (_, body) = store.get(key_).await.expect("get");
    String::from_utf8(read_all(body, 10 * MB).await.expect("read")).expect("utf-8")
}

fn is_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::NotFound(_)))
}

/// Every check, on `store`, which starts empty.
pub async fn conformance(name: &str, store: Store) {
    let started = std::time::Instant::now();
    let store = store.as_ref();
    store
        .check()
        .await
        .unwrap_or_else(|e| panic!("{name}: check: {e}"));

    // Empty and small objects.
    let empty = store
        .put(&key("t/empty"), body(b""))
        .await
        .expect("put empty");
    assert_eq!(
        (empty.size, empty.sha256.as_deref()),
        (0, Some(EMPTY_SHA256)),
        "{name}"
    );
    let head = store.head(&key("t/empty")).await.expect("head empty");
    assert_eq!(
        (head.size, head.sha256.as_deref()),
        (0, Some(EMPTY_SHA256)),
        "{name}"
    );
    assert_eq!(text(store, &key("t/empty")).await, "", "{name}");
    let small = store
        .put(&key("t/small.txt"), body(b"hello, directory"))
        .await
        .expect("put");
    let expected = hex::encode(Sha256::digest(b"hello, directory"));
    assert_eq!(
        (small.size, small.sha256.as_deref()),
        (16, Some(expected.as_str())),
        "{name}"
    );
    let age = chrono::Utc::now() - store.head(&key("t/small.txt")).await.expect("head").created;
    assert!(age.num_seconds().abs() < 120, "{name}: created {age} ago");
    assert_eq!(
        text(store, &key("t/small.txt")).await,
        "hello, directory",
        "{name}"
    );

    // 100 MB, streamed both ways.
    let big = key("t/big.bin");
    let (size, sha256) = digest(generated(100, 7)).await;
    let written = store
        .put(&big, generated(100, 7))
        .await
        .expect("put 100 MB");
    assert_eq!(
        (written.size, written.sha256.as_deref()),
        (size, Some(sha256.as_str())),
        "{name}"
    );
    let (meta, content) = store.get(&big).await.expect("get 100 MB");
    assert_eq!(meta.size, size, "{name}");
    assert_eq!(
        digest(content).await,
        (size, sha256.clone()),
        "{name}: 100 MB content"
    );
    let head = store.head(&big).await.expect("head 100 MB");
    assert_eq!((head.size, head.sha256), (size, Some(sha256)), "{name}");

    // Overwrite: the new content, whole.
    store
        .put(&key("t/small.txt"), body(b"replaced with something longer"))
        .await
        .expect("overwrite");
    assert_eq!(
        text(store, &key("t/small.txt")).await,
        "replaced with something longer",
        "{name}"
    );
    assert_eq!(
        store.head(&key("t/small.txt")).await.expect("head").size,
        30,
        "{name}"
    );

    // Missing keys and deletes.
    assert!(
        is_not_found(store.get(&key("t/missing")).await.map(|_| ())),
        "{name}: get missing"
    );
    assert!(
        is_not_found(store.head(&key("t/missing")).await),
        "{name}: head missing"
    );
    store
        .delete(&key("t/missing"))
        .await
        .unwrap_or_else(|e| panic!("{name}: delete missing: {e}"));
    store.delete(&big).await.expect("delete");
    assert!(is_not_found(store.head(&big).await), "{name}: deleted");
    assert!(
        is_not_found(store.get(&big).await.map(|_| ())),
        "{name}: deleted"
    );

    // Keys with odd characters keep their exact spelling, case included.
    let odd = [
        "odd/ключ ✓ #?&=+%.csv",
        "odd/with space",
        "odd/.dot",
        "odd/a..b",
        "odd/UPPER",
        "odd/upper",
        "odd/%2F",
        "odd/deep/er/still",
    ];
    for (index, name_) in odd.iter().enumerate() {
        store
            .put(&key(name_), owned(format!("odd {index}").into_bytes()))
            .await
            .unwrap_or_else(|e| panic!("{name}: put {name_}: {e}"));
    }
    for (index, name_) in odd.iter().enumerate() {
        assert_eq!(
            text(store, &key(name_)).await,
            format!("odd {index}"),
            "{name}: {name_}"
        );
    }
    let mut listed: Vec<String> = list_all(store, "odd/")
        .await
        .expect("list odd")
        .into_iter()
        .map(|meta| meta.key.to_string())
        .collect();
    let mut wanted: Vec<String> = odd.iter().map(|s| s.to_string()).collect();
    wanted.sort();
    assert_eq!(listed, wanted, "{name}: odd keys listed in byte order");
    listed.clear();

    // Listing by prefix, page by page.
    let names: Vec<String> = (0..23).map(|i| format!("list/{i:03}")).collect();
    for name_ in names.iter().chain(
        [
            "list/sub/x".to_owned(),
            "listx/1".to_owned(),
            "lis".to_owned(),
        ]
        .iter(),
    ) {
        store.put(&key(name_), body(b"x")).await.expect("put list");
    }
    let mut after: Option<Key> = None;
    let mut pages = 0;
    loop {
        let page = store
            .list("list/", after.as_ref(), 7)
            .await
            .expect("list page");
        assert!(
            page.objects.len() <= 7,
            "{name}: page of {}",
            page.objects.len()
        );
        listed.extend(page.objects.iter().map(|meta| meta.key.to_string()));
        pages += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
        assert!(pages < 20, "{name}: paging does not end");
    }
    let mut expected_list = names.clone();
    expected_list.push("list/sub/x".into());
    assert_eq!(listed, expected_list, "{name}: list/ in {pages} pages");
    assert!(
        pages >= 4,
        "{name}: 24 keys in pages of 7 took {pages} pages"
    );
    let all_list: Vec<String> = list_all(store, "list")
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.key.to_string())
        .collect();
    assert_eq!(
        all_list.len(),
        25,
        "{name}: prefix `list` also takes listx/: {all_list:?}"
    );
    assert!(
        list_all(store, "nothing-here/")
            .await
            .expect("list")
            .is_empty(),
        "{name}"
    );

    // Concurrent writers: one key ends whole with one writer's content; other keys all land.
    let contents: Vec<Vec<u8>> = (0..8u8)
        .map(|i| vec![b'a' + i; 64 * 1024 + i as usize])
        .collect();
    let shared = key("t/contended");
    let mut tasks = Vec::new();
    for (index, content) in contents.iter().enumerate() {
        let (content, own) = (content.clone(), key(&format!("t/writer-{index}")));
        let shared = shared.clone();
        tasks.push(async move {
            let a = store.put(&shared, owned(content.clone())).await;
            let b = store.put(&own, owned(content)).await;
            (a, b)
        });
    }
    for (a, b) in futures_util::future::join_all(tasks).await {
        a.unwrap_or_else(|e| panic!("{name}: contended put: {e}"));
        b.unwrap_or_else(|e| panic!("{name}: own put: {e}"));
    }
    let (_, content) = store.get(&shared).await.expect("get contended");
    let content = read_all(content, MB).await.expect("read");
    assert!(
        contents.contains(&content),
        "{name}: contended key holds a mix of writers"
    );
    let head = store.head(&shared).await.expect("head contended");
    assert_eq!(
        head.sha256,
        Some(hex::encode(Sha256::digest(&content))),
        "{name}"
    );
    for (index, expected) in contents.iter().enumerate() {
        let (_, content) = store
            .get(&key(&format!("t/writer-{index}")))
            .await
            .expect("get");
        assert_eq!(
            &read_all(content, MB).await.expect("read"),
            expected,
            "{name}"
        );
    }
    eprintln!(
        "store conformance: {name} passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[tokio::test]
async fn memory_store_conforms() {
    conformance(
        "memory",
        Arc::new(signpost::store::memory::MemoryStore::new()),
    )
    .await;
}

#[tokio::test]
async fn filesystem_store_conforms() {
    let dir = tempfile::tempdir().expect("dir");
    let store = signpost::store::filesystem::FilesystemStore::open(dir.path(), false)
        .await
        .expect("open");
    conformance("filesystem", Arc::new(store)).await;
}

#[tokio::test]
async fn sql_store_conforms() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    conformance("sql", Arc::new(signpost::store::sql::SqlStore::new(db))).await;
}

/// The S3 server at `TEST_S3_ENDPOINT` and a fresh bucket name on it, or `None`
/// (said to be skipped) when it is not set; under `CI=true` a missing server fails.
#[cfg(feature = "s3")]
pub fn s3_endpoint_and_bucket(test: &str) -> Option<(String, String)> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let Some(endpoint) = std::env::var("TEST_S3_ENDPOINT")
        .ok()
        .filter(|v| !v.is_empty())
    else {
        assert!(
            !ci,
            "CI=true but TEST_S3_ENDPOINT is not set: {test} would be skipped"
        );
        eprintln!("signpost tests: TEST_S3_ENDPOINT is not set, {test} is SKIPPED");
        return None;
    };
    let bucket = format!("signpost-test-{}", uuid::Uuid::now_v7().simple());
    Some((endpoint, bucket))
}

/// An S3 store on a fresh bucket (created), or `None` when S3 tests are skipped.
#[cfg(feature = "s3")]
pub async fn s3_store() -> Option<signpost::store::s3::S3Store> {
    s3_store_with(0, 0).await
}

/// As [`s3_store`], with multipart copies above `max_single_copy` bytes in
/// ranges of `copy_part` (zero: the defaults).
#[cfg(feature = "s3")]
pub async fn s3_store_with(
    max_single_copy: u64,
    copy_part: u64,
) -> Option<signpost::store::s3::S3Store> {
    let (endpoint, bucket) = s3_endpoint_and_bucket("the S3 store test")?;
    let settings = signpost::store::s3::S3Settings {
        bucket,
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint.clone()),
        force_path_style: true,
        access_key_id: Some("test".into()),
        secret_access_key: Some("test".into()),
        part_size: 8 * MB,
        timeout: std::time::Duration::from_secs(30),
        max_single_copy,
        copy_part,
    };
    let store = signpost::store::s3::S3Store::new(&settings).await;
    store
        .create_bucket()
        .await
        .unwrap_or_else(|e| panic!("S3 server at {endpoint}: {e}"));
    Some(store)
}

#[cfg(feature = "s3")]
#[tokio::test]
#[cfg_attr(
    not(signpost_test_s3),
    ignore = "needs an S3 server: set TEST_S3_ENDPOINT"
)]
async fn s3_store_conforms() {
    if let Some(store) = s3_store().await {
        conformance("s3", Arc::new(store)).await;
    }
}

#[tokio::test]
async fn migrating_store_conforms() {
    let dir = tempfile::tempdir().expect("dir");
    let to: Store = Arc::new(
        signpost::store::filesystem::FilesystemStore::open(dir.path(), false)
            .await
            .expect("open"),
    );
    let from: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let store = signpost::store::migrating::MigratingStore {
        from: from.clone(),
        to: to.clone(),
    };
    conformance("migrating", Arc::new(store)).await;
    // Every write reached both sides alike, except that the writers racing on one
    // key may have won on different sides; `store migrate` repairs that.
    let report = signpost::store::migrate::check(from.as_ref(), to.as_ref())
        .await
        .expect("check");
    assert!(report.in_from > 40, "{report:?}");
    assert_eq!((report.only_in_from.count, report.only_in_to.count), (0, 0));
    assert!(
        report
            .differing
            .first
            .iter()
            .all(|k| k.as_str() == "t/contended"),
        "{report:?}"
    );
    signpost::store::migrate::copy_missing(from.as_ref(), to.as_ref(), |_| {})
        .await
        .expect("copy");
    let report = signpost::store::migrate::check(from.as_ref(), to.as_ref())
        .await
        .expect("check");
    assert_eq!(
        (report.migrated, report.differing.count),
        (report.in_from, 0)
    );
}

#[tokio::test]
async fn caching_store_conforms() {
    let dir = tempfile::tempdir().expect("dir");
    let main: Store = Arc::new(
        signpost::store::filesystem::FilesystemStore::open(dir.path(), false)
            .await
            .expect("open"),
    );
    let policy = CachePolicy {
        cache: true,
        max_cache_size: 8 * MB as u64,
        cull_to_size: 4 * MB as u64,
        timeout_ms: 60_000,
        ..CachePolicy::default()
    };
    let store = signpost::store::caching::CachingStore::new(
        main,
        Arc::new(signpost::store::memory::MemoryStore::new()),
        policy,
        [],
    )
    .await
    .expect("caching");
    conformance("caching", Arc::new(store)).await;
}
