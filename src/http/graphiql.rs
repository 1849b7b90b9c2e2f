//! `/graphiql`: the GraphiQL explorer, from files compiled into the binary.
//!
//! GraphiQL 3.9.0 and React 18.3.1 are the UMD builds from the npm registry, kept
//! under `static/graphiql/` with their licences. Nothing comes from a CDN, so the
//! explorer works on an air-gapped network, and the page has no inline script, so
//! it runs under the strict Content-Security-Policy sent with it (styles may be
//! inline: GraphiQL's editor sets them).

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Only the server's own origin for scripts, styles, fonts and requests.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `(name, content type, bytes)` of every file the page loads.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/graphiql/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/graphiql/react-dom.production.min.js"),
    ),
    (
        "explorer.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/graphiql/explorer.js"),
    ),
    (
        "explorer.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/graphiql/explorer.css"),
    ),
];

const PAGE: &[u8] = include_bytes!("../../static/graphiql/index.html");

fn security_headers() -> [(HeaderName, HeaderValue); 3] {
    [
        (
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
        ),
        (
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ),
        (
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ),
    ]
}

/// `GET /graphiql`: the explorer page, for callers of at least `graphiql_role`.
pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.auth.viewer(&headers).await {
        Ok(viewer) if viewer.role >= state.config.graphiql_role => {}
        Ok(_) => return StatusCode::FORBIDDEN.into_response(),
        Err(failure) => {
            tracing::info!(reason = %failure.reason, "credentials refused");
            return StatusCode::UNAUTHORIZED.into_response();
        }
    }
    (
        security_headers(),
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        PAGE,
    )
        .into_response()
}

/// `GET /graphiql/{file}`: one of the page's scripts or styles.
pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            security_headers(),
            [
                (CONTENT_TYPE, HeaderValue::from_static(content_type)),
                // Versions change only with the binary.
                (
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
