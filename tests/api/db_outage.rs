//! When no database connection can be had, GraphQL answers 503
//! `DATABASE_UNAVAILABLE` within the acquire timeout — not the execution timeout,
//! and not 200 `INTERNAL` — and recovers on its own when the database is back.
//!
//! Two ways in: every pooled connection taken (both backends), and a real outage
//! of PostgreSQL, cut by a TCP relay between the server and the database.

use crate::helpers::{TestApp, TestDb, spawn_app_with};
use sea_orm::TransactionTrait;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const QUERY: &str = r#"{"query": "{ services(first: 1) { totalCount } }"}"#;

async fn ask(app: &TestApp) -> (u16, serde_json::Value, Option<String>) {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(QUERY)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (status, response.json().await.expect("JSON"), retry)
}

fn assert_unavailable(reply: &(u16, serde_json::Value, Option<String>), took: Duration) {
    let (status, body, retry) = reply;
    assert_eq!(*status, 503, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "DATABASE_UNAVAILABLE",
        "{body}"
    );
    assert!(retry.is_some(), "Retry-After is set");
    // The acquire timeout (500 ms here), far inside the 10 s execution timeout.
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
}

#[tokio::test]
async fn no_free_connection_is_a_quick_503_and_the_server_recovers() {
    let app = spawn_app_with(|config| {
        config.db_max_connections = 1;
        config.db_acquire_timeout_ms = 500;
    })
    .await;
    assert_eq!(ask(&app).await.0, 200);
    let holding = app.db.begin().await.expect("take the only connection");
    let started = Instant::now();
    let reply = ask(&app).await;
    assert_unavailable(&reply, started.elapsed());
    holding.rollback().await.expect("give it back");
    assert_eq!(ask(&app).await.0, 200);
}

/// Relays TCP connections to `target` until cut: then drops every open one and
/// refuses new ones, as a database host that went away.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
}

impl Relay {
    async fn start(target: std::net::SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let up = Arc::new(AtomicBool::new(true));
        let flag = up.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    continue; // dropped: connection closed at once
                }
                let flag = flag.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    let copy = tokio::io::copy_bidirectional(&mut inbound, &mut outbound);
                    let cut = async {
                        while flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! { _ = copy => {}, () = cut => {} }
                });
            }
        });
        Relay { port, up }
    }

    fn set(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
    }
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_postgres),
    ignore = "PostgreSQL only: set TEST_DATABASE_URL"
)]
async fn a_postgresql_outage_is_a_quick_503_and_the_server_recovers() {
    let test_db = TestDb::new().await;
    if !test_db.url.starts_with("postgres") {
        eprintln!(
            "signpost tests: the PostgreSQL outage test is SKIPPED on SQLite (TEST_DATABASE_URL unset)"
        );
        return;
    }
    let mut url = url::Url::parse(&test_db.url).expect("URL");
    let host = url.host_str().unwrap_or("127.0.0.1").to_owned();
    let port = url.port().unwrap_or(5432);
    let target = tokio::net::lookup_host((host.as_str(), port))
        .await
        .expect("resolve")
        .next()
        .expect("an address");
    let relay = Relay::start(target).await;
    url.set_host(Some("127.0.0.1")).expect("host");
    url.set_port(Some(relay.port)).expect("port");
    let relayed = url.to_string();
    let app = TestApp::over(test_db, |config| {
        config.database_url = Some(relayed.into());
        config.db_acquire_timeout_ms = 500;
    })
    .await;
    assert_eq!(ask(&app).await.0, 200);
    relay.set(false);
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..3 {
        let started = Instant::now();
        let reply = ask(&app).await;
        assert_unavailable(&reply, started.elapsed());
    }
    relay.set(true);
    let back = Instant::now();
    loop {
        let (status, body, _) = ask(&app).await;
        if status == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(20),
            "never recovered: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
