//! The token endpoint: a code (with its PKCE verifier) or a refresh token exchanged
//! for tokens, with OAuth error answers for everything refused. Refresh tokens
//! rotate: each works once and is replaced by a new one.

use super::endpoints::form_fields;
use super::keys::s256_challenge;
use super::provider::Provider;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

pub(super) async fn token(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return oauth_error(
            "invalid_request",
            "send the request as application/x-www-form-urlencoded",
        );
    }
    let fields = form_fields(&body);
    let field = |name: &str| {
        fields
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    match field("client_id") {
        None => return oauth_error("invalid_request", "client_id is required"),
        Some(id) if id != provider.settings.client_id => {
            return oauth_error("invalid_client", "unknown client_id");
        }
        Some(_) => {}
    }
    let client_id = provider.settings.client_id.clone();
    match field("grant_type") {
        None => oauth_error("invalid_request", "grant_type is required"),
        Some("authorization_code") => {
            let (Some(code), Some(redirect_uri), Some(verifier)) =
                (field("code"), field("redirect_uri"), field("code_verifier"))
            else {
                return oauth_error(
                    "invalid_request",
                    "code, redirect_uri and code_verifier are required",
                );
            };
            if !(43..=128).contains(&verifier.len())
                || !verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            {
                return oauth_error(
                    "invalid_request",
                    "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
                );
            }
            let (username, scope, nonce) = {
                let mut codes = provider.codes.lock().expect("codes");
                let Some(issued) = codes.get_mut(code) else {
                    return oauth_error("invalid_grant", "unknown authorization code");
                };
                if issued.used {
                    return oauth_error("invalid_grant", "the authorization code was used already");
                }
                if issued.expires < Instant::now() {
                    return oauth_error("invalid_grant", "the authorization code has expired");
                }
                if issued.client_id != client_id {
                    return oauth_error("invalid_grant", "the code was issued to another client");
                }
                if issued.redirect_uri != redirect_uri {
                    return oauth_error(
                        "invalid_grant",
                        "redirect_uri differs from the authorization request's",
                    );
                }
                let challenge = s256_challenge(verifier);
                if challenge != issued.code_challenge {
                    return oauth_error(
                        "invalid_grant",
                        "code_verifier does not match the code_challenge",
                    );
                }
                issued.used = true;
                (
                    issued.username.clone(),
                    issued.scope.clone(),
                    issued.nonce.clone(),
                )
            };
            let Some(user) = provider.user(&username) else {
                return oauth_error("invalid_grant", "the user is gone");
            };
            provider.count_grant("authorization_code");
            provider.tokens(user, &client_id, &scope, nonce.as_deref())
        }
        Some("refresh_token") => {
            let Some(refresh_token) = field("refresh_token") else {
                return oauth_error("invalid_request", "refresh_token is required");
            };
            let grant = {
                let mut tokens = provider.refresh_tokens.lock().expect("refresh tokens");
                match tokens.get(refresh_token) {
                    None => {
                        return oauth_error(
                            "invalid_grant",
                            "unknown, revoked or already used refresh token",
                        );
                    }
                    Some(grant) if grant.client_id != client_id => {
                        return oauth_error(
                            "invalid_grant",
                            "the refresh token was issued to another client",
                        );
                    }
                    // Rotation: a refresh token works once.
                    Some(_) => tokens.remove(refresh_token).expect("present"),
                }
            };
            let Some(user) = provider.user(&grant.username) else {
                return oauth_error("invalid_grant", "the user is gone");
            };
            provider.count_grant("refresh_token");
            provider.tokens(user, &client_id, &grant.scope, None)
        }
        Some(other) => oauth_error(
            "unsupported_grant_type",
            &format!("grant_type {other:?} is not supported"),
        ),
    }
}
