//! Ingest fetching against a local HTTP server: listings (index page, manifest,
//! fixed URLs), downloads with retries, limits, headers, and bodies cut short.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use signpost::ingest::fetch::{self, RemoteFile};
use signpost::ingest::{IngestError, SourceConfig};
use signpost::store::filesystem::FilesystemStore;
use signpost::store::memory::MemoryStore;
use signpost::store::{Key, Store, body_of, read_all};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Default)]
struct Hits {
    flaky: AtomicUsize,
    missing: AtomicUsize,
    busy: AtomicUsize,
    cut: AtomicUsize,
}

const INDEX: &str = r#"<html><body>
<a href="a.csv">relative</a>
<A HREF='/files/b.csv'>root-relative, single quotes</A>
<a href="http://HOST/files/c.csv">absolute</a>
<a href="readme.txt">not matching</a>
<a href="../files/a.csv">same name again</a>
<a href="my%20file.csv?x=1&amp;y=2">encoded</a>
<a href="evil%2F..%2Fx.csv">unsafe name</a>
<a href="mailto:someone@example.org?subject=x.csv">not http</a>
</body></html>"#;

async fn serve() -> (SocketAddr, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let host = address.to_string();
    let manifest = serde_json::json!([
        "files/a.csv",
        {"url": "/files/b.csv", "name": "renamed.csv"},
        {"url": format!("http://{host}/files/c.csv")},
        "files/a.csv",
        {"url": "files/d.csv", "name": ".."},
    ]);
    let app = Router::new()
        .route(
            "/index/",
            get(move || async move { axum::response::Html(INDEX.replace("HOST", &host)) }),
        )
        .route(
            "/manifest.json",
            get(move || async move { axum::Json(manifest) }),
        )
        .route(
            "/files/{name}",
            get(
                |axum::extract::Path(name): axum::extract::Path<String>| async move {
                    format!("contents of {name}")
                },
            ),
        )
        .route("/flaky", get(flaky))
        .route("/missing", get(missing))
        .route("/busy", get(busy))
        .route("/big", get(|| async { "x".repeat(1000) }))
        .route(
            "/big-stream",
            get(|| async { Body::from_stream(chunks(10, 100, false)) }),
        )
        .route("/secret", get(secret))
        .route("/cut", get(cut))
        .with_state(hits.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, hits)
}

async fn flaky(State(hits): State<Arc<Hits>>) -> Response {
    if hits.flaky.fetch_add(1, Ordering::SeqCst) < 2 {
        return (StatusCode::INTERNAL_SERVER_ERROR, "not yet").into_response();
    }
    "finally".into_response()
}

async fn missing(State(hits): State<Arc<Hits>>) -> StatusCode {
    hits.missing.fetch_add(1, Ordering::SeqCst);
    StatusCode::NOT_FOUND
}

async fn busy(State(hits): State<Arc<Hits>>) -> StatusCode {
    hits.busy.fetch_add(1, Ordering::SeqCst);
    StatusCode::TOO_MANY_REQUESTS
}

async fn secret(headers: HeaderMap) -> Response {
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some("Bearer t0ken") => "the secret".into_response(),
        _ => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn cut(State(hits): State<Arc<Hits>>) -> Body {
    hits.cut.fetch_add(1, Ordering::SeqCst);
    Body::from_stream(chunks(3, 1000, true))
}

/// `count` chunks of `size` bytes, a pause (so they are sent, headers and all),
/// then an error when `fail`.
fn chunks(
    count: usize,
    size: usize,
    fail: bool,
) -> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> {
    use futures_util::StreamExt;
    let good =
        futures_util::stream::iter(0..count).map(move |_| Ok(bytes::Bytes::from(vec![b'y'; size])));
    let bad = futures_util::stream::iter(fail.then_some(())).then(|()| async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        Err(std::io::Error::other("the disk caught fire"))
    });
    good.chain(bad)
}

/// A source listing with `list` (`Listing` as JSON), the rest its defaults but
/// `max_bytes` 500.
fn config(list: serde_json::Value) -> SourceConfig {
    signpost::install_tls_provider();
    serde_json::from_value(serde_json::json!({
        "name": "test",
        "list": list,
        "loader": {"kind": "directory"},
        "max_bytes": 500,
        "timeout_secs": 10,
    }))
    .expect("source config")
}

fn urls(address: SocketAddr, paths: &[&str]) -> serde_json::Value {
    let urls: Vec<String> = paths
        .iter()
        .map(|path| format!("http://{address}{path}"))
        .collect();
    serde_json::json!({"kind": "urls", "urls": urls})
}

fn names(files: &[RemoteFile]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|file| (file.name.as_str(), file.url.path()))
        .collect()
}

fn memory() -> Store {
    Arc::new(MemoryStore::new())
}

fn file(address: SocketAddr, path: &str) -> RemoteFile {
    RemoteFile {
        name: path.trim_start_matches('/').to_owned(),
        url: format!("http://{address}{path}").parse().expect("url"),
    }
}

async fn content(store: &Store, key: &Key) -> Option<String> {
    let (_, body) = store.get(key).await.ok()?;
    Some(String::from_utf8(read_all(body, 1 << 20).await.expect("read")).expect("utf-8"))
}

#[tokio::test]
async fn an_index_lists_matching_links_resolved_deduplicated_and_sorted() {
    let (address, _) = serve().await;
    let source = config(serde_json::json!({
        "kind": "index",
        "url": format!("http://{address}/index/"),
        "link_regex": r"\.csv($|\?)",
    }));
    let client = fetch::client(&source).expect("client");
    let files = fetch::list_files(&client, &source).await.expect("listing");
    assert_eq!(
        names(&files),
        [
            ("a.csv", "/index/a.csv"),
            ("b.csv", "/files/b.csv"),
            ("c.csv", "/files/c.csv"),
            ("my file.csv", "/index/my%20file.csv"),
        ]
    );
    assert_eq!(files[3].url.query(), Some("x=1&y=2"));
}

#[tokio::test]
async fn a_manifest_lists_urls_and_named_objects() {
    let (address, _) = serve().await;
    let source = config(serde_json::json!({
        "kind": "manifest",
        "url": format!("http://{address}/manifest.json"),
    }));
    let client = fetch::client(&source).expect("client");
    let files = fetch::list_files(&client, &source).await.expect("listing");
    assert_eq!(
        names(&files),
        [
            ("a.csv", "/files/a.csv"),
            ("c.csv", "/files/c.csv"),
            ("renamed.csv", "/files/b.csv"),
        ]
    );
}

#[tokio::test]
async fn fixed_urls_are_listed_as_given() {
    let (address, _) = serve().await;
    let source = config(urls(address, &["/files/z.csv", "/files/y.csv", "/dir/"]));
    let client = fetch::client(&source).expect("client");
    let files = fetch::list_files(&client, &source).await.expect("listing");
    assert_eq!(
        names(&files),
        [("y.csv", "/files/y.csv"), ("z.csv", "/files/z.csv")]
    );
}

#[tokio::test]
async fn listing_errors_name_the_source_and_url() {
    let (address, _) = serve().await;
    let url = format!("http://{address}/nowhere/");
    let source = config(serde_json::json!({"kind": "index", "url": url, "link_regex": "."}));
    let client = fetch::client(&source).expect("client");
    let error = fetch::list_files(&client, &source).await.expect_err("404");
    assert!(matches!(error, IngestError::Source(_)));
    let message = error.to_string();
    assert!(
        message.contains("source test") && message.contains(&url),
        "{message}"
    );
    assert!(message.contains("HTTP 404"), "{message}");

    let source = config(serde_json::json!({
        "kind": "index",
        "url": format!("http://{address}/index/"),
        "link_regex": "(unclosed",
    }));
    let error = fetch::list_files(&client, &source)
        .await
        .expect_err("bad regex");
    assert!(
        error.to_string().contains("link_regex \"(unclosed\""),
        "{error}"
    );
}

#[tokio::test]
async fn a_download_lands_in_the_store() {
    let (address, _) = serve().await;
    let source = config(urls(address, &[]));
    let client = fetch::client(&source).expect("client");
    let store = memory();
    let key = Key::parse("sources/test/a.csv").expect("key");
    let meta = fetch::download(
        &client,
        &source,
        &file(address, "/files/a.csv"),
        &store,
        &key,
    )
    .await
    .expect("download");
    assert_eq!(meta.size, "contents of a.csv".len() as u64);
    assert_eq!(
        content(&store, &key).await.as_deref(),
        Some("contents of a.csv")
    );
}

#[tokio::test]
async fn server_errors_and_429_are_retried_but_404_is_not() {
    let (address, hits) = serve().await;
    let source = config(urls(address, &[]));
    let client = fetch::client(&source).expect("client");
    let store = memory();
    let key = Key::parse("flaky").expect("key");
    fetch::download(&client, &source, &file(address, "/flaky"), &store, &key)
        .await
        .expect("third time lucky");
    assert_eq!(hits.flaky.load(Ordering::SeqCst), 3);
    assert_eq!(content(&store, &key).await.as_deref(), Some("finally"));

    let key = Key::parse("missing").expect("key");
    let error = fetch::download(&client, &source, &file(address, "/missing"), &store, &key)
        .await
        .expect_err("404");
    let message = error.to_string();
    assert!(
        message.contains(&format!("http://{address}/missing")),
        "{message}"
    );
    assert!(
        message.contains("HTTP 404") && message.contains("missing"),
        "{message}"
    );
    assert_eq!(hits.missing.load(Ordering::SeqCst), 1);

    let once = SourceConfig {
        retries: 1,
        ..source
    };
    let key = Key::parse("busy").expect("key");
    let error = fetch::download(&client, &once, &file(address, "/busy"), &store, &key)
        .await
        .expect_err("429");
    assert!(error.to_string().contains("HTTP 429"), "{error}");
    assert_eq!(hits.busy.load(Ordering::SeqCst), 2);
    assert!(store.head(&key).await.is_err());
}

#[tokio::test]
async fn files_larger_than_max_bytes_are_refused_and_not_stored() {
    let (address, _) = serve().await;
    let source = config(urls(address, &[]));
    let client = fetch::client(&source).expect("client");
    let store = memory();
    for path in ["/big", "/big-stream"] {
        let key = Key::parse(path.trim_start_matches('/')).expect("key");
        let error = fetch::download(&client, &source, &file(address, path), &store, &key)
            .await
            .expect_err("too large");
        assert!(
            error.to_string().contains("larger than max_bytes (500)"),
            "{error}"
        );
        assert!(store.get(&key).await.is_err(), "{path} was stored");
    }
}

#[tokio::test]
async fn configured_headers_are_sent() {
    let (address, _) = serve().await;
    let mut source = config(urls(address, &[]));
    let store = memory();
    let key = Key::parse("secret").expect("key");
    let secret = file(address, "/secret");
    let client = fetch::client(&source).expect("client");
    let error = fetch::download(&client, &source, &secret, &store, &key)
        .await
        .expect_err("401 without the header");
    assert!(error.to_string().contains("HTTP 401"), "{error}");

    source
        .headers
        .insert("Authorization".into(), "Bearer t0ken".to_owned().into());
    let client = fetch::client(&source).expect("client");
    assert!(!format!("{client:?}").contains("t0ken"));
    fetch::download(&client, &source, &secret, &store, &key)
        .await
        .expect("with the header");
    assert_eq!(content(&store, &key).await.as_deref(), Some("the secret"));
}

async fn cut_short_leaves_nothing(store: Store) {
    let (address, hits) = serve().await;
    let source = SourceConfig {
        max_bytes: 1 << 20,
        retries: 1,
        ..config(urls(address, &[]))
    };
    let client = fetch::client(&source).expect("client");
    let key = Key::parse("sources/test/cut.csv").expect("key");
    let error = fetch::download(&client, &source, &file(address, "/cut"), &store, &key)
        .await
        .expect_err("cut short");
    let message = error.to_string();
    assert!(
        message.contains(&format!("http://{address}/cut")),
        "{message}"
    );
    // Failed reading the body, not sending the request: the headers came.
    assert!(message.contains("body"), "{message}");
    assert_eq!(hits.cut.load(Ordering::SeqCst), 2, "retried once");
    assert!(
        store
            .get(&key)
            .await
            .err()
            .is_some_and(|error| error.is_not_found()),
        "nothing is stored"
    );
    assert!(
        signpost::store::list_all(store.as_ref(), "")
            .await
            .expect("list")
            .is_empty()
    );

    // An earlier version of the object survives a failed download whole.
    store.put(&key, body_of("old")).await.expect("put");
    fetch::download(&client, &source, &file(address, "/cut"), &store, &key)
        .await
        .expect_err("cut short");
    assert_eq!(content(&store, &key).await.as_deref(), Some("old"));
}

#[tokio::test]
async fn a_body_cut_short_leaves_nothing_in_a_memory_store() {
    cut_short_leaves_nothing(memory()).await;
}

#[tokio::test]
async fn a_body_cut_short_leaves_nothing_in_a_filesystem_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = FilesystemStore::open(dir.path(), false)
        .await
        .expect("open");
    cut_short_leaves_nothing(Arc::new(store)).await;
    let leftovers = std::fs::read_dir(dir.path().join(".tmp"))
        .expect(".tmp")
        .count();
    assert_eq!(leftovers, 0, "temporary files left behind");
}
