//! `/admin` over HTTP: the console's files, its settings document, deep links and
//! the headers that keep it safe (the browser run is `browser_admin`).

use crate::helpers::spawn_app_with;
use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use serde_json::Value;

const ISSUER: &str = "http://127.0.0.1:9/realms/council";

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_console_is_served_with_a_strict_policy_at_every_page() {
    let app = spawn_app_with(|config| {
        config.oidc_issuer = Some(ISSUER.into());
        config.oidc_client_id = Some("signpost-console".into());
        config.import_max_file_bytes = 5_000_000;
    })
    .await;
    let mut pages = Vec::new();
    for path in [
        "/admin",
        "/admin/history",
        "/admin/callback?code=x&state=y",
        "/admin/records?type=services",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            header(&response, CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        let policy = header(&response, CONTENT_SECURITY_POLICY);
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(policy.contains("style-src 'self';"), "{policy}");
        assert!(!policy.contains("unsafe"), "{policy}");
        // The browser may call the issuer (discovery, tokens) and nothing else.
        assert!(
            policy.contains("connect-src 'self' http://127.0.0.1:9;"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert_eq!(
            header(&response, reqwest::header::REFERRER_POLICY),
            "no-referrer"
        );
        pages.push(response.text().await.expect("page"));
    }
    assert!(
        pages.windows(2).all(|w| w[0] == w[1]),
        "every path answers the same page"
    );
    let page = &pages[0];
    // No inline script: every script element loads a file of ours.
    for script in page.split("<script").skip(1) {
        let tag = &script[..script.find('>').expect("tag ends")];
        assert!(
            tag.contains("src=\"/admin/assets/"),
            "inline or foreign script: {tag}"
        );
    }

    let script = app.get("/admin/assets/app.js").await;
    assert_eq!(script.status(), 200);
    assert!(header(&script, CONTENT_TYPE).starts_with("text/javascript"));
    // Revalidated on every load, so a new binary's bundle is used at once.
    assert_eq!(header(&script, reqwest::header::CACHE_CONTROL), "no-cache");
    let tag = header(&script, reqwest::header::ETAG);
    assert!(tag.starts_with('"') && tag.len() == 34, "{tag}");
    let again = app
        .client
        .get(app.url("/admin/assets/app.js"))
        .header(reqwest::header::IF_NONE_MATCH, &tag)
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), 304);
    assert!(script.text().await.expect("js").len() > 10_000);
    let styles = app.get("/admin/assets/app.css").await;
    assert!(header(&styles, CONTENT_TYPE).starts_with("text/css"));
    let licences = app
        .get("/admin/assets/licenses.txt")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        licences.contains("preact") && licences.contains("oauth4webapi"),
        "{licences}"
    );
    assert_eq!(app.get("/admin/assets/missing.js").await.status(), 404);
    assert_eq!(
        app.get("/admin/assets/..%2F..%2FCargo.toml").await.status(),
        404
    );

    let settings: Value = app
        .get("/admin/config.json")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(settings["issuer"], ISSUER);
    assert_eq!(settings["clientId"], "signpost-console");
    assert_eq!(settings["scopes"], "openid profile offline_access");
    assert_eq!(settings["maxUploadBytes"], 5_000_000);
}

#[tokio::test]
async fn without_single_sign_on_the_console_says_so_and_can_be_turned_off() {
    let app = spawn_app_with(|_| {}).await;
    let settings: Value = app
        .get("/admin/config.json")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        settings["issuer"],
        Value::Null,
        "the page explains sign-in is not configured"
    );
    let policy = header(&app.get("/admin").await, CONTENT_SECURITY_POLICY);
    assert!(policy.contains("connect-src 'self';"), "{policy}");

    // A provider whose token endpoint is on another origin: that one is allowed too.
    let google = spawn_app_with(|config| {
        config.oidc_issuer = Some("https://accounts.google.com".into());
        config.oidc_client_id = Some("console".into());
        config.oidc_connect_origins = "https://oauth2.googleapis.com".into();
    })
    .await;
    let policy = header(&google.get("/admin").await, CONTENT_SECURITY_POLICY);
    assert!(
        policy.contains(
            "connect-src 'self' https://accounts.google.com https://oauth2.googleapis.com;"
        ),
        "{policy}"
    );

    let off = spawn_app_with(|config| config.admin_console = false).await;
    assert_eq!(off.get("/admin").await.status(), 404);
    assert_eq!(off.get("/admin/config.json").await.status(), 404);
}

/// The page refuses a file over the limit before sending it; a client that sends
/// one anyway is refused by the server, which names the limit that applied.
#[tokio::test]
async fn an_upload_over_the_limit_is_refused_naming_it() {
    let app = spawn_app_with(|config| config.import_max_file_bytes = 1_000).await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .header(CONTENT_TYPE, "multipart/form-data; boundary=x")
        .body(vec![b'a'; 1_001])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("json");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "LIMIT_EXCEEDED");
    assert_eq!(error["extensions"]["limit"], "importMaxFileBytes");
    assert_eq!(error["extensions"]["bytes"], 1_000);
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("1000 bytes"), "{message}");
}
