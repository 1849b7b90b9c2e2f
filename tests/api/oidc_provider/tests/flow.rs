//! Tests of the authorization code flow end to end: codes exchanged once, with the
//! right verifier, client and redirect URI; the tokens' claims and signatures; a
//! real Signpost server granting or refusing by role; and refresh tokens that
//! work once and rotate.

use super::{
    REDIRECT_URI, browser, exchange, imports_as, pkce, sign_in, signpost_trusting, token_request,
    users, verified,
};
use crate::oidc_provider::{OidcProvider, ProviderSettings};
use serde_json::json;

#[tokio::test]
async fn the_code_flow_signs_in_to_signpost_with_the_users_roles() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let app = signpost_trusting(&provider).await;

    let (verifier, challenge) = pkce();
    let code = sign_in(&client, &provider, "ada", &challenge, "openid profile").await;

    let (wrong, _) = pkce();
    let (status, _, body) = exchange(&client, &provider, &code, &wrong).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    assert!(body["error_description"].is_string(), "{body}");
    // A different redirect URI or client is refused too, and does not use the code up.
    let (status, _, body) = token_request(
        &client,
        &provider,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:5173/elsewhere"),
            ("client_id", "signpost-admin"),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    let (status, _, body) = token_request(
        &client,
        &provider,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", "someone-else"),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_client")),
        "{body}"
    );
    assert_eq!(provider.grants("authorization_code"), 0);

    let (status, headers, tokens) = exchange(&client, &provider, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(tokens["token_type"], json!("Bearer"));
    assert_eq!(tokens["expires_in"], json!(300));
    assert_eq!(tokens["scope"], json!("openid profile"));
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access: {tokens}"
    );
    assert_eq!(provider.grants("authorization_code"), 1);

    let (status, _, body) = exchange(&client, &provider, &code, &verifier).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "reuse: {body}"
    );
    assert_eq!(provider.grants("authorization_code"), 1);

    let access_token = tokens["access_token"].as_str().expect("access token");
    let claims = verified(&client, &provider, access_token, "signpost").await;
    assert_eq!(claims["iss"], json!(provider.issuer));
    assert_eq!(claims["sub"], json!("ada"));
    assert_eq!(claims["preferred_username"], json!("ada"));
    assert_eq!(claims["roles"], json!(["admin"]));
    assert_eq!(claims["scope"], json!("openid profile"));
    let lifetime = claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat");
    assert_eq!(lifetime, 300);
    let id_token = tokens["id_token"].as_str().expect("id token");
    let id = verified(&client, &provider, id_token, "signpost-admin").await;
    assert_eq!(
        (
            &id["sub"],
            &id["nonce"],
            &id["preferred_username"],
            &id["name"]
        ),
        (&json!("ada"), &json!("n-456"), &json!("ada"), &json!("ada"))
    );

    let (status, body) = imports_as(&app, access_token).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("errors").is_none(),
        "an admin sees imports: {body}"
    );
    assert!(body["data"]["imports"]["nodes"].is_array(), "{body}");

    // A reader signs in the same way and is refused what only an admin may see.
    let (verifier, challenge) = pkce();
    let code = sign_in(&client, &provider, "rita", &challenge, "openid").await;
    let (status, _, tokens) = exchange(&client, &provider, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let reader_token = tokens["access_token"].as_str().expect("access token");
    let (_, body) = imports_as(&app, reader_token).await;
    assert_eq!(crate::helpers::code(&body), "FORBIDDEN", "{body}");
    assert_eq!(provider.grants("authorization_code"), 2);

    // Other malformed token requests.
    for (pairs, error) in [
        (
            vec![("grant_type", "password"), ("client_id", "signpost-admin")],
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("client_id", "signpost-admin"),
                ("code", "x"),
            ],
            "invalid_request",
        ),
        (
            vec![("grant_type", "authorization_code")],
            "invalid_request",
        ),
    ] {
        let (status, _, body) = token_request(&client, &provider, &pairs).await;
        assert_eq!(
            (status, &body["error"]),
            (400, &json!(error)),
            "{pairs:?}: {body}"
        );
    }
}

#[tokio::test]
async fn refresh_tokens_work_once_and_are_rotated() {
    let provider = OidcProvider::start(users(), ProviderSettings::default()).await;
    let client = browser();
    let app = signpost_trusting(&provider).await;
    let (verifier, challenge) = pkce();
    let scope = "openid profile offline_access";
    let code = sign_in(&client, &provider, "ada", &challenge, scope).await;
    let (status, _, tokens) = exchange(&client, &provider, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let first = tokens["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();

    let refresh = |token: String| {
        let client = client.clone();
        let provider = &provider;
        async move {
            token_request(
                &client,
                provider,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", "signpost-admin"),
                ],
            )
            .await
        }
    };
    let (status, headers, renewed) = refresh(first.clone()).await;
    assert_eq!(status, 200, "{renewed}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(provider.grants("refresh_token"), 1);
    let second = renewed["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(first, second);
    let access_token = renewed["access_token"].as_str().expect("access token");
    assert_ne!(Some(access_token), tokens["access_token"].as_str());
    let (status, body) = imports_as(&app, access_token).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("errors").is_none(),
        "the renewed token works: {body}"
    );

    let (status, _, body) = refresh(first).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "rotated out: {body}"
    );
    let (status, _, body) = refresh("made-up".into()).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    assert_eq!(provider.grants("refresh_token"), 1);
    let (status, _, body) = refresh(second).await;
    assert_eq!(status, 200, "the newest refresh token still works: {body}");
    assert_eq!(provider.grants("refresh_token"), 2);
}
