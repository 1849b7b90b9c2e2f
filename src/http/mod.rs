//! The HTTP surface: routes, the middleware every request passes through, and
//! serving with graceful shutdown.
//!
//! Order of the layers, outermost first: a request id is assigned (or taken from
//! `x-request-id`), the request is traced as one log line when it completes, timed
//! into the metrics, bounded in time and body size, and a panic in a handler becomes
//! a 500 instead of a dropped connection. CORS ([`cors`]) answers preflights before
//! any route. A body over the size limit is a 413 with a GraphQL-shaped
//! `LIMIT_EXCEEDED` error naming `maxBodyBytes`.

pub mod admin;
pub mod cors;
pub mod dataset;
pub mod export;
pub mod graphiql;
pub mod graphql;
pub mod hawk;
pub mod health;
pub mod hsds;
pub mod metrics;
pub mod static_files;

use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderName, Request, Response, StatusCode};
use axum::routing::get;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

/// The request id header, set on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route of the server, with its middleware.
pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(CatchPanicLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_millis(config.request_timeout_ms),
        ))
        .layer(axum::middleware::from_fn_with_state(
            (config.max_body_bytes, config.import_max_file_bytes),
            limit_body,
        ))
        .option_layer(cors::layer(&config.cors_origins));
    let mut routes = Router::new()
        .route("/healthcheck", get(health::healthcheck))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(metrics::render))
        .route("/graphql", get(graphql::get).post(graphql::post))
        .merge(hsds::routes(&config.hsds_base));
    if config.graphiql {
        routes = routes
            .route("/graphiql", get(graphiql::page))
            .route("/graphiql/{file}", get(graphiql::asset));
    }
    if config.admin_console {
        routes = routes.merge(admin::routes());
    }
    let compat = export::compat_routes().route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        hawk::verify_and_sign_bare,
    ));
    let downloads = export::download_routes()
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            hawk::verify_only,
        ))
        // Only here: the other routes' HAWK signatures cover the bytes as sent.
        .layer(tower_http::compression::CompressionLayer::new().gzip(true));
    routes
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            hawk::verify_and_sign,
        ))
        .merge(compat)
        .merge(downloads)
        // A route layer sees the matched route pattern, the metrics' `route` label.
        .route_layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track_request,
        ))
        .with_state(state)
        .layer(middleware)
}

/// Bodies are limited to `max_body_bytes`, except file uploads (GraphQL multipart
/// requests), which may reach `import_max_file_bytes`: a declared length over the
/// limit is refused at once, a stream that runs over it fails when read. Either
/// way the 413 names the limit that applied and its setting.
async fn limit_body(
    axum::extract::State((body_limit, upload_limit)): axum::extract::State<(usize, u64)>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let upload = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    let (limit, setting) = if upload {
        (
            usize::try_from(upload_limit).unwrap_or(usize::MAX),
            "importMaxFileBytes",
        )
    } else {
        (body_limit, "maxBodyBytes")
    };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return too_large(limit, setting, upload);
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    let response = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limit, setting, upload);
    }
    response
}

/// A 413 as GraphQL clients read errors, naming the limit and its setting.
fn too_large(limit: usize, setting: &str, upload: bool) -> axum::response::Response {
    let what = if upload {
        "the file"
    } else {
        "the request body"
    };
    let body = serde_json::json!({ "errors": [{
        "message": format!("{what} is larger than the limit of {limit} bytes ({setting})"),
        "extensions": { "code": "LIMIT_EXCEEDED", "limit": setting, "bytes": limit },
    }]});
    let mut response = Response::new(axum::body::Body::from(body.to_string()));
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn request_span<B>(request: &Request<B>) -> Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    )
}

/// The one log line per request, with the span's method, path and request id.
fn log_response<B>(response: &Response<B>, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request completed"
    );
}

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight
/// requests finish (for at most the grace period), then the background jobs
/// (for at most the grace period again; those still running are stopped and end
/// `failed`, see [`crate::jobs`]).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = Duration::from_secs(state.config.shutdown_grace_secs);
    let jobs = state.jobs.clone();
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router(state)).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stopping_tx.send(());
    });
    let served = tokio::select! {
        result = server => result,
        () = async {
            let _ = stopping_rx.await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time");
            Ok(())
        }
    };
    if jobs.running() > 0 {
        tracing::info!(
            jobs = jobs.running(),
            "shutting down: finishing background jobs"
        );
    }
    jobs.shut_down(grace).await;
    served
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
