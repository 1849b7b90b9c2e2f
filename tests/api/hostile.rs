//! Hostile input against `/graphql`: what an anonymous caller on the internet can
//! send. Each case must be refused as a request error naming the limit (or
//! answered normally), quickly, and leave the server answering the next request —
//! never crash it, stall it or make it buffer without bound.
//!
//! Run by CI with the rest of the suite, on both backends.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

struct Reply {
    status: u16,
    body: Value,
}

async fn post_body(app: &TestApp, body: impl Into<reqwest::Body>) -> Reply {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, GRAPHQL_RESPONSE)
        .body(body)
        .send()
        .await
        .expect("the server answers (it must not have crashed)");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    Reply {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

async fn post(app: &TestApp, query: &str, variables: Value) -> Reply {
    let body = json!({ "query": query, "variables": variables }).to_string();
    post_body(app, body).await
}

fn code(reply: &Reply) -> &str {
    reply.body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

fn limit(reply: &Reply) -> &str {
    reply.body["errors"][0]["extensions"]["limit"]
        .as_str()
        .unwrap_or_default()
}

/// A request error: 400, no `data`, the code given.
fn assert_request_error(reply: &Reply, expected_code: &str, what: &str) {
    assert_eq!(reply.status, 400, "{what}: {}", reply.body);
    assert!(reply.body.get("data").is_none(), "{what}: {}", reply.body);
    assert_eq!(code(reply), expected_code, "{what}: {}", reply.body);
}

/// The server still answers a plain query.
async fn assert_alive(app: &TestApp) {
    let reply = post(app, "{ __typename }", json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body, json!({"data": {"__typename": "Query"}}));
}

/// `{and: [{and: [ … {name: {contains: "a"}} … ]}]}`, `levels` deep.
fn nested_and(levels: usize) -> String {
    let mut filter = r#"{name: {contains: "a"}}"#.to_owned();
    for _ in 0..levels {
        filter = format!("{{and: [{filter}]}}");
    }
    filter
}

/// `{not: {not: … {name: {contains: "a"}} … }}`, `levels` deep.
fn nested_not(levels: usize) -> String {
    let mut filter = r#"{name: {contains: "a"}}"#.to_owned();
    for _ in 0..levels {
        filter = format!("{{not: {filter}}}");
    }
    filter
}

#[tokio::test]
async fn deeply_nested_filters_are_refused_and_the_server_lives() {
    let app = spawn_app().await;
    for root in ["services", "providers", "venues"] {
        for (shape, filter) in [
            ("and×200", nested_and(200)),
            ("not×500", nested_not(500)),
            ("and×5000", nested_and(5000)),
        ] {
            let query = format!("{{ {root}(filter: {filter}) {{ totalCount }} }}");
            let reply = post(&app, &query, json!({})).await;
            assert_request_error(&reply, "LIMIT_EXCEEDED", &format!("{root} {shape}"));
            assert_eq!(limit(&reply), "maxFilterDepth", "{root} {shape}");
            assert_alive(&app).await;
        }
    }
}

#[tokio::test]
async fn nested_filters_in_variables_are_refused_too() {
    let app = spawn_app().await;
    // 60 levels of `not` stay under serde_json's own limit of 128.
    let mut filter = json!({"name": {"contains": "a"}});
    for _ in 0..60 {
        filter = json!({ "not": filter });
    }
    let reply = post(
        &app,
        "query($f: ServiceFilter) { services(filter: $f) { totalCount } }",
        json!({ "f": filter }),
    )
    .await;
    assert_request_error(&reply, "LIMIT_EXCEEDED", "variables");
    assert_eq!(limit(&reply), "maxFilterDepth");
    // Deeper than serde_json reads: a malformed request, not a crash.
    let mut deep = String::from(r#"{"name": {"contains": "a"}}"#);
    for _ in 0..10_000 {
        deep = format!(r#"{{"not": {deep}}}"#);
    }
    let body = format!(
        r#"{{"query": "query($f: ServiceFilter) {{ services(filter: $f) {{ totalCount }} }}", "variables": {{"f": {deep}}}}}"#
    );
    let reply = post_body(&app, body).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.body.get("data").is_none());
    assert_alive(&app).await;
}

#[tokio::test]
async fn filters_within_the_depth_limit_run_and_the_limit_is_configurable() {
    let app = spawn_app_with(|config| config.max_filter_depth = 4).await;
    // The filter object itself, `and` item, `or` item, `not`: four input objects
    // deep, the StringFilter a fifth.
    let within =
        r#"{ services(filter: {and: [{or: [{not: {published: false}}]}]}) { totalCount } }"#;
    let reply = post(&app, within, json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body["data"]["services"]["totalCount"].is_number());
    let over = format!("{{ services(filter: {}) {{ totalCount }} }}", nested_and(4));
    let reply = post(&app, &over, json!({})).await;
    assert_request_error(&reply, "LIMIT_EXCEEDED", "over a limit of 4");
    assert_eq!(limit(&reply), "maxFilterDepth");
    let message = reply.body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("maxFilterDepth"), "{message}");
}

#[tokio::test]
async fn deeply_nested_values_anywhere_are_refused_before_parsing() {
    let app = spawn_app().await;
    // A list argument nested far past anything a schema could want.
    let lists = format!("{}\"x\"{}", "[".repeat(5000), "]".repeat(5000));
    let reply = post(
        &app,
        &format!("{{ nodes(ids: {lists}) {{ id }} }}"),
        json!({}),
    )
    .await;
    assert_request_error(&reply, "LIMIT_EXCEEDED", "nested lists");
    // Selections nested past any depth (the parser itself recurses on them).
    let selections = format!(
        "{{ {}__typename{} }}",
        "a { ".repeat(5000),
        " }".repeat(5000)
    );
    let reply = post(&app, &selections, json!({})).await;
    assert_request_error(&reply, "LIMIT_EXCEEDED", "nested selections");
    assert_alive(&app).await;
}

#[tokio::test]
async fn huge_query_texts_are_refused_before_parsing() {
    let app = spawn_app_with(|config| config.max_query_bytes = 20_000).await;
    let huge = format!("{{ {} }}", "__typename ".repeat(200_000));
    let started = std::time::Instant::now();
    let reply = post(&app, &huge, json!({})).await;
    assert_request_error(&reply, "LIMIT_EXCEEDED", "2 MB query");
    assert_eq!(limit(&reply), "maxQueryBytes");
    // Over GET too (the query string carries the document).
    let mut url = url::Url::parse(&app.url("/graphql")).expect("URL");
    url.query_pairs_mut()
        .append_pair("query", &format!("{{ {} }}", "__typename ".repeat(2_500)));
    let get = app
        .client
        .get(url)
        .header(ACCEPT, GRAPHQL_RESPONSE)
        .send()
        .await
        .expect("GET");
    assert_eq!(get.status().as_u16(), 400);
    let body: Value = get.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "maxQueryBytes");
    // Refused without parsing: far quicker than parsing 2 MB would be (seconds).
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Just under the limit still parses and runs.
    let fits = format!("{{ {} }}", "__typename ".repeat(1_700));
    let reply = post(&app, &fits, json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn aliases_fragment_cycles_and_batches_are_refused() {
    let app = spawn_app().await;
    let aliases: String = (0..51).map(|i| format!("a{i}: __typename ")).collect();
    let reply = post(&app, &format!("{{ {aliases} }}"), json!({})).await;
    assert_request_error(&reply, "LIMIT_EXCEEDED", "aliases");
    assert_eq!(limit(&reply), "maxAliases");

    let cycle = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
    let reply = post(&app, cycle, json!({})).await;
    assert_request_error(&reply, "GRAPHQL_VALIDATION_FAILED", "fragment cycle");

    // Fragments that fan out: each spread doubles the fields (a "billion laughs").
    let mut laughs = String::from("query { ...F0 } fragment F0 on Query { ...F1 ...F1 }");
    for i in 1..30 {
        laughs.push_str(&format!(
            " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    laughs.push_str(" fragment F30 on Query { services { totalCount } }");
    let reply = post(&app, &laughs, json!({})).await;
    assert_request_error(&reply, "LIMIT_EXCEEDED", "fragments that fan out");
    assert_eq!(limit(&reply), "maxComplexity");

    // Just under the limit (2^15 = 32,768 fields): the walks it costs stay short.
    let mut under = String::from("query { ...G0 } fragment G0 on Query { ...G1 ...G1 }");
    for i in 1..15 {
        under.push_str(&format!(
            " fragment G{i} on Query {{ ...G{n} ...G{n} }}",
            n = i + 1
        ));
    }
    under.push_str(" fragment G15 on Query { __typename }");
    let started = std::time::Instant::now();
    let reply = post(&app, &under, json!({})).await;
    eprintln!("32,768 expanded fields answered in {:?}", started.elapsed());
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["data"]["__typename"], "Query");

    let batch = json!([{"query": "{ __typename }"}, {"query": "{ __typename }"}]).to_string();
    let reply = post_body(&app, batch).await;
    assert_request_error(&reply, "BAD_USER_INPUT", "batch");
    assert_alive(&app).await;
}

#[tokio::test]
async fn bad_bytes_and_bad_documents_get_codes() {
    let app = spawn_app().await;
    let reply = post_body(&app, vec![0xFF, 0xFE, b'{', 0x00, 0x81]).await;
    assert_request_error(&reply, "BAD_USER_INPUT", "not UTF-8");
    let reply = post(&app, "{ services { nodes { id } ", json!({})).await;
    assert_request_error(&reply, "GRAPHQL_PARSE_FAILED", "unclosed");
    let reply = post(&app, "{ \u{0} }", json!({})).await;
    assert_request_error(&reply, "GRAPHQL_PARSE_FAILED", "NUL byte");
    let reply = post(&app, "{ noSuchField }", json!({})).await;
    assert_request_error(&reply, "GRAPHQL_VALIDATION_FAILED", "unknown field");
    assert_alive(&app).await;
}

#[tokio::test]
async fn variables_that_do_not_fit_are_request_errors() {
    let app = spawn_app().await;
    let query =
        "query($f: ServiceFilter!, $n: Int) { services(filter: $f, first: $n) { totalCount } }";
    let missing = post(&app, query, json!({})).await;
    assert_request_error(&missing, "BAD_USER_INPUT", "missing required variable");
    let message = missing.body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.contains("$f"), "{message}");
    for (what, variables) in [
        ("filter: 5", json!({"f": 5})),
        ("filter: null", json!({"f": null})),
        ("unknown filter field", json!({"f": {"nope": true}})),
        ("first: \"x\"", json!({"f": {}, "n": "x"})),
        ("first: 2^40", json!({"f": {}, "n": 1_099_511_627_776_i64})),
        ("enum value", json!({"f": {"status": {"eq": "NOPE"}}})),
    ] {
        let reply = post(&app, query, variables).await;
        assert_request_error(&reply, "BAD_USER_INPUT", what);
    }
    // A fitting set still runs.
    let reply = post(&app, query, json!({"f": {"published": true}, "n": 1})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body["data"]["services"]["totalCount"].is_number());
}
