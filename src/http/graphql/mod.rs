//! `/graphql` by the GraphQL-over-HTTP specification.
//!
//! async-graphql's axum integration answers every request with a 200 and one
//! content type; the specification asks for more, so this layer does the protocol
//! itself and hands the schema a plain `async_graphql::Request`:
//!
//! - the response type is negotiated from `Accept` ([`negotiate`]): `*/*` or no
//!   `Accept` gives `application/json` (the specification's legacy rule); nothing
//!   acceptable is a 406;
//! - a POST body must be `application/json` in UTF-8 (415 otherwise) and a
//!   well-formed request ([`params`]; 400 otherwise, naming the parameter), or a
//!   GraphQL multipart request carrying files ([`upload`]);
//!   batched requests (a JSON array) are refused;
//! - over GET the document is parsed first and a mutation is a 405 with
//!   `Allow: POST`, before validation;
//! - a request error (unparsable document, failed validation or limits, bad
//!   variables: nothing executed) has no `data` and is a 400 under
//!   `application/graphql-response+json`, a 200 under `application/json`;
//! - execution is bounded by `execution_timeout_ms` (`LIMIT_EXCEEDED`);
//! - a query may be answered from the response cache ([`crate::cache`]), and a GET
//!   answer carries HTTP validators ([`caching`]).
//!
//! The caller comes from the `Authorization` header ([`crate::auth`]): none is
//! anonymous; credentials that do not verify are a 401 `UNAUTHENTICATED` with no
//! detail. Introspection is open to the configured least role.

pub mod caching;
pub mod negotiate;
pub mod params;
pub mod upload;

use crate::cache::Key;
use crate::cache::reads::logging;
use crate::error::{AppError, ErrorCode};
use crate::graphql::limits::{ExecutionStarted, limit_error, uses_introspection};
use crate::graphql::{self, ApiLimits};
use crate::read::Viewer;
use crate::state::AppState;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{ServerError, Variables};
use axum::extract::{Extension, State};
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use negotiate::{RequestBody, ResponseType};
use params::Params;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// `GET /graphql`: queries only, parameters in the query string.
pub async fn get(
    State(state): State<AppState>,
    hawk: Option<Extension<Viewer>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some(response_type) = negotiate::response_type(&headers) else {
        return not_acceptable();
    };
    let viewer = match caller(&state, hawk, &headers).await {
        Ok(viewer) => viewer,
        Err(failure) => return unauthenticated(response_type, &failure),
    };
    let conditional = caching::Conditional::from_headers(&headers);
    match params::from_query_string(uri.query().unwrap_or_default()) {
        Ok(params) => execute(&state, response_type, params, viewer, Some(conditional)).await,
        Err(error) => malformed(response_type, error.to_string()),
    }
}

/// `POST /graphql`: a JSON body, or a GraphQL multipart request (file uploads).
pub async fn post(
    State(state): State<AppState>,
    hawk: Option<Extension<Viewer>>,
    request: axum::extract::Request,
) -> Response {
    let headers = request.headers().clone();
    let Some(response_type) = negotiate::response_type(&headers) else {
        return not_acceptable();
    };
    let kind = negotiate::request_body(&headers);
    match &kind {
        RequestBody::Json | RequestBody::Multipart(_) => {}
        RequestBody::Missing => {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                response_type,
                AppError::bad_input("Content-Type", "a POST needs application/json"),
            );
        }
        RequestBody::Unsupported(media) => {
            return refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                response_type,
                AppError::bad_input(
                    "Content-Type",
                    format!("{media:?} is not supported: send application/json (UTF-8)"),
                ),
            );
        }
    }
    let viewer = match caller(&state, hawk, &headers).await {
        Ok(viewer) => viewer,
        Err(failure) => return unauthenticated(response_type, &failure),
    };
    let body = request.into_body();
    if let RequestBody::Multipart(boundary) = kind {
        let limit = state.config.import_max_file_bytes;
        return match upload::receive(body, &boundary, limit).await {
            Ok(request) => run(&state, response_type, request, viewer, None).await,
            Err(message) => malformed(response_type, message),
        };
    }
    let body = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
        Ok(body) => body,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    match params::from_json_body(&body) {
        Ok(params) => execute(&state, response_type, params, viewer, None).await,
        Err(error) => malformed(response_type, error.to_string()),
    }
}

/// The caller: verified by the HAWK layer already, or from a bearer token (or none).
pub(crate) async fn caller(
    state: &AppState,
    hawk: Option<Extension<Viewer>>,
    headers: &HeaderMap,
) -> Result<Viewer, crate::auth::AuthFailure> {
    match hawk {
        Some(Extension(viewer)) => Ok(viewer),
        None => state.auth.viewer(headers).await,
    }
}

async fn execute(
    state: &AppState,
    response_type: ResponseType,
    params: Params,
    viewer: Viewer,
    over_get: Option<caching::Conditional>,
) -> Response {
    let mut request = async_graphql::Request::new(params.query).variables(Variables::from_json(
        serde_json::Value::Object(params.variables),
    ));
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    run(state, response_type, request, viewer, over_get).await
}

/// Runs a request: the GET rules, the response cache, introspection by role,
/// limits and timeout. `over_get` holds the validators of a GET request.
async fn run(
    state: &AppState,
    response_type: ResponseType,
    mut request: async_graphql::Request,
    viewer: Viewer,
    over_get: Option<caching::Conditional>,
) -> Response {
    // `extensions` are accepted; none is acted on yet.
    let limits: ApiLimits = state.config.api_limits();
    // Looked up before anything else: only queries that passed every check are kept,
    // and the same text, operation and role pass them again.
    let cache = state.cache.as_deref();
    let mut key = cache.and_then(|_| Key::of(viewer.role, &request));
    if let (Some(cache), Some(key)) = (cache, &key)
        && let Some(entry) = cache.get(key)
    {
        state.metrics.observe_cache(cache.type_of(&entry), "hit");
        let mut response = reply_bytes(StatusCode::OK, response_type, entry.body.clone());
        response
            .headers_mut()
            .insert(CACHE_OUTCOME, HeaderValue::from_static("hit"));
        return match &over_get {
            Some(conditional) => caching::validated(
                response,
                &entry.etag,
                caching::Freshness::For(entry.max_age(), key.role()),
                conditional,
            ),
            None => response,
        };
    }
    if let Err(error) =
        crate::graphql::limits::prepare(&mut request, &limits.query, &state.documents)
    {
        return request_error(response_type, vec![error]);
    }
    let name = request.operation_name.clone();
    let operation = match request.parsed_query() {
        Ok(document) => operation_type(document, name.as_deref()),
        Err(error) => return request_error(response_type, vec![error]),
    };
    if over_get.is_some()
        && matches!(
            operation,
            Some(OperationType::Mutation | OperationType::Subscription)
        )
    {
        return get_refused(response_type);
    }
    if operation != Some(OperationType::Query) {
        key = None;
    }
    if viewer.role < state.auth.introspection_role {
        let asks = match request.parsed_query() {
            Ok(document) => uses_introspection(document),
            Err(error) => return request_error(response_type, vec![error]),
        };
        if asks {
            let error = AppError::forbidden(
                "introspection is not open to this caller (SIGNPOST_INTROSPECTION_ROLE)",
            );
            return request_error(response_type, vec![error.into_server_error()]);
        }
        request = request.disable_introspection();
    }
    let started = ExecutionStarted::default();
    let request = graphql::attach(request, &state.db, viewer, limits)
        .data(started.clone())
        .data(crate::graphql::context::WriteContext {
            store: state.store.clone(),
            import_limits: state.config.import_limits(),
            ingest: state.ingest.clone(),
            replica: state.replica.clone(),
            jobs: state.jobs.clone(),
            dataset_limits: state.config.dataset_limits(),
        });
    let timeout = Duration::from_millis(state.config.execution_timeout_ms);
    let before = cache.map(|cache| cache.generations().snapshot());
    let tracked = key.as_ref().and(cache).map(|cache| cache.index().clone());
    let logged = logging(tracked, state.schema.execute(request));
    let outcome = tokio::time::timeout(timeout, logged).await;
    if operation == Some(OperationType::Mutation)
        && let Some(cache) = cache
    {
        // This caller's next read on this replica sees its write at once; the
        // other replicas learn of it from the database.
        cache.generations().bump_all();
        state
            .metrics
            .observe_invalidation(crate::cache::Source::Mutation);
    }
    let (response, log) = match outcome {
        Ok(done) => done,
        Err(_) => {
            let error = limit_error(
                "executionTimeoutMs",
                format!(
                    "the query ran longer than the limit of {} ms (executionTimeoutMs)",
                    state.config.execution_timeout_ms
                ),
            );
            let status = match response_type {
                ResponseType::GraphqlResponseJson => StatusCode::SERVICE_UNAVAILABLE,
                ResponseType::Json => StatusCode::OK,
            };
            return reply(status, response_type, &Body::errors(&[error]));
        }
    };
    state.metrics.observe_statements(log.statements);
    if !started.get() {
        return request_error(response_type, response.errors);
    }
    let body = Body {
        data: Some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    // No database: the answer is not the caller's fault and may come good soon.
    let unavailable = response.errors.iter().any(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .is_some_and(|code| {
                *code == async_graphql::Value::from(ErrorCode::DatabaseUnavailable.as_str())
            })
    });
    if unavailable {
        let mut response = reply(StatusCode::SERVICE_UNAVAILABLE, response_type, &body);
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from_static("5"),
        );
        return response;
    }
    let bytes = match serde_json::to_vec(&body) {
        Ok(bytes) => bytes::Bytes::from(bytes),
        Err(error) => {
            tracing::error!(error = %error, "cannot serialise a GraphQL response");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let kept = match (cache, key, before) {
        (Some(cache), Some(key), Some(before)) if response.errors.is_empty() => {
            let role = key.role();
            let (stored, entry) = cache.offer(key, &before, &log, bytes.clone());
            let table = log
                .tables
                .first()
                .map_or("none", |t| cache.index().name(*t));
            let outcome = match stored {
                crate::cache::Stored::Kept(_) => "miss",
                crate::cache::Stored::Not(why) => why,
            };
            state.metrics.observe_cache(table, outcome);
            Some((entry.map(|entry| (entry, role)), outcome))
        }
        _ => None,
    };
    let mut reply = reply_bytes(StatusCode::OK, response_type, bytes.clone());
    let (kept, outcome) = kept.unwrap_or((None, ""));
    if !outcome.is_empty() {
        let outcome = if outcome == "miss" { "stored" } else { outcome };
        reply
            .headers_mut()
            .insert(CACHE_OUTCOME, HeaderValue::from_static(outcome));
    }
    match over_get {
        Some(conditional) if response.errors.is_empty() => match kept {
            Some((entry, role)) => caching::validated(
                reply,
                &entry.etag,
                caching::Freshness::For(entry.max_age(), role),
                &conditional,
            ),
            None => caching::validated(
                reply,
                &crate::cache::etag(&bytes),
                caching::Freshness::Revalidate,
                &conditional,
            ),
        },
        _ => reply,
    }
}

/// What the response cache did with a query: `hit`, `stored`, or why it did not
/// keep the answer (the `outcome` label of `signpost_cache_lookups_total`).
const CACHE_OUTCOME: axum::http::HeaderName = axum::http::HeaderName::from_static("signpost-cache");

/// A mutation sent with GET: 405 with `Allow: POST`.
fn get_refused(response_type: ResponseType) -> Response {
    let mut response = refuse(
        StatusCode::METHOD_NOT_ALLOWED,
        response_type,
        AppError::user(
            ErrorCode::BadUserInput,
            "only queries can be sent with GET: send mutations with POST",
        ),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("POST"));
    response
}

/// The type of the operation the request would run, if the document names one.
fn operation_type(
    document: &async_graphql::parser::types::ExecutableDocument,
    name: Option<&str>,
) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation.node.ty),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| operation.node.ty)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The JSON body of a response; `data` is left out when nothing executed.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, async_graphql::Value>,
}

static NO_EXTENSIONS: BTreeMap<String, async_graphql::Value> = BTreeMap::new();

impl<'a> Body<'a> {
    fn errors(errors: &'a [ServerError]) -> Self {
        Self {
            data: None,
            errors,
            extensions: &NO_EXTENSIONS,
        }
    }
}

/// Parsing, validation, limits or variables failed: nothing ran.
fn request_error(response_type: ResponseType, errors: Vec<ServerError>) -> Response {
    let status = match response_type {
        ResponseType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
        ResponseType::Json => StatusCode::OK,
    };
    reply(status, response_type, &Body::errors(&errors))
}

/// Not a well-formed GraphQL-over-HTTP request: a 400 under either type.
fn malformed(response_type: ResponseType, message: String) -> Response {
    refuse(
        StatusCode::BAD_REQUEST,
        response_type,
        AppError::user(ErrorCode::BadUserInput, message),
    )
}

/// Every refusal of a request as a whole, in the GraphQL response shape.
pub(crate) fn refuse(status: StatusCode, response_type: ResponseType, error: AppError) -> Response {
    reply(
        status,
        response_type,
        &Body::errors(&[error.into_server_error()]),
    )
}

/// Credentials that do not verify: 401, the reason only in the log.
fn unauthenticated(response_type: ResponseType, failure: &crate::auth::AuthFailure) -> Response {
    tracing::info!(reason = %failure.reason, "credentials refused");
    let mut response = refuse(
        StatusCode::UNAUTHORIZED,
        response_type,
        AppError::user(
            ErrorCode::Unauthenticated,
            "the credentials sent are not valid",
        ),
    );
    response.headers_mut().insert(
        axum::http::header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer"),
    );
    response
}

fn not_acceptable() -> Response {
    refuse(
        StatusCode::NOT_ACCEPTABLE,
        ResponseType::Json,
        AppError::bad_input(
            "Accept",
            "allows no type this endpoint serves: application/graphql-response+json or application/json (UTF-8)",
        ),
    )
}

fn reply(status: StatusCode, response_type: ResponseType, body: &Body<'_>) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => reply_bytes(status, response_type, bytes::Bytes::from(bytes)),
        Err(error) => {
            tracing::error!(error = %error, "cannot serialise a GraphQL response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn reply_bytes(status: StatusCode, response_type: ResponseType, bytes: bytes::Bytes) -> Response {
    (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static(response_type.content_type()),
        )],
        bytes,
    )
        .into_response()
}
