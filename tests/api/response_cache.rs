//! The shared response cache: repeated reads are answered from it, a role never
//! gets another's answer, every kind of write (a mutation, a write from outside
//! the server, a write on another replica) reaches it, and GET answers carry HTTP
//! validators.

use crate::helpers::{TestApp, fresh, token};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use signpost::config::Config;
use signpost::demo::{self, DemoOptions};
use std::time::{Duration, Instant};

const PAGE: &str = "{ services(first: 5) { totalCount nodes { id name provider { name } } } }";
const RENAME: &str = "mutation($id: ID!, $version: Int!, $name: String!) { updateService(id: $id, version: $version, input: {name: $name}) { name } }";

fn cache_on(config: &mut Config) {
    config.cache = serde_json::from_value(json!({"enabled": true, "ttl_secs": 300})).unwrap();
}

/// A demo directory served with the cache on (`adjust` may change more).
async fn cached_app(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (test_db, db) = fresh().await;
    demo::load(&db, &DemoOptions::new(30, 3)).await.unwrap();
    TestApp::over(test_db, |config| {
        cache_on(config);
        adjust(config);
    })
    .await
}

/// POSTs `query` as `role` (`None`: anonymous): the `signpost-cache` header and the body.
async fn ask(app: &TestApp, role: Option<&str>, query: &str, variables: Value) -> (String, Value) {
    let mut request = app.client.post(app.url("/graphql"));
    if let Some(role) = role {
        request = request.header("authorization", format!("Bearer {}", token(role)));
    }
    let response = request
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    let outcome = response
        .headers()
        .get("signpost-cache")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body: Value = response.json().await.unwrap();
    assert!(body["errors"].is_null(), "{body}");
    (outcome, body)
}

/// Asks until the cache keeps the answer: it keeps nothing until it watches the
/// database for changes, which starts in the background.
async fn until_stored(app: &TestApp, role: Option<&str>, query: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (outcome, body) = ask(app, role, query, json!({})).await;
        if outcome == "stored" {
            return body;
        }
        assert_eq!(outcome, "not_watching", "{body}");
        assert!(
            Instant::now() < deadline,
            "the cache never started watching"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asks until the answer comes from the cache: a mutation's own notification may
/// still be on its way, and drops what was stored before it arrives.
async fn until_hit(app: &TestApp, role: Option<&str>, query: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (outcome, body) = ask(app, role, query, json!({})).await;
        if outcome == "hit" {
            return body;
        }
        assert!(
            ["stored", "not_watching"].contains(&outcome.as_str()),
            "{outcome}: {body}"
        );
        assert!(Instant::now() < deadline, "never answered from the cache");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The first service as an admin sees it: id and version.
async fn first_service(app: &TestApp) -> (String, i64) {
    let (_, body) = ask(
        app,
        Some("admin"),
        "{ services(first: 1) { nodes { id version } } }",
        json!({}),
    )
    .await;
    let node = &body["data"]["services"]["nodes"][0];
    (
        node["id"].as_str().unwrap().to_owned(),
        node["version"].as_i64().unwrap(),
    )
}

async fn rename_first(app: &TestApp, name: &str) {
    let (id, version) = first_service(app).await;
    let (_, body) = ask(
        app,
        Some("admin"),
        RENAME,
        json!({"id": id, "version": version, "name": name}),
    )
    .await;
    assert_eq!(body["data"]["updateService"]["name"], name);
}

fn names(body: &Value) -> Vec<String> {
    body["data"]["services"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_repeated_query_is_answered_from_the_cache_until_a_mutation_changes_it() {
    let app = cached_app(|_| {}).await;
    let first = until_stored(&app, None, PAGE).await;
    let (outcome, again) = ask(&app, None, PAGE, json!({})).await;
    assert_eq!(outcome, "hit");
    assert_eq!(again, first);
    // Other variables are another question.
    let (outcome, _) = ask(
        &app,
        None,
        "query($n: Int) { services(first: $n) { nodes { id } } }",
        json!({"n": 2}),
    )
    .await;
    assert_eq!(outcome, "stored");

    rename_first(&app, "Aaa renamed by a mutation").await;
    let (outcome, after) = ask(&app, None, PAGE, json!({})).await;
    assert_eq!(outcome, "stored", "the mutation made the entry stale");
    assert_ne!(after, first);
    assert!(names(&after).contains(&"Aaa renamed by a mutation".to_owned()));

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"signpost_cache_lookups_total{table="services",outcome="hit"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"signpost_cache_invalidations_total{source="mutation"}"#));
}

#[tokio::test]
async fn each_role_gets_its_own_answer() {
    let app = cached_app(|_| {}).await;
    let (id, _) = first_service(&app).await;
    let (_, body) = ask(
        &app,
        Some("admin"),
        "mutation($id: ID!) { unpublishService(id: $id) { id } }",
        json!({"id": id}),
    )
    .await;
    assert!(body["data"].is_object());
    let count = "{ services { totalCount } }";
    let anonymous = until_hit(&app, None, count).await;
    let (outcome, reader) = ask(&app, Some("reader"), count, json!({})).await;
    assert_eq!(
        outcome, "stored",
        "the reader's question is not the anonymous one"
    );
    until_hit(&app, Some("reader"), count).await;
    let total = |body: &Value| body["data"]["services"]["totalCount"].as_i64().unwrap();
    assert_eq!(total(&reader), total(&anonymous) + 1);
    for _ in 0..2 {
        let (outcome, again) = ask(&app, None, count, json!({})).await;
        assert_eq!(
            (outcome.as_str(), total(&again)),
            ("hit", total(&anonymous))
        );
        let (outcome, again) = ask(&app, Some("reader"), count, json!({})).await;
        assert_eq!((outcome.as_str(), total(&again)), ("hit", total(&reader)));
    }
    // Admins always read the database.
    let (outcome, _) = ask(&app, Some("admin"), count, json!({})).await;
    assert_eq!(outcome, "");
}

#[tokio::test]
async fn answers_that_depend_on_the_clock_or_a_policy_are_not_kept() {
    let app = cached_app(|config| {
        config.cache.types.insert(
            "providers".into(),
            serde_json::from_value(json!({"enabled": false})).unwrap(),
        );
    })
    .await;
    until_stored(&app, None, "{ services(first: 2) { nodes { name } } }").await;
    let (outcome, _) = ask(
        &app,
        None,
        "{ services(first: 2, filter: {openNow: true}) { nodes { name } } }",
        json!({}),
    )
    .await;
    assert_eq!(outcome, "clock");
    for _ in 0..2 {
        let (outcome, _) = ask(&app, None, PAGE, json!({})).await;
        assert_eq!(
            outcome, "policy",
            "PAGE reads providers, which are not cached"
        );
    }
}

#[tokio::test]
async fn a_misnamed_table_in_the_policy_stops_the_server_at_start() {
    let (test_db, _db) = fresh().await;
    let mut config = test_db.config();
    config.cache =
        serde_json::from_value(json!({"enabled": true, "types": {"service": {}}})).unwrap();
    let refused = signpost::cli::serve::prepare(config, &Default::default()).await;
    let message = format!("{:#}", refused.err().expect("refused"));
    assert!(message.contains("service"), "{message}");
}

#[tokio::test]
async fn get_answers_carry_validators_and_a_held_one_is_not_sent_again() {
    let app = cached_app(|_| {}).await;
    until_stored(&app, None, PAGE).await;
    let url = format!(
        "{}?query={}",
        app.url("/graphql"),
        percent_encoding::utf8_percent_encode(PAGE, percent_encoding::NON_ALPHANUMERIC)
    );
    let response = app.client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let control = headers["cache-control"].to_str().unwrap();
    assert!(control.starts_with("public, max-age="), "{control}");
    assert_eq!(headers["vary"], "Accept, Authorization");
    let body = response.bytes().await.unwrap();
    assert_eq!(etag, signpost::cache::etag(&body));

    let held = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(held.status(), 304);
    assert_eq!(held.headers()["etag"].to_str().unwrap(), etag);
    assert!(held.bytes().await.unwrap().is_empty());

    let reader = app
        .client
        .get(&url)
        .header("authorization", format!("Bearer {}", token("reader")))
        .send()
        .await
        .unwrap();
    let control = reader.headers()["cache-control"].to_str().unwrap();
    assert!(control.starts_with("private, max-age="), "{control}");

    // Not kept by the server: revalidate every time, and the tag still saves the body.
    let open_now = "{ services(first: 2, filter: {openNow: true}) { nodes { name } } }";
    let url = format!(
        "{}?query={}",
        app.url("/graphql"),
        percent_encoding::utf8_percent_encode(open_now, percent_encoding::NON_ALPHANUMERIC)
    );
    let response = app.client.get(&url).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let held = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(held.status(), 304);
}

/// Polls `query` on `app` until `done` holds for its answer; returns how long that took.
async fn until(app: &TestApp, query: &str, done: impl Fn(&Value) -> bool) -> Duration {
    let started = Instant::now();
    loop {
        let (_, body) = ask(app, None, query, json!({})).await;
        if done(&body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the change never reached the cache: {body}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_write_from_outside_the_server_reaches_the_cache() {
    let (test_db, db) = fresh().await;
    demo::load(&db, &DemoOptions::new(30, 3)).await.unwrap();
    // Another client of the database: psql, or the CLI on the same SQLite file.
    let outsider = test_db.sharing().connect().await;
    let app = TestApp::over(test_db, cache_on).await;
    let query = "{ services(first: 100) { nodes { name } } }";
    until_stored(&app, None, query).await;
    let (outcome, _) = ask(&app, None, query, json!({})).await;
    assert_eq!(outcome, "hit");
    outsider
        .execute_raw(Statement::from_string(
            outsider.get_database_backend(),
            "UPDATE services SET name = 'Written from outside'",
        ))
        .await
        .unwrap();
    let waited = until(&app, query, |body| {
        names(body)
            .iter()
            .all(|name| name == "Written from outside")
    })
    .await;
    eprintln!("a write from outside reached the cache after {waited:?}");
}

#[tokio::test]
async fn two_replicas_on_one_postgres_see_each_others_writes() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!("skipped: two replicas need PostgreSQL (TEST_DATABASE_URL)");
        return;
    }
    let (test_db, db) = fresh().await;
    demo::load(&db, &DemoOptions::new(30, 3)).await.unwrap();
    let other = test_db.sharing();
    let first = TestApp::over(test_db, cache_on).await;
    let second = TestApp::over(other, cache_on).await;
    let before = until_stored(&second, None, PAGE).await;
    let (outcome, _) = ask(&second, None, PAGE, json!({})).await;
    assert_eq!(outcome, "hit");

    rename_first(&first, "Aaa renamed on the first replica").await;
    let waited = until(&second, PAGE, |body| body != &before).await;
    let (_, after) = ask(&second, None, PAGE, json!({})).await;
    assert!(names(&after).contains(&"Aaa renamed on the first replica".to_owned()));
    assert!(
        waited < Duration::from_secs(1),
        "the notification took {waited:?}"
    );
    eprintln!("the second replica saw the first's write after {waited:?}");
    let metrics = second.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"signpost_cache_invalidations_total{source="notification"}"#),
        "{metrics}"
    );
}
