//! Bearer tokens on `/graphql`: real tokens signed in the test (HS256 with a secret,
//! RS256 with an RSA key and ES256 with a P-256 key generated here and published as a JWKS file or URL), every
//! refusal case, and what each role sees.

use crate::fixtures;
use crate::helpers::{TestApp, spawn_app_with};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const SECRET: &str = "test-secret-that-is-long-enough-for-hs256";
const ISSUER: &str = "https://sso.example.org";
const AUDIENCE: &str = "signpost";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(roles: Value) -> Value {
    json!({ "sub": "user-1", "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 600, "roles": roles })
}

fn hs256(claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign")
}

async fn hs256_app() -> TestApp {
    spawn_app_with(|config| {
        config.jwt_secret = Some(SECRET.to_owned().into());
        config.jwt_issuer = Some(ISSUER.into());
        config.jwt_audience = Some(AUDIENCE.into());
        config.jwt_leeway_secs = 5;
    })
    .await
}

/// POSTs `{ services { nodes { name } } }` with `token`; (status, body).
async fn services_as(app: &TestApp, token: Option<&str>) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ services { nodes { name } } }" }));
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

fn names(body: &Value) -> Vec<String> {
    body["data"]["services"]["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .filter_map(|n| n["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn assert_refused(status: u16, body: &Value, case: &str) {
    assert_eq!(status, 401, "{case}: {body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        json!("UNAUTHENTICATED"),
        "{case}"
    );
    assert_eq!(
        body["errors"][0]["message"],
        json!("the credentials sent are not valid"),
        "{case}"
    );
    assert!(body.get("data").is_none(), "{case}");
}

async fn published_and_draft(app: &TestApp) {
    let provider = fixtures::provider(&app.db, "Token Provider").await;
    fixtures::service(&app.db, provider, "Published Service").await;
    let mut draft = fixtures::service_model(provider, "Draft Service");
    draft.published = sea_orm::ActiveValue::Set(false);
    fixtures::try_service(&app.db, draft).await.expect("draft");
}

#[tokio::test]
async fn roles_from_valid_tokens_widen_what_is_seen() {
    let app = hs256_app().await;
    published_and_draft(&app).await;
    let (status, body) = services_as(&app, None).await;
    assert_eq!(
        (status, names(&body)),
        (200, vec!["Published Service".to_owned()])
    );
    for roles in [
        json!(["reader"]),
        json!("openid exporter"),
        json!(["admin", "reader"]),
    ] {
        let (status, body) = services_as(&app, Some(&hs256(&claims(roles.clone())))).await;
        assert_eq!(status, 200, "{roles}");
        assert_eq!(
            names(&body),
            ["Draft Service", "Published Service"],
            "{roles}"
        );
    }
    // A valid token naming no known role reads as anonymous.
    let (status, body) = services_as(&app, Some(&hs256(&claims(json!(["editor"]))))).await;
    assert_eq!(
        (status, names(&body)),
        (200, vec!["Published Service".to_owned()])
    );
}

#[tokio::test]
async fn bad_tokens_are_refused_without_detail() {
    let app = hs256_app().await;
    let mut expired = claims(json!(["admin"]));
    expired["exp"] = json!(now() - 60);
    let mut early = claims(json!(["admin"]));
    early["nbf"] = json!(now() + 600);
    let mut foreign = claims(json!(["admin"]));
    foreign["iss"] = json!("https://evil.example.org");
    let mut elsewhere = claims(json!(["admin"]));
    elsewhere["aud"] = json!("another-api");
    let mut no_expiry = claims(json!(["admin"]));
    no_expiry.as_object_mut().map(|c| c.remove("exp"));
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims(json!(["admin"])).to_string())
    );
    let wrong_key = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(json!(["admin"])),
        &EncodingKey::from_secret(b"another-secret-of-the-same-length-00000"),
    )
    .expect("sign");
    let cases = [
        ("expired", hs256(&expired)),
        ("not yet valid", hs256(&early)),
        ("wrong issuer", hs256(&foreign)),
        ("wrong audience", hs256(&elsewhere)),
        ("no exp", hs256(&no_expiry)),
        ("alg none", unsigned),
        ("wrong key", wrong_key),
        ("malformed", "not.a.token".to_owned()),
    ];
    for (case, token) in cases {
        let (status, body) = services_as(&app, Some(&token)).await;
        assert_refused(status, &body, case);
    }
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401, "unknown scheme");
}

/// A P-256 key pair: the signing key and its public JWK (with `kid`).
fn es256_key(kid: &str) -> (EncodingKey, Value, Vec<u8>) {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key");
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .expect("pair");
    let public = pair.public_key().as_ref().to_vec();
    let jwk = json!({
        "kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig",
        "x": URL_SAFE_NO_PAD.encode(&public[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&public[33..65]),
    });
    (EncodingKey::from_ec_der(pkcs8.as_ref()), jwk, public)
}

fn es256(key: &EncodingKey, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, key).expect("sign")
}

#[tokio::test]
async fn es256_tokens_verify_against_a_jwks_file() {
    let (key, jwk, public) = es256_key("k1");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, json!({ "keys": [jwk] }).to_string()).expect("write");
    let app = spawn_app_with(|config| {
        config.jwt_jwks = Some(path.display().to_string());
        config.jwt_audience = Some(AUDIENCE.into());
    })
    .await;
    published_and_draft(&app).await;
    let token = es256(&key, "k1", &claims(json!(["reader"])));
    let (status, body) = services_as(&app, Some(&token)).await;
    assert_eq!((status, names(&body).len()), (200, 2), "{body}");
    let unknown = es256(&key, "k9", &claims(json!(["reader"])));
    let (status, body) = services_as(&app, Some(&unknown)).await;
    assert_refused(status, &body, "unknown kid");
    // HS256 "signed" with the public key, naming the EC key's kid.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k1".into());
    let confused = jsonwebtoken::encode(
        &header,
        &claims(json!(["admin"])),
        &EncodingKey::from_secret(&public),
    )
    .expect("sign");
    let (status, body) = services_as(&app, Some(&confused)).await;
    assert_refused(status, &body, "HS256 with the public key");
}

/// A 2048-bit RSA key: the signing key, its public JWK (with `kid`) and the
/// public key as PEM, which a confused verifier might take as an HMAC secret.
pub(crate) fn rs256_key(kid: &str) -> (EncodingKey, Value, String) {
    use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
    use rsa::traits::PublicKeyParts;
    let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("rsa key");
    let public = private.to_public_key();
    let jwk = json!({
        "kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig",
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    });
    let der = private.to_pkcs1_der().expect("der");
    let pem = public
        .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
        .expect("pem");
    (EncodingKey::from_rsa_der(der.as_bytes()), jwk, pem)
}

#[tokio::test]
async fn rs256_tokens_verify_against_a_jwks_file() {
    let (key, jwk, public_pem) = rs256_key("rsa-1");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, json!({ "keys": [jwk] }).to_string()).expect("write");
    let app = spawn_app_with(|config| {
        config.jwt_jwks = Some(path.display().to_string());
        config.jwt_issuer = Some(ISSUER.into());
        config.jwt_audience = Some(AUDIENCE.into());
    })
    .await;
    published_and_draft(&app).await;
    let sign =
        |header: Header, claims: &Value| jsonwebtoken::encode(&header, claims, &key).expect("sign");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    let (status, body) =
        services_as(&app, Some(&sign(header.clone(), &claims(json!("reader"))))).await;
    assert_eq!((status, names(&body).len()), (200, 2), "{body}");
    let (status, body) = services_as(&app, None).await;
    assert_eq!((status, names(&body).len()), (200, 1), "{body}");

    let mut wrong_issuer = claims(json!(["reader"]));
    wrong_issuer["iss"] = json!("https://elsewhere.example.org");
    let (status, body) = services_as(&app, Some(&sign(header.clone(), &wrong_issuer))).await;
    assert_refused(status, &body, "RS256 from another issuer");
    let mut expired = claims(json!(["reader"]));
    expired["exp"] = json!(now() - 3600);
    let (status, body) = services_as(&app, Some(&sign(header.clone(), &expired))).await;
    assert_refused(status, &body, "expired RS256");

    // The classic key confusion: HS256 keyed with the RSA public key.
    let mut confused = Header::new(Algorithm::HS256);
    confused.kid = Some("rsa-1".into());
    for secret in [public_pem.as_bytes(), public_pem.trim().as_bytes()] {
        let token = jsonwebtoken::encode(
            &confused,
            &claims(json!(["admin"])),
            &EncodingKey::from_secret(secret),
        )
        .expect("sign");
        let (status, body) = services_as(&app, Some(&token)).await;
        assert_refused(status, &body, "HS256 with the RSA public key");
    }
    // `alg: none`, unsigned, naming the kid.
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": "rsa-1"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims(json!(["admin"])).to_string()),
    );
    let (status, body) = services_as(&app, Some(&unsigned)).await;
    assert_refused(status, &body, "alg none");
}

#[tokio::test]
async fn a_rotated_key_is_fetched_again_at_most_once_per_interval() {
    let (old_key, old_jwk, _) = es256_key("old");
    let (new_key, new_jwk, _) = es256_key("new");
    let published = Arc::new(std::sync::Mutex::new(json!({ "keys": [old_jwk] })));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (serve_keys, count) = (published.clone(), fetches.clone());
    let router = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || {
            let keys = serve_keys.lock().map(|k| k.clone()).unwrap_or_default();
            count.fetch_add(1, Ordering::SeqCst);
            async move { axum::Json(keys) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });

    let patient = spawn_app_with(|config| config.jwt_jwks = Some(url.clone())).await;
    let eager = spawn_app_with(|config| {
        config.jwt_jwks = Some(url.clone());
        config.jwt_jwks_refetch_secs = 0;
    })
    .await;
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "each fetches at start");
    let old = es256(&old_key, "old", &claims(json!(["reader"])));
    assert_eq!(services_as(&patient, Some(&old)).await.0, 200);

    if let Ok(mut keys) = published.lock() {
        *keys = json!({ "keys": [new_jwk] });
    }
    let new = es256(&new_key, "new", &claims(json!(["reader"])));
    // Within the interval an unknown kid is refused without asking the provider.
    let (status, body) = services_as(&patient, Some(&new)).await;
    assert_refused(status, &body, "new kid within the interval");
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    // Past it, the key set is fetched again and the new key verifies.
    assert_eq!(services_as(&eager, Some(&new)).await.0, 200);
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn introspection_is_open_to_the_configured_role() {
    let app = spawn_app_with(|config| {
        config.jwt_secret = Some(SECRET.to_owned().into());
        config.introspection_role = signpost::read::viewer::Role::Reader;
    })
    .await;
    let introspect = |token: Option<String>| {
        let mut request = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": "{ __schema { queryType { name } } }" }));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        request.send()
    };
    let body: Value = introspect(None)
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        json!("FORBIDDEN"),
        "{body}"
    );
    assert!(
        body.get("data").is_none(),
        "anonymous cannot introspect: {body}"
    );
    let mut reader = claims(json!(["reader"]));
    reader.as_object_mut().map(|c| {
        c.remove("iss");
        c.remove("aud")
    });
    let body: Value = introspect(Some(hs256(&reader)))
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(
        body["data"]["__schema"]["queryType"]["name"],
        json!("Query"),
        "{body}"
    );
}

#[tokio::test]
async fn graphiql_is_open_to_the_configured_role() {
    let app = spawn_app_with(|config| {
        config.jwt_secret = Some(SECRET.to_owned().into());
        config.graphiql_role = signpost::read::viewer::Role::Admin;
    })
    .await;
    assert_eq!(app.get("/graphiql").await.status(), 403);
    let mut admin = claims(json!(["admin"]));
    admin.as_object_mut().map(|c| {
        c.remove("iss");
        c.remove("aud")
    });
    let page = |token: String| {
        app.client
            .get(app.url("/graphiql"))
            .header("authorization", format!("Bearer {token}"))
            .send()
    };
    assert_eq!(page(hs256(&admin)).await.expect("request").status(), 200);
    assert_eq!(page("bad".into()).await.expect("request").status(), 401);
}
