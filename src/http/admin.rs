//! `/admin`: the admin console, a single-page application built from
//! `static/console/` into `static/admin/` and compiled into the binary.
//!
//! The server only hands out files and `/admin/config.json` (the OIDC issuer, client
//! id and scopes, and the upload limit): the browser signs in with the issuer itself
//! (authorization code flow with PKCE), keeps the access token in memory and sends it
//! to `/graphql` as a bearer token. So there is no session here, and replicas share
//! nothing for the console.
//!
//! Every path under `/admin/` that is not a file answers the page, so a deep link
//! (`/admin/history`) or the sign-in callback (`/admin/callback`) opens the console
//! at that page.

use super::static_files::{self, StaticFile};
use crate::config::Config;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

const ASSETS: &[StaticFile] = &[
    StaticFile {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/admin/assets/app.js"),
    },
    StaticFile {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../static/admin/assets/app.css"),
    },
    StaticFile {
        name: "licenses.txt",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../../static/admin/assets/licenses.txt"),
    },
];

const PAGE: &[u8] = include_bytes!("../../static/admin/index.html");

/// The console's routes.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/admin", get(page))
        .route("/admin/config.json", get(settings))
        .route("/admin/assets/{file}", get(asset))
        .route("/admin/{*page}", get(page))
}

/// No inline script or style, nothing from another site: the only origins besides
/// our own are the provider's (the issuer's, and `oidc_connect_origins`), which the
/// browser calls for discovery, tokens and refreshes.
fn policy(config: &Config) -> HeaderValue {
    let provider: String = config
        .oidc_issuer
        .iter()
        .map(String::as_str)
        .chain(config.oidc_connect_origins())
        .filter_map(|url| url::Url::parse(url).ok())
        .map(|url| url.origin().ascii_serialization())
        .filter(|origin| origin != "null")
        .map(|origin| format!(" {origin}"))
        .collect();
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'{provider}; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    );
    // The origins come from parsed URLs: ASCII with no control characters.
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'none'"))
}

async fn page(State(state): State<AppState>) -> Response {
    static_files::page(PAGE, policy(&state.config))
}

async fn asset(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    static_files::asset(ASSETS, &file, policy(&state.config), &headers)
}

/// What the console needs before it can sign in.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConsoleSettings<'a> {
    /// Null when single sign-on is not configured: the console says so.
    issuer: Option<&'a str>,
    client_id: Option<&'a str>,
    scopes: &'a str,
    /// The largest file an import or dataset upload may be, checked in the page
    /// before anything is sent.
    max_upload_bytes: u64,
    server_version: &'static str,
}

async fn settings(State(state): State<AppState>) -> Response {
    let config = &state.config;
    let body = ConsoleSettings {
        issuer: config.oidc_issuer.as_deref(),
        client_id: config.oidc_client_id.as_deref(),
        scopes: &config.oidc_scopes,
        max_upload_bytes: config.import_max_file_bytes,
        server_version: env!("CARGO_PKG_VERSION"),
    };
    (
        [(CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Json(body),
    )
        .into_response()
}
