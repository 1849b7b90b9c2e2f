//! The HSDS 3.0 / Open Referral UK REST API under `hsds_base` (default `/hsds`):
//! thin handlers over [`crate::hsds::api`]. Every answer is JSON; a parameter that
//! is not valid is a 400 naming it, an unknown id a 404, both with the body
//! `{"code", "message", "parameter"?}` the OpenAPI document describes. A query
//! parameter the route does not know is refused rather than ignored, so a filter
//! the API does not have never looks as if it had matched everything.

use crate::hsds::api::filters::{SERVICE_PARAMETERS, ServiceFilter};
use crate::hsds::api::page::PageRequest;
use crate::hsds::api::read::{parse_flag, parse_id};
use crate::hsds::api::taxonomy::{self, TermFilter};
use crate::hsds::api::{ApiError, about, openapi};
use crate::hsds::api::{organization, service, service_at_location};
use crate::read::Viewer;
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;

/// The API's routes under `base`; none when `base` is empty.
pub fn routes(base: &str) -> Router<AppState> {
    if base.is_empty() {
        return Router::new();
    }
    Router::new()
        .route(base, get(root))
        .route(&format!("{base}/"), get(root))
        .route(&format!("{base}/openapi.json"), get(document))
        .route(
            &format!("{base}/organizations"),
            get(scoped_list::<ORGANIZATIONS>),
        )
        .route(
            &format!("{base}/organizations/{{id}}"),
            get(scoped_one::<ORGANIZATIONS>),
        )
        .route(&format!("{base}/services"), get(scoped_list::<SERVICES>))
        .route(
            &format!("{base}/services/{{id}}"),
            get(scoped_one::<SERVICES>),
        )
        .route(
            &format!("{base}/service_at_locations"),
            get(scoped_list::<SERVICE_AT_LOCATIONS>),
        )
        .route(
            &format!("{base}/service_at_locations/{{id}}"),
            get(scoped_one::<SERVICE_AT_LOCATIONS>),
        )
        .route(&format!("{base}/taxonomies"), get(taxonomies))
        .route(&format!("{base}/taxonomies/{{id}}"), get(taxonomy_by_id))
        .route(&format!("{base}/taxonomy_terms"), get(terms))
        .route(&format!("{base}/taxonomy_terms/{{id}}"), get(term_by_id))
}

fn api_base(state: &AppState) -> String {
    format!(
        "{}{}",
        super::export::public_base(state),
        state.config.hsds_base
    )
}

async fn root(State(state): State<AppState>) -> Response {
    Json(about(&format!("{}/openapi.json", api_base(&state)))).into_response()
}

async fn document(State(state): State<AppState>) -> Response {
    Json(openapi::document(&api_base(&state))).into_response()
}

/// Refuses parameters outside `known`, then reads the page.
fn page_of(params: &HashMap<String, String>, known: &[&str]) -> Result<PageRequest, ApiError> {
    if let Some(unknown) = params
        .keys()
        .filter(|name| !["page", "per_page"].contains(&name.as_str()))
        .find(|name| !known.contains(&name.as_str()))
    {
        return Err(ApiError::bad(
            unknown.as_str(),
            "is not a parameter of this route",
        ));
    }
    PageRequest::parse(
        params.get("page").map(String::as_str),
        params.get("per_page").map(String::as_str),
    )
}

/// The caller, as GraphQL knows it: from the HAWK layer or a bearer token.
async fn viewer(
    state: &AppState,
    hawk: Option<Extension<Viewer>>,
    headers: &HeaderMap,
) -> Result<Viewer, Response> {
    super::graphql::caller(state, hawk, headers)
        .await
        .map_err(|failure| {
            tracing::info!(reason = %failure.reason, "credentials refused");
            let body = json!({ "code": 401, "message": "the credentials sent are not valid" });
            (StatusCode::UNAUTHORIZED, Json(body)).into_response()
        })
}

/// The routes whose answer depends on who asks, as a handler's const parameter.
type Scoped = u8;
const ORGANIZATIONS: Scoped = 0;
const SERVICES: Scoped = 1;
const SERVICE_AT_LOCATIONS: Scoped = 2;

/// The filter parameters of `/services` and `/service_at_locations`, every name.
fn service_parameters() -> Vec<&'static str> {
    SERVICE_PARAMETERS
        .iter()
        .flat_map(|names| names.iter().copied())
        .collect()
}

/// `GET /organizations`, `/services`, `/service_at_locations`: a page of what
/// the caller may see.
async fn scoped_list<const KIND: Scoped>(
    State(state): State<AppState>,
    hawk: Option<Extension<Viewer>>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    let viewer = match viewer(&state, hawk, &headers).await {
        Ok(viewer) => viewer,
        Err(refused) => return refused,
    };
    let answer = async {
        if KIND == ORGANIZATIONS {
            let request = page_of(&params, &[])?;
            return organization::organizations(&state.db, &viewer, request).await;
        }
        let request = page_of(&params, &service_parameters())?;
        let filter = ServiceFilter::parse(&params)?;
        if KIND == SERVICES {
            service::services(&state.db, &viewer, &filter, request).await
        } else {
            service_at_location::service_at_locations(&state.db, &viewer, &filter, request).await
        }
    };
    respond(answer.await)
}

/// `GET /organizations/{id}`, `/services/{id}`, `/service_at_locations/{id}`.
async fn scoped_one<const KIND: Scoped>(
    State(state): State<AppState>,
    hawk: Option<Extension<Viewer>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let viewer = match viewer(&state, hawk, &headers).await {
        Ok(viewer) => viewer,
        Err(refused) => return refused,
    };
    respond(match KIND {
        ORGANIZATIONS => organization::organization(&state.db, &viewer, &id).await,
        SERVICES => service::service(&state.db, &viewer, &id).await,
        _ => service_at_location::service_at_location(&state.db, &viewer, &id).await,
    })
}

async fn taxonomies(State(state): State<AppState>, Query(params): Params) -> Response {
    let answer = async {
        let request = page_of(&params, &[])?;
        taxonomy::taxonomies(&state.db, request).await
    };
    respond(answer.await)
}

async fn taxonomy_by_id(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    respond(taxonomy::taxonomy(&state.db, &id).await)
}

async fn terms(State(state): State<AppState>, Query(params): Params) -> Response {
    let answer = async {
        let request = page_of(&params, &["taxonomy_id", "parent_id", "top_only"])?;
        let id = |name: &'static str| {
            params
                .get(name)
                .map(|text| parse_id(name, text))
                .transpose()
        };
        let filter = TermFilter {
            taxonomy_id: id("taxonomy_id")?,
            parent_id: id("parent_id")?,
            top_only: parse_flag("top_only", params.get("top_only").map(String::as_str))?,
        };
        taxonomy::terms(&state.db, filter, request).await
    };
    respond(answer.await)
}

async fn term_by_id(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    respond(taxonomy::term(&state.db, &id).await)
}

fn respond(answer: Result<Value, ApiError>) -> Response {
    match answer {
        Ok(body) => Json(body).into_response(),
        Err(error) => {
            let (status, parameter) = match &error {
                ApiError::BadParameter { parameter, .. } => {
                    (StatusCode::BAD_REQUEST, Some(parameter.clone()))
                }
                ApiError::NotFound { .. } => (StatusCode::NOT_FOUND, None),
                ApiError::Db(db) => {
                    tracing::error!(error = %db, "HSDS API read failed");
                    (StatusCode::SERVICE_UNAVAILABLE, None)
                }
            };
            let message = match &error {
                ApiError::Db(_) => "the directory could not be read; try again".to_owned(),
                other => other.to_string(),
            };
            let mut body = json!({ "code": status.as_u16(), "message": message });
            if let Some(parameter) = parameter {
                body["parameter"] = json!(parameter);
            }
            (status, Json(body)).into_response()
        }
    }
}
