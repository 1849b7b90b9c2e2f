//! Export over plain HTTP: the earlier Data Store Service's routes
//! (`/api/v1/table-structure/…`, `/api/v1/table-data/…`, HAWK-signed, refusals
//! with an empty body) and whole-table downloads (`/export/<type>.ndjson|.csv`,
//! streamed, gzip when accepted, not signed).
//!
//! Who may: an exporter or admin (a JWT role, or a HAWK client's `export`,
//! `admin` or `*` scope), or, on a compatibility route, a HAWK client holding that
//! route's own scope (`table-data`, `table-structure`) as before.

use super::hawk::HawkScopes;
use crate::export::stream::{download, parse_file_name};
use crate::export::table::{Orientation, data_page, structure, table_of};
use crate::read::{Role, Viewer};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Extension, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

/// The compatibility routes, to be layered with the signing HAWK check.
pub fn compat_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/api/v1/table-structure/{schema}/{table}",
            axum::routing::get(table_structure),
        )
        .route(
            "/api/v1/table-data/{schema}/{table}",
            axum::routing::get(table_data),
        )
}

/// The download routes, to be layered with the non-signing HAWK check.
pub fn download_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/export/{file}", axum::routing::get(export_file))
        .route(
            "/export/datasets/{organisation}/{file}",
            axum::routing::get(export_dataset),
        )
}

/// 401 or 403 with an empty body, or the caller.
async fn allowed(
    state: &AppState,
    viewer: Option<Extension<Viewer>>,
    scopes: Option<Extension<HawkScopes>>,
    headers: &HeaderMap,
    route_scope: Option<&str>,
) -> Result<(), Response> {
    let viewer = match viewer {
        Some(Extension(viewer)) => viewer,
        None => match state.auth.viewer(headers).await {
            Ok(viewer) => viewer,
            Err(failure) => {
                tracing::info!(reason = %failure.reason, "credentials refused");
                return Err(StatusCode::UNAUTHORIZED.into_response());
            }
        },
    };
    if viewer.role == Role::Anonymous && route_scope.is_none_or(|_| scopes.is_none()) {
        return Err(StatusCode::UNAUTHORIZED.into_response());
    }
    let scoped = route_scope.is_some_and(|route| {
        scopes.is_some_and(|Extension(HawkScopes(scopes))| scopes.iter().any(|s| s == route))
    });
    if viewer.role >= Role::Exporter || scoped {
        Ok(())
    } else {
        Err(StatusCode::FORBIDDEN.into_response())
    }
}

fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body.to_string(),
    )
        .into_response()
}

fn not_found() -> Response {
    json(StatusCode::NOT_FOUND, &serde_json::json!({}))
}

/// `GET /api/v1/table-structure/<schema>/<table>`.
async fn table_structure(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    scopes: Option<Extension<HawkScopes>>,
    headers: HeaderMap,
    Path((schema, table)): Path<(String, String)>,
) -> Response {
    if let Err(refused) = allowed(&state, viewer, scopes, &headers, Some("table-structure")).await {
        return refused;
    }
    match table_of(&schema, &table) {
        Some(kind) => json(StatusCode::OK, &structure(kind)),
        None if schema == crate::export::table::SCHEMA => not_found(),
        None => super::dataset::table_structure(&state, &schema, &table).await,
    }
}

#[derive(Deserialize)]
struct DataParams {
    orientation: Option<String>,
    #[serde(rename = "next-id")]
    next_id: Option<String>,
    /// A dataset walk's version (in its `next` links).
    version: Option<i32>,
}

/// `GET /api/v1/table-data/<schema>/<table>?orientation=records|tabular&next-id=…`.
async fn table_data(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    scopes: Option<Extension<HawkScopes>>,
    headers: HeaderMap,
    Path((schema, table)): Path<(String, String)>,
    params: Result<Query<DataParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(refused) = allowed(&state, viewer, scopes, &headers, Some("table-data")).await {
        return refused;
    }
    let Ok(Query(params)) = params else {
        return bad_request("the query string cannot be read");
    };
    let orientation = match params.orientation.as_deref() {
        None | Some("records") => Orientation::Records,
        Some("tabular") => Orientation::Tabular,
        Some(other) => {
            return bad_request(&format!(
                "orientation must be records or tabular, not {other:?}"
            ));
        }
    };
    let Some(kind) = table_of(&schema, &table) else {
        if schema == crate::export::table::SCHEMA {
            return not_found();
        }
        let after = match params.next_id.as_deref().map(str::parse::<i64>) {
            None => 0,
            Some(Ok(row)) => row,
            Some(Err(_)) => return bad_request("next-id must be a row number this route returned"),
        };
        return super::dataset::table_data(
            &state,
            &schema,
            &table,
            orientation,
            after,
            params.version,
        )
        .await;
    };
    let after = match params.next_id.as_deref().map(str::parse::<Uuid>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return bad_request("next-id must be an id this route returned"),
    };
    let base = public_base(&state);
    let next_url = |id: Uuid| {
        format!(
            "{base}/api/v1/table-data/{schema}/{table}?orientation={}&next-id={id}",
            match orientation {
                Orientation::Records => "records",
                Orientation::Tabular => "tabular",
            }
        )
    };
    let size = state.config.export_table_page_size;
    match data_page(&state.db, kind, orientation, after, size, next_url).await {
        Ok(body) => (
            StatusCode::OK,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "table-data page");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn bad_request(message: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({ "error": message }),
    )
}

/// `SIGNPOST_PUBLIC_URL` without a trailing slash, or the bind address.
pub(crate) fn public_base(state: &AppState) -> String {
    match &state.config.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{}", state.config.bind),
    }
}

/// `GET /export/hsds.zip`: the HSDS 3.0 tabular package, written to a temporary
/// file first (a zip's directory comes last), then streamed.
async fn hsds_package(state: &AppState) -> Response {
    match crate::export::hsds::write_package(&state.db).await {
        Ok((file, _)) => {
            let body = tokio_util::io::ReaderStream::with_capacity(
                tokio::fs::File::from_std(file),
                256 * 1024,
            );
            (
                StatusCode::OK,
                [
                    (CONTENT_TYPE, HeaderValue::from_static("application/zip")),
                    (
                        CONTENT_DISPOSITION,
                        HeaderValue::from_static("attachment; filename=\"hsds.zip\""),
                    ),
                ],
                Body::from_stream(body),
            )
                .into_response()
        }
        Err(error) => {
            tracing::error!(%error, "HSDS package");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /export/<record_type>.ndjson` or `.csv`.
async fn export_file(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    if let Err(refused) = allowed(&state, viewer, None, &headers, None).await {
        return refused;
    }
    if file == "hsds.zip" {
        return hsds_package(&state).await;
    }
    let Some((kind, format)) = parse_file_name(&file) else {
        return not_found();
    };
    let disposition = format!("attachment; filename=\"{file}\"",);
    let mut response = Body::from_stream(download(state.db.clone(), kind, format)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// `GET /export/datasets/<organisation>/<dataset>.ndjson` or `.csv`.
async fn export_dataset(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    headers: HeaderMap,
    Path((organisation, file)): Path<(String, String)>,
) -> Response {
    if let Err(refused) = allowed(&state, viewer, None, &headers, None).await {
        return refused;
    }
    super::dataset::export_file(&state, &organisation, &file).await
}
