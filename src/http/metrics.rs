//! Prometheus metrics: requests, latencies, the database pool, the SQL statements
//! each GraphQL request ran and the response cache, served as text at `GET /metrics`. Each server owns its registry (no global recorder), so tests that
//! start several servers in one process each see their own counts.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The matched route pattern (not the raw path, which would explode cardinality).
    pub route: String,
    pub status: u16,
}

/// A response cache lookup: the table the response counts against and what happened.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    pub table: String,
    /// `hit`, `miss` (computed and kept) or why it was not kept (`policy`,
    /// `clock`, `untracked`, `full`, `too_large`, `no_tables`, `not_watching`).
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct InvalidationLabels {
    pub source: String,
}

/// The server's metrics and the registry that renders them.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RequestLabels, Histogram>,
    in_flight: Gauge,
    pool_size: Gauge,
    pool_idle: Gauge,
    graphql_statements: Histogram,
    cache_lookups: Family<CacheLabels, Counter>,
    cache_invalidations: Family<InvalidationLabels, Counter>,
    cache_entries: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("signpost");
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
        });
        let in_flight = Gauge::default();
        let pool_size = Gauge::default();
        let pool_idle = Gauge::default();
        let graphql_statements =
            Histogram::new([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]);
        registry.register(
            "graphql_statements",
            "SQL statements run to answer one GraphQL request",
            graphql_statements.clone(),
        );
        let cache_lookups = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_lookups",
            "GraphQL responses looked up in the response cache, by table and outcome",
            cache_lookups.clone(),
        );
        let cache_invalidations = Family::<InvalidationLabels, Counter>::default();
        registry.register(
            "cache_invalidations",
            "Changes that made cached responses stale, by how they were learnt",
            cache_invalidations.clone(),
        );
        let cache_entries = Gauge::default();
        registry.register(
            "cache_entries",
            "Responses held by the response cache",
            cache_entries.clone(),
        );
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests",
            durations.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being answered",
            in_flight.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_size.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections",
            pool_idle.clone(),
        );
        Self {
            registry,
            requests,
            durations,
            in_flight,
            pool_size,
            pool_idle,
            graphql_statements,
            cache_lookups,
            cache_invalidations,
            cache_entries,
        }
    }

    /// Records one response cache lookup.
    pub fn observe_cache(&self, table: &str, outcome: &str) {
        self.cache_lookups
            .get_or_create(&CacheLabels {
                table: table.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Records that cached responses went stale.
    pub fn observe_invalidation(&self, source: crate::cache::Source) {
        self.cache_invalidations
            .get_or_create(&InvalidationLabels {
                source: source.as_str().to_owned(),
            })
            .inc();
    }

    /// Records how many statements one GraphQL request ran.
    pub fn observe_statements(&self, count: u64) {
        self.graphql_statements.observe(count as f64);
    }

    fn observe_pool(&self, db: &DatabaseConnection) {
        let (size, idle) = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        self.pool_size.set(i64::from(size));
        self.pool_idle.set(i64::try_from(idle).unwrap_or(i64::MAX));
    }

    /// The registry in Prometheus/OpenMetrics text.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Middleware: counts and times every request by method, route and status.
pub async fn track_request(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    metrics.in_flight.inc();
    let response = next.run(request).await;
    metrics.in_flight.dec();
    let labels = RequestLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    metrics.requests.get_or_create(&labels).inc();
    metrics
        .durations
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> Response {
    state.metrics.observe_pool(&state.db);
    if let Some(cache) = &state.cache {
        state
            .metrics
            .cache_entries
            .set(i64::try_from(cache.len()).unwrap_or(i64::MAX));
    }
    match state.metrics.encode() {
        Ok(text) => (
            [(
                CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(error) => crate::error::AppError::internal_msg(format!("encoding metrics: {error}"))
            .into_response(),
    }
}
