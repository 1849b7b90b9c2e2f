//! An S3 server that stops answering (paused, a dead load balancer): every call
//! fails within its timeout and retries instead of waiting forever, and an
//! ingest run writing to it ends `failed` with its lease released.
//!
//! The "server" is a TCP listener that reads requests and never answers them —
//! except a GET, which gets its headers and a few bytes of a longer body, then
//! silence (a body that stalls halfway).

use crate::helpers::TestDb;
use signpost::store::s3::{S3Settings, S3Store};
use signpost::store::{Key, ObjectStore, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Listens on a random port; answers nothing but the start of GET bodies.
async fn stalled_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = vec![0u8; 16 * 1024];
                let read = socket.read(&mut head).await.unwrap_or(0);
                if head[..read].starts_with(b"GET ") {
                    let _ = socket
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\npartial...")
                        .await;
                }
                // Hold the connection open, saying nothing more.
                tokio::time::sleep(Duration::from_secs(300)).await;
                drop(socket);
            });
        }
    });
    format!("http://{address}")
}

async fn stalled_store(timeout: Duration) -> S3Store {
    signpost::install_tls_provider();
    S3Store::new(&S3Settings {
        bucket: "stalled".into(),
        region: Some("us-east-1".into()),
        endpoint_url: Some(stalled_server().await),
        force_path_style: true,
        access_key_id: Some("test".into()),
        secret_access_key: Some("test".into()),
        part_size: 5 * 1024 * 1024,
        timeout,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn every_s3_call_fails_within_its_timeout_when_the_server_stalls() {
    let store = stalled_store(Duration::from_secs(1)).await;
    let key = Key::parse("a/b.csv").expect("key");
    // Three attempts of a second each, with backoff between: well under 15 s.
    let bound = Duration::from_secs(15);

    let started = Instant::now();
    assert!(store.check().await.is_err());
    assert!(
        started.elapsed() < bound,
        "check took {:?}",
        started.elapsed()
    );

    let started = Instant::now();
    assert!(store.head(&key).await.is_err());
    assert!(
        started.elapsed() < bound,
        "head took {:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let put = store
        .put(&key, signpost::store::body_of(&b"id,name\n"[..]))
        .await;
    assert!(put.is_err());
    assert!(
        started.elapsed() < bound,
        "put took {:?}",
        started.elapsed()
    );

    let started = Instant::now();
    assert!(store.list("a/", None, 10).await.is_err());
    assert!(
        started.elapsed() < bound,
        "list took {:?}",
        started.elapsed()
    );

    // GET answers, then its body stalls: reading it fails after the timeout.
    let started = Instant::now();
    match store.get(&key).await {
        Err(_) => {}
        Ok((_, body)) => {
            let read = signpost::store::read_all(body, 10 * 1024 * 1024).await;
            let error = read.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(error.contains("no bytes"), "{error}");
        }
    }
    assert!(
        started.elapsed() < bound,
        "get took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_ingest_into_a_stalled_store_fails_and_releases_its_lease() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(stalled_store(Duration::from_secs(1)).await);
    let files = crate::ingest_run::Files::default();
    files.put("organizations.csv", "id,name\n");
    let index = crate::ingest_run::serve(files).await;
    let source = crate::ingest_run::source(
        "stalled",
        &index,
        r"\.csv$",
        signpost::ingest::Loader::Directory { replace: false },
    );
    let queued = signpost::ingest::run::create(
        &db,
        &source,
        signpost::ingest::run::Trigger::Cli,
        false,
        "test",
    )
    .await
    .expect("create");
    let run = tokio::time::timeout(
        Duration::from_secs(60),
        signpost::ingest::run::run(&db, &store, &source, queued, None),
    )
    .await
    .expect("the run ends instead of waiting on the store");
    let finished = match run {
        Ok(finished) => finished,
        Err(error) => panic!("the run itself errored instead of recording why: {error}"),
    };
    assert_eq!(finished.state.to_string(), "failed");
    assert!(finished.error_message.is_some());
    let holder = signpost::ingest::lease::Lease::holder_of(
        &db,
        &signpost::ingest::run::lease_name("stalled"),
    )
    .await
    .expect("lease");
    assert_eq!(holder, None, "the lease is released");
}
