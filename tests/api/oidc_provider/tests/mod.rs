//! Tests of the provider, and of Signpost accepting its tokens: the helpers that
//! act as the admin console (sign in, exchange codes, verify tokens, call
//! Signpost) live here; the tests are in [`endpoints`] (discovery, JWKS, the
//! sign-in page, logout, CORS) and [`flow`] (the code flow and refresh tokens).

mod endpoints;
mod flow;

use super::keys::{random_token, s256_challenge};
use super::{OidcProvider, TestUser};
use crate::helpers::{TestApp, spawn_app_with};
use axum::http::{HeaderMap, header};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

const REDIRECT_URI: &str = "http://127.0.0.1:5173/admin/callback";

fn browser() -> reqwest::Client {
    signpost::install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

fn users() -> Vec<TestUser> {
    vec![
        TestUser::new("ada", &["admin"]),
        TestUser::new("rita", &["reader"]),
    ]
}

/// A PKCE verifier and its S256 challenge.
fn pkce() -> (String, String) {
    let verifier = random_token();
    let challenge = s256_challenge(&verifier);
    (verifier, challenge)
}

fn url_with(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(base).expect("url");
    url.query_pairs_mut().extend_pairs(pairs);
    url.to_string()
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A POST of `pairs` to `url` as an `application/x-www-form-urlencoded` body.
fn post_form(
    client: &reqwest::Client,
    url: &str,
    pairs: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs))
}

/// Where a redirect `response` goes, and the query of that URL.
fn redirect_query(response: &reqwest::Response) -> (String, HashMap<String, String>) {
    let location = response.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    let back = url::Url::parse(&location).expect("location is a URL");
    let query = back.query_pairs().into_owned().collect();
    (location, query)
}

/// The authorization request parameters of the admin console.
fn request_params<'a>(challenge: &'a str, scope: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", "signpost-admin"),
        ("redirect_uri", REDIRECT_URI),
        ("scope", scope),
        ("state", "st-123"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("nonce", "n-456"),
    ]
}

/// Signs `username` in as the sign-in page's form does; the code from the redirect.
async fn sign_in(
    client: &reqwest::Client,
    provider: &OidcProvider,
    username: &str,
    challenge: &str,
    scope: &str,
) -> String {
    let mut params = request_params(challenge, scope);
    params.push(("user", username));
    let response = post_form(client, &format!("{}/authorize", provider.issuer), &params)
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), 303, "sign-in answers with a redirect");
    let (location, query) = redirect_query(&response);
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    assert_eq!(query.get("state").map(String::as_str), Some("st-123"));
    assert_eq!(query.get("iss"), Some(&provider.issuer));
    assert!(
        location.contains(&format!(
            "iss={}",
            form(&[("x", &provider.issuer)]).trim_start_matches("x=")
        )),
        "iss is URL-encoded: {location}"
    );
    query.get("code").cloned().expect("a code")
}

/// POSTs `pairs` to the token endpoint: status, headers, JSON body.
async fn token_request(
    client: &reqwest::Client,
    provider: &OidcProvider,
    pairs: &[(&str, &str)],
) -> (u16, HeaderMap, Value) {
    let response = post_form(client, &format!("{}/token", provider.issuer), pairs)
        .header("origin", "http://127.0.0.1:5173")
        .send()
        .await
        .expect("token request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.expect("JSON"))
}

async fn exchange(
    client: &reqwest::Client,
    provider: &OidcProvider,
    code: &str,
    verifier: &str,
) -> (u16, HeaderMap, Value) {
    token_request(
        client,
        provider,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", "signpost-admin"),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// Verifies `token` against the provider's published JWKS.
async fn verified(
    client: &reqwest::Client,
    provider: &OidcProvider,
    token: &str,
    audience: &str,
) -> Value {
    let set: jsonwebtoken::jwk::JwkSet = client
        .get(provider.jwks_url())
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("a JWK set");
    let header = jsonwebtoken::decode_header(token).expect("header");
    assert_eq!(header.alg, Algorithm::RS256);
    let jwk = set
        .find(header.kid.as_deref().expect("kid"))
        .expect("the kid is published");
    let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&provider.issuer]);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).expect("key"),
        &validation,
    )
    .expect("a valid token")
    .claims
}

/// A Signpost server that trusts the provider's tokens.
async fn signpost_trusting(provider: &OidcProvider) -> TestApp {
    spawn_app_with(|config| {
        config.jwt_jwks = Some(provider.jwks_url());
        config.jwt_issuer = Some(provider.issuer.clone());
        config.jwt_audience = Some("signpost".into());
        config.jwt_secret = None;
    })
    .await
}

const ADMIN_QUERY: &str = "{ imports(first: 1) { nodes { id } } }";

/// POSTs [`ADMIN_QUERY`] with `access_token`; (status, body).
async fn imports_as(app: &TestApp, access_token: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", format!("Bearer {access_token}"))
        .json(&json!({ "query": ADMIN_QUERY }))
        .send()
        .await
        .expect("graphql");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}
