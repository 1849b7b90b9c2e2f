//! The provider's routes (with CORS for what a browser calls from another origin),
//! the small endpoints (discovery, JWKS, logout) and the HTML pages. The sign-in
//! and token endpoints have their own modules, [`super::authorize`] and
//! [`super::token`].

use super::authorize::{authorize, authorize_page};
use super::provider::Provider;
use super::token::token;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

pub(super) fn router(state: Arc<Provider>) -> Router {
    // Called by the browser from another origin: open to every origin.
    let cross_origin = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery).options(preflight),
        )
        .route("/jwks", get(jwks).options(preflight))
        .route("/token", axum::routing::post(token).options(preflight))
        .layer(axum::middleware::map_response(allow_any_origin));
    Router::new()
        .route("/authorize", get(authorize_page).post(authorize))
        .route("/logout", get(logout))
        .merge(cross_origin)
        .with_state(state)
}

async fn allow_any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS"),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "content-type, authorization",
            ),
            (header::ACCESS_CONTROL_MAX_AGE, "600"),
        ],
    )
        .into_response()
}

async fn discovery(State(provider): State<Arc<Provider>>) -> Response {
    let issuer = &provider.issuer;
    axum::Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "offline_access"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "claims_supported": ["iss", "sub", "aud", "iat", "exp", "nonce", "preferred_username", "name", "roles"],
    }))
    .into_response()
}

async fn jwks(State(provider): State<Arc<Provider>>) -> Response {
    axum::Json(json!({ "keys": [provider.key.jwk] })).into_response()
}

#[derive(Deserialize)]
struct LogoutParams {
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

async fn logout(
    State(provider): State<Arc<Provider>>,
    Query(params): Query<LogoutParams>,
) -> Response {
    let prefix = provider.settings.redirect_uri_prefix.as_str();
    if let Some(uri) = params
        .post_logout_redirect_uri
        .as_deref()
        .filter(|uri| uri.starts_with(prefix))
        && let Ok(mut to) = url::Url::parse(uri)
    {
        if let Some(state) = &params.state {
            to.query_pairs_mut().append_pair("state", state);
        }
        return Redirect::to(to.as_str()).into_response();
    }
    Html(page(
        "Signed out",
        "<p>You have signed out of the test identity provider.</p>",
    ))
    .into_response()
}

/// A complete page titled "Test identity provider" with `heading` and `body`.
pub(super) fn page(heading: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Test identity provider</title>\n</head>\n<body>\n<main>\n\
         <h1>{}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        escape(heading)
    )
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The fields of an `application/x-www-form-urlencoded` body (the last of a repeated name).
pub(super) fn form_fields(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}
