//! `/graphql` against the GraphQL-over-HTTP specification, one test per rule, over
//! real HTTP; plus limits, CORS and the GraphiQL page's headers.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";
/// What a client of the GraphQL-over-HTTP specification asks for.
const ACCEPT_GRAPHQL: &str = "application/graphql-response+json";

struct Reply {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

fn post(app: &TestApp, accept: Option<&str>, body: &str) -> reqwest::RequestBuilder {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_owned());
    if let Some(accept) = accept {
        request = request.header(ACCEPT, accept);
    }
    request
}

fn code(reply: &Reply) -> &str {
    reply.body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn accept_chooses_the_response_type() {
    let app = spawn_app().await;
    let query = r#"{"query":"{ __typename }"}"#;
    for (accept, expected) in [
        (None, JSON),
        (Some("*/*"), JSON),
        (Some("application/graphql-response+json"), GRAPHQL_RESPONSE),
        (Some("application/json"), JSON),
        (
            Some("application/json;q=0.9, application/graphql-response+json;q=0.8"),
            JSON,
        ),
        (
            Some("application/graphql-response+json, application/json"),
            GRAPHQL_RESPONSE,
        ),
    ] {
        let reply = send(post(&app, accept, query)).await;
        assert_eq!(reply.status, 200, "{accept:?}");
        assert_eq!(reply.content_type, expected, "{accept:?}");
        assert_eq!(reply.body, json!({"data": {"__typename": "Query"}}));
    }
    let refused = send(post(&app, Some("text/html"), query)).await;
    assert_eq!(refused.status, 406);
    let refused = send(post(&app, Some("application/json; charset=latin1"), query)).await;
    assert_eq!(refused.status, 406);
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations_with_405() {
    let app = spawn_app().await;
    let get = |query: &str| {
        let params = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query", query)
            .append_pair("variables", r#"{"n":1}"#)
            .finish();
        app.client.get(app.url(&format!("/graphql?{params}")))
    };
    let reply = send(get("query($n: Int) { services(first: $n) { totalCount } }")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["data"]["services"]["totalCount"], json!(0));
    // Refused before validation: the schema has no mutations yet, still a 405.
    let reply = send(get("mutation { anything }")).await;
    assert_eq!(reply.status, 405);
    assert_eq!(
        reply.headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let reply = send(app.client.get(app.url("/graphql"))).await;
    assert_eq!(reply.status, 400, "no query parameter");
}

#[tokio::test]
async fn post_bodies_must_be_utf8_json() {
    let app = spawn_app().await;
    let body = r#"{"query":"{ __typename }"}"#;
    let typed = |content_type: Option<&str>| {
        let mut request = app.client.post(app.url("/graphql")).body(body);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        request
    };
    assert_eq!(
        send(typed(Some("application/json; charset=utf-8")))
            .await
            .status,
        200
    );
    for refused in [
        Some("text/plain"),
        Some("application/json; charset=utf-16"),
        None,
    ] {
        let reply = send(typed(refused)).await;
        assert_eq!(reply.status, 415, "{refused:?}");
        assert!(reply.body["errors"][0]["message"].is_string());
    }
}

#[tokio::test]
async fn malformed_requests_are_400_under_both_types() {
    let app = spawn_app().await;
    for accept in ["application/graphql-response+json", "application/json"] {
        for body in [
            "NONSENSE",
            "",
            r#"[{"query":"{ __typename }"}]"#,
            r#"{"query": 1}"#,
            r#"{"query":"{ __typename }","variables":"x"}"#,
            r#"{"query":"{ __typename }","operationName":[]}"#,
            r#"{"query":"{ __typename }","extensions":7}"#,
        ] {
            let reply = send(post(&app, Some(accept), body)).await;
            assert_eq!(reply.status, 400, "{accept} {body}");
            assert!(reply.body.get("data").is_none(), "{body}");
        }
    }
    let reply = send(post(
        &app,
        None,
        r#"{"query":"{ __typename }","variables":null,"operationName":null,"extensions":{"x":1}}"#,
    ))
    .await;
    assert_eq!(reply.status, 200, "null and object parameters are accepted");
}

#[tokio::test]
async fn request_errors_are_400_without_data_or_200_under_legacy_json() {
    let app = spawn_app().await;
    let cases = [
        r#"{"query":"{"}"#,             // does not parse
        r#"{"query":"{ notAField }"}"#, // fails validation
        r#"{"query":"query($n: Int!) { services(first: $n) { totalCount } }","variables":{"n":"x"}}"#, // bad variable
        r#"{"query":"query A { __typename } query B { __typename }"}"#, // which operation?
    ];
    for body in cases {
        let strict = send(post(&app, Some("application/graphql-response+json"), body)).await;
        assert_eq!(strict.status, 400, "{body}: {}", strict.body);
        assert!(strict.body.get("data").is_none(), "{body}");
        assert!(
            strict.body["errors"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
        );
        let legacy = send(post(&app, Some("application/json"), body)).await;
        assert_eq!(legacy.status, 200, "{body}");
        assert_eq!(legacy.content_type, JSON);
        assert!(legacy.body.get("data").is_none(), "{body}");
    }
    // A field error during execution is a 200 with data under either type.
    let body = r#"{"query":"{ services(first: -1) { totalCount } }"}"#;
    let executed = send(post(&app, None, body)).await;
    assert_eq!(executed.status, 200);
    assert!(executed.body.get("data").is_some());
    assert_eq!(code(&executed), "BAD_USER_INPUT");
}

#[tokio::test]
async fn limits_name_themselves() {
    let app = spawn_app_with(|config| {
        config.max_depth = 6;
        config.max_aliases = 2;
        config.max_complexity = 500;
        config.max_body_bytes = 2_000;
    })
    .await;
    let deep = r#"{"query":"{ services { nodes { provider { services { nodes { provider { name } } } } } } }"}"#;
    let aliases = r#"{"query":"{ a: __typename b: __typename c: __typename }"}"#;
    let complex = r#"{"query":"{ services(first: 100) { nodes { venues(first: 100) { nodes { name } } } } }"}"#;
    for (body, limit) in [
        (deep, "maxDepth"),
        (aliases, "maxAliases"),
        (complex, "maxComplexity"),
    ] {
        let reply = send(post(&app, Some(ACCEPT_GRAPHQL), body)).await;
        assert_eq!(reply.status, 400, "{limit}");
        assert_eq!(code(&reply), "LIMIT_EXCEEDED", "{limit}");
        assert_eq!(reply.body["errors"][0]["extensions"]["limit"], json!(limit));
    }
    let big = format!(
        r#"{{"query":"{{ __typename }}","extensions":{{"pad":"{}"}}}}"#,
        "x".repeat(3_000)
    );
    let reply = send(post(&app, None, &big)).await;
    assert_eq!(reply.status, 413);
    assert_eq!(code(&reply), "LIMIT_EXCEEDED");
    assert_eq!(
        reply.body["errors"][0]["extensions"]["limit"],
        json!("maxBodyBytes")
    );
    // A page over maxPageSize is a request error: nothing runs, 400, the limit named;
    // as a literal, a variable, a variable's default, nested, or in a fragment.
    for body in [
        r#"{"query":"{ services(first: 101) { totalCount } }"}"#,
        r#"{"query":"query($n: Int) { providers(last: $n) { totalCount } }","variables":{"n":101}}"#,
        r#"{"query":"query($n: Int = 500) { venues(first: $n) { totalCount } }"}"#,
        r#"{"query":"{ services(first: 1) { nodes { venues(first: 101) { totalCount } } } }"}"#,
        r#"{"query":"{ ...F } fragment F on Query { imports(first: 101) { nodes { id } } }"}"#,
    ] {
        let page = send(post(&app, Some(ACCEPT_GRAPHQL), body)).await;
        assert_eq!(page.status, 400, "{body}: {}", page.body);
        assert_eq!(code(&page), "LIMIT_EXCEEDED", "{body}");
        assert_eq!(
            page.body["errors"][0]["extensions"]["limit"],
            json!("maxPageSize"),
            "{body}"
        );
        assert!(page.body.get("data").is_none(), "{body}: {}", page.body);
    }
    let within = send(post(
        &app,
        None,
        r#"{"query":"{ services(first: 100) { totalCount } }"}"#,
    ))
    .await;
    assert_eq!(within.status, 200, "{}", within.body);
}

#[tokio::test]
async fn cors_lets_any_origin_read_and_named_origins_send_credentials() {
    let app = spawn_app_with(|config| {
        config.cors_origins = "*, https://admin.example.org".into();
    })
    .await;
    let preflight = |origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
    };
    let public = send(preflight("https://directory.example.com")).await;
    assert!(public.status < 300);
    let header = |reply: &Reply, name: &str| {
        reply
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header(&public, "access-control-allow-origin").as_deref(),
        Some("https://directory.example.com")
    );
    assert_eq!(header(&public, "access-control-allow-credentials"), None);
    let admin = send(preflight("https://admin.example.org")).await;
    assert_eq!(
        header(&admin, "access-control-allow-credentials").as_deref(),
        Some("true")
    );
    let read = send(
        post(&app, None, r#"{"query":"{ __typename }"}"#)
            .header("origin", "https://directory.example.com"),
    )
    .await;
    assert_eq!(read.status, 200);
    assert!(header(&read, "access-control-allow-origin").is_some());

    let closed =
        spawn_app_with(|config| config.cors_origins = "https://only.example.org".into()).await;
    let reply = send(
        post(&closed, None, r#"{"query":"{ __typename }"}"#)
            .header("origin", "https://other.example.com"),
    )
    .await;
    assert_eq!(reply.headers.get("access-control-allow-origin"), None);
}

#[tokio::test]
async fn graphiql_is_served_under_a_strict_policy() {
    let app = spawn_app().await;
    let page = app.get("/graphiql").await;
    assert_eq!(page.status(), 200);
    let policy = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-eval"));
    let html = page.text().await.expect("html");
    assert!(!html.contains("<script>"), "no inline script");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no CDN"
    );
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "explorer.js",
    ] {
        assert!(html.contains(&format!("/graphiql/{asset}")), "{asset}");
        let response = app.get(&format!("/graphiql/{asset}")).await;
        assert_eq!(response.status(), 200, "{asset}");
    }
    assert_eq!(app.get("/graphiql/../Cargo.toml").await.status(), 404);
    let off = spawn_app_with(|config| config.graphiql = false).await;
    assert_eq!(off.get("/graphiql").await.status(), 404);
}

#[tokio::test]
async fn internal_errors_carry_no_details() {
    let app = spawn_app().await;
    // A table the query needs goes missing under the running server.
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("ALTER TABLE taxonomies RENAME TO taxonomies_gone")
        .await
        .expect("rename");
    let reply = send(post(
        &app,
        None,
        r#"{"query":"{ taxonomies { nodes { name } } }"}"#,
    ))
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(code(&reply), "INTERNAL");
    let text = reply.body.to_string();
    assert!(
        reply.body["errors"][0]["message"] == json!("internal error"),
        "{text}"
    );
    assert!(
        !text.contains("taxonomies_gone") && !text.to_lowercase().contains("sql"),
        "{text}"
    );
    assert!(reply.headers.get("x-request-id").is_some());
}

#[tokio::test]
async fn a_slow_operation_is_stopped_at_the_execution_timeout() {
    // 50 services, each with its provider's 50 services and their provider: the
    // last statement waits for thousands of objects to be built first. (The timeout
    // is checked where the operation waits for the database; resolving fields
    // already loaded runs to the next wait — so each content type gets a server of
    // its own, whose first statements are not yet prepared: a warm server can
    // finish this query's few waits inside a millisecond.)
    // Several levels, each a database wait, so the timer is looked at often.
    let body = r#"{"query":"{ services(first: 50) { nodes { provider { services(first: 50) { nodes { name costOptions { nodes { option } } contacts { nodes { name } } provider { name services(first: 50) { nodes { name provider { name } } } } } } } } } }"}"#;
    for (accept, status) in [(Some(ACCEPT_GRAPHQL), 503), (Some("application/json"), 200)] {
        let app = spawn_app_with(|config| {
            config.execution_timeout_ms = 1;
            config.max_complexity = 100_000_000;
        })
        .await;
        let provider = crate::fixtures::provider(&app.db, "Busy Provider").await;
        for n in 0..60 {
            crate::fixtures::service(&app.db, provider, &format!("Service {n}")).await;
        }
        let reply = send(post(&app, accept, body)).await;
        assert_eq!(reply.status, status, "{accept:?}: {}", reply.body);
        assert_eq!(code(&reply), "LIMIT_EXCEEDED", "{accept:?}");
        assert_eq!(
            reply.body["errors"][0]["extensions"]["limit"],
            json!("executionTimeoutMs")
        );
    }
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_postgres),
    ignore = "PostgreSQL only: set TEST_DATABASE_URL"
)]
async fn postgres_cancels_statements_at_the_statement_timeout() {
    let Some(_) = crate::helpers::postgres_url() else {
        eprintln!(
            "SKIPPED postgres_cancels_statements_at_the_statement_timeout: TEST_DATABASE_URL is not set"
        );
        return;
    };
    let database = crate::helpers::TestDb::new().await;
    let mut config = database.config();
    config.db_statement_timeout_ms = 50;
    let pool = signpost::db::connect(&signpost::db::DbSettings::serving(&config))
        .await
        .expect("connect");
    use sea_orm::ConnectionTrait;
    let error = pool
        .execute_unprepared("SELECT pg_sleep(2)")
        .await
        .expect_err("cancelled");
    let error = signpost::error::AppError::from(error);
    assert_eq!(error.limit_name(), Some("dbStatementTimeoutMs"));
    let error = async_graphql::Error::from(error);
    let extensions = format!("{:?}", error.extensions);
    assert!(
        extensions.contains("LIMIT_EXCEEDED") && extensions.contains("dbStatementTimeoutMs"),
        "{extensions}"
    );
}

/// Where each of `keys` first appears in `text`, in order; panics naming a missing one.
fn positions(text: &str, keys: &[&str]) -> Vec<usize> {
    keys.iter()
        .map(|key| {
            text.find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("no {key} in {text}"))
        })
        .collect()
}

/// Fields come back in the order the query selects them, every time (the GraphQL
/// specification's "ordered by the order in which they appear in the query"). The
/// response text is read as sent: a parsed JSON object forgets its order.
#[tokio::test]
async fn fields_come_back_in_the_order_they_were_selected() {
    let app = spawn_app().await;
    let provider = crate::fixtures::provider(&app.db, "Ordered Trust").await;
    for i in 0..5 {
        crate::fixtures::service(&app.db, provider, &format!("Service {i}")).await;
    }
    // Fields that wait on the database (counts, relations) among ones that do not.
    let query = "{ services(first: 5) { totalCount pageInfo { hasNextPage } nodes { \
                 venues { totalCount } name provider { name } id } } \
                 serverVersion providers { nodes { name } totalCount } }";
    let body = serde_json::to_string(&json!({ "query": query })).expect("body");
    let expected = [
        "services",
        "totalCount",
        "pageInfo",
        "nodes",
        "venues",
        "name",
        "provider",
        "id",
        "serverVersion",
        "providers",
    ];
    for attempt in 0..8 {
        let response = post(&app, None, &body).send().await.expect("request");
        let text = response.text().await.expect("body");
        let found = positions(&text, &expected);
        assert!(
            found.windows(2).all(|pair| pair[0] < pair[1]),
            "attempt {attempt}: fields out of selection order: {text}"
        );
    }
}
