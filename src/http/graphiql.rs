//! `/graphiql`: the GraphiQL explorer, from files compiled into the binary.
//!
//! GraphiQL 3.9.0 and React 18.3.1 are the UMD builds from the npm registry, kept
//! under `static/graphiql/` with their licences. Nothing comes from a CDN, so the
//! explorer works on an air-gapped network, and the page has no inline script, so
//! it runs under the strict Content-Security-Policy sent with it (styles may be
//! inline: GraphiQL's editor sets them).

use super::static_files::{self, StaticFile};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Only the server's own origin for scripts, styles, fonts and requests.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file the page loads.
const ASSETS: &[StaticFile] = &[
    StaticFile {
        name: "graphiql.min.js",
        content_type: JS,
        bytes: include_bytes!("../../static/graphiql/graphiql.min.js"),
    },
    StaticFile {
        name: "graphiql.min.css",
        content_type: CSS,
        bytes: include_bytes!("../../static/graphiql/graphiql.min.css"),
    },
    StaticFile {
        name: "react.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../static/graphiql/react.production.min.js"),
    },
    StaticFile {
        name: "react-dom.production.min.js",
        content_type: JS,
        bytes: include_bytes!("../../static/graphiql/react-dom.production.min.js"),
    },
    StaticFile {
        name: "explorer.js",
        content_type: JS,
        bytes: include_bytes!("../../static/graphiql/explorer.js"),
    },
    StaticFile {
        name: "explorer.css",
        content_type: CSS,
        bytes: include_bytes!("../../static/graphiql/explorer.css"),
    },
];

const PAGE: &[u8] = include_bytes!("../../static/graphiql/index.html");

fn policy() -> HeaderValue {
    HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE)
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
    static_files::page(PAGE, policy())
}

/// `GET /graphiql/{file}`: one of the page's scripts or styles.
pub async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    static_files::asset(ASSETS, &file, policy(), &headers)
}
