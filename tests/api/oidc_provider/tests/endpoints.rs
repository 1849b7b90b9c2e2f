//! Tests of what the provider serves besides tokens: discovery and the JWKS, the
//! sign-in page and what it refuses (and how), logout, and the CORS answers the
//! browser needs; also that the server stops with the provider.

use super::{
    REDIRECT_URI, browser, pkce, post_form, redirect_query, request_params, token_request,
    url_with, users,
};
use crate::oidc_provider::{OidcProvider, ProviderSettings};
use axum::http::header;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn discovery_and_jwks_describe_the_provider() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let issuer = provider.issuer.clone();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    let response = client
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .header("origin", "http://127.0.0.1:5173")
        .send()
        .await
        .expect("discovery");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let doc: Value = response.json().await.expect("JSON");
    assert_eq!(doc["issuer"], json!(issuer));
    assert_eq!(
        doc["authorization_endpoint"],
        json!(format!("{issuer}/authorize"))
    );
    assert_eq!(doc["token_endpoint"], json!(format!("{issuer}/token")));
    assert_eq!(doc["jwks_uri"], json!(provider.jwks_url()));
    assert_eq!(
        doc["end_session_endpoint"],
        json!(format!("{issuer}/logout"))
    );
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(
        doc["grant_types_supported"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        doc["scopes_supported"],
        json!(["openid", "profile", "offline_access"])
    );
    assert_eq!(doc["subject_types_supported"], json!(["public"]));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["none"])
    );

    let response = client.get(provider.jwks_url()).send().await.expect("jwks");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let set: Value = response.json().await.expect("JSON");
    let keys = set["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1, "{set}");
    for field in ["kty", "n", "e", "kid", "alg", "use"] {
        assert!(keys[0][field].is_string(), "{field} in {set}");
    }
    assert_eq!(
        (&keys[0]["kty"], &keys[0]["alg"], &keys[0]["use"]),
        (&json!("RSA"), &json!("RS256"), &json!("sig"))
    );
}

#[tokio::test]
async fn the_sign_in_page_lists_users_and_refuses_bad_requests() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let (_, challenge) = pkce();
    let authorize = format!("{}/authorize", provider.issuer);

    let response = client
        .get(url_with(&authorize, &request_params(&challenge, "openid")))
        .send()
        .await
        .expect("sign-in page");
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(
        html.contains("<title>Test identity provider</title>"),
        "{html}"
    );
    assert!(html.contains("<h1>Sign in</h1>"), "{html}");
    assert!(
        html.contains(r#"<form method="post" action="/authorize">"#),
        "{html}"
    );
    for user in ["ada", "rita"] {
        assert!(
            html.contains(&format!(
                r#"<button type="submit" name="user" value="{user}">Sign in as {user}</button>"#
            )),
            "{user}: {html}"
        );
    }
    for (name, value) in request_params(&challenge, "openid") {
        assert!(
            html.contains(&format!(
                r#"<input type="hidden" name="{name}" value="{value}">"#
            )),
            "hidden {name}: {html}"
        );
    }

    // Never a redirect to an unchecked URI, nor for an unknown client.
    let bad = |name: &'static str, value: &'static str| {
        let mut params = request_params(&challenge, "openid");
        params.retain(|(n, _)| *n != name);
        params.push((name, value));
        url_with(&authorize, &params)
    };
    for (name, value, says) in [
        (
            "redirect_uri",
            "https://evil.example.org/cb",
            "redirect_uri",
        ),
        ("redirect_uri", "", "redirect_uri"),
        ("client_id", "someone-else", "client"),
    ] {
        let response = client.get(bad(name, value)).send().await.expect("refusal");
        assert_eq!(response.status(), 400, "{name}={value}");
        assert!(response.headers().get(header::LOCATION).is_none());
        let html = response.text().await.expect("html");
        assert!(html.contains(says), "{name}={value}: {html}");
        assert!(!html.contains("<form"), "{html}");
        // Posting the same is refused the same way, and issues no code.
        let mut params = request_params(&challenge, "openid");
        params.retain(|(n, _)| *n != name);
        params.extend([(name, value), ("user", "ada")]);
        let response = post_form(&client, &authorize, &params)
            .send()
            .await
            .expect("refusal");
        assert_eq!(response.status(), 400, "POST {name}={value}");
        assert!(response.headers().get(header::LOCATION).is_none());
    }
    // With a trusted redirect URI, other mistakes go back to the client as OAuth errors.
    for (name, value, error) in [
        ("code_challenge_method", "plain", "invalid_request"),
        ("code_challenge", "", "invalid_request"),
        ("response_type", "token", "unsupported_response_type"),
    ] {
        let response = client.get(bad(name, value)).send().await.expect("refusal");
        assert_eq!(response.status(), 303, "{name}={value}");
        let (location, query) = redirect_query(&response);
        assert!(location.starts_with(REDIRECT_URI), "{location}");
        assert_eq!(
            query.get("error").map(String::as_str),
            Some(error),
            "{location}"
        );
        assert_eq!(query.get("state").map(String::as_str), Some("st-123"));
        assert!(!query.contains_key("code"), "{location}");
    }
    // An unknown user cannot sign in.
    let mut params = request_params(&challenge, "openid");
    params.push(("user", "mallory"));
    let response = post_form(&client, &authorize, &params)
        .send()
        .await
        .expect("refusal");
    assert_eq!(response.status(), 400);

    // Logout goes back only to a trusted URI.
    let logout = format!("{}/logout", provider.issuer);
    let response = client
        .get(url_with(
            &logout,
            &[("post_logout_redirect_uri", "http://127.0.0.1:5173/admin/")],
        ))
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()[header::LOCATION],
        "http://127.0.0.1:5173/admin/"
    );
    let response = client
        .get(url_with(
            &logout,
            &[("post_logout_redirect_uri", "https://evil.example.org/")],
        ))
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 200);
    assert!(response.text().await.expect("html").contains("Signed out"));
}

#[tokio::test]
async fn the_token_endpoint_answers_cross_origin_requests() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let response = client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/token", provider.issuer),
        )
        .header("origin", "http://127.0.0.1:5173")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert_eq!(response.status(), 204);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    let methods = headers["access-control-allow-methods"]
        .to_str()
        .expect("methods");
    assert!(methods.contains("POST"), "{methods}");
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .expect("headers")
        .to_ascii_lowercase();
    assert!(
        allowed.contains("content-type") && allowed.contains("authorization"),
        "{allowed}"
    );
    // Errors carry the header too, so the browser can read them.
    let (status, headers, body) = token_request(
        &client,
        &provider,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "signpost-admin"),
        ],
    )
    .await;
    assert_eq!((status, &body["error"]), (400, &json!("invalid_request")));
    assert_eq!(headers["access-control-allow-origin"], "*");
    // The server stops with the provider.
    let token_url = format!("{}/token", provider.issuer);
    drop(provider);
    let mut stopped = false;
    for _ in 0..50 {
        let fresh = browser();
        if fresh.get(&token_url).send().await.is_err() {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(stopped, "the provider stops when dropped");
}
