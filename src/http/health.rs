//! Liveness and readiness for load balancers and orchestrators.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// How long readiness waits for the database before calling it unavailable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /healthcheck`: the process is up and serving.
pub async fn healthcheck() -> Json<Value> {
    Json(json!({ "status": "OK" }))
}

/// `GET /health/ready`: 200 when the database answers, 503 (with which check
/// failed) otherwise. The failure's details go to the log, not the response.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = match tokio::time::timeout(READY_TIMEOUT, crate::db::ping(&state.db)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {READY_TIMEOUT:?}")),
    };
    match database {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "OK", "checks": { "database": "OK" } })),
        ),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed: database");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "UNAVAILABLE",
                    "checks": { "database": "UNAVAILABLE" },
                    "error": { "code": "UNAVAILABLE", "message": "the database is not reachable" }
                })),
            )
        }
    }
}
