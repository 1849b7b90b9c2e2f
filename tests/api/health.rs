use crate::helpers::{spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn healthcheck_says_ok() {
    let app = spawn_app().await;
    let response = app.get("/healthcheck").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({ "status": "OK" }));
}

#[tokio::test]
async fn ready_is_200_while_the_database_answers() {
    let app = spawn_app().await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "OK");
}

#[tokio::test]
async fn ready_is_503_with_a_json_error_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.close_by_ref().await.unwrap();
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "UNAVAILABLE");
    assert_eq!(body["checks"]["database"], "UNAVAILABLE");
    assert_eq!(body["error"]["code"], "UNAVAILABLE");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_the_callers() {
    let app = spawn_app().await;
    let response = app.get("/healthcheck").await;
    let generated = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");

    let response = app
        .client
        .get(app.url("/nowhere"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_report_the_pool() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.get("/healthcheck").await;
    }
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"signpost_http_requests_total{method="GET",route="/healthcheck",status="200"} 3"#
        ),
        "{text}"
    );
    assert!(
        text.contains("signpost_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("signpost_db_pool_connections "), "{text}");
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
}

#[tokio::test]
async fn metrics_count_the_statements_of_each_graphql_request() {
    let app = spawn_app().await;
    let provider = crate::fixtures::provider(&app.db, "Food Bank").await;
    crate::fixtures::service(&app.db, provider, "Pantry").await;
    let page =
        "{ services(first: 5) { nodes { id provider { name } venues { nodes { name } } } } }";
    for _ in 0..2 {
        let response = app.graphql(page, serde_json::json!({})).await;
        assert!(response.get("errors").is_none(), "{response}");
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    // Two requests of three statements each (services, providers, venues).
    assert!(
        text.contains("signpost_graphql_statements_count 2"),
        "{text}"
    );
    assert!(
        text.contains("signpost_graphql_statements_sum 6.0"),
        "{text}"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let app = spawn_app_with(|config| config.max_body_bytes = 64).await;
    let response = app
        .client
        .post(app.url("/healthcheck"))
        .body(vec![b'x'; 1000])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// A pool of one connection, held by the test: anything needing the database waits.
fn one_connection(config: &mut signpost::config::Config) {
    config.db_max_connections = 1;
}

#[tokio::test]
async fn a_request_running_past_the_timeout_is_answered_408() {
    let app = spawn_app_with(|config| {
        one_connection(config);
        config.request_timeout_ms = 300;
    })
    .await;
    let held = sea_orm::TransactionTrait::begin(&app.db).await.unwrap();
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    held.rollback().await.unwrap();
}

#[tokio::test]
async fn in_flight_requests_finish_during_a_graceful_shutdown() {
    let mut app = spawn_app_with(one_connection).await;
    let held = sea_orm::TransactionTrait::begin(&app.db).await.unwrap();
    let in_flight = tokio::spawn(app.client.get(app.url("/health/ready")).send());
    // Readiness signals, not sleeps: the server counts the request in flight (the
    // scrape asking is one more), then stops accepting connections.
    let mut waits = 0;
    while in_flight_requests(&app).await < 2 {
        waits += 1;
        assert!(waits < 500, "the request never arrived");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    app.begin_shutdown();
    while tokio::net::TcpStream::connect(app.address).await.is_ok() {
        waits += 1;
        assert!(waits < 1000, "the server kept accepting connections");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        !in_flight.is_finished(),
        "the request is still waiting for the database"
    );
    held.rollback().await.unwrap();
    let response = in_flight.await.unwrap().expect("answered, not dropped");
    assert_eq!(response.status(), StatusCode::OK);
}

/// The server's own count of requests in flight, from `/metrics`.
async fn in_flight_requests(app: &crate::helpers::TestApp) -> u64 {
    let text = app.get("/metrics").await.text().await.expect("metrics");
    text.lines()
        .find_map(|line| line.strip_prefix("signpost_http_requests_in_flight "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}
