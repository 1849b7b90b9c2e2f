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

/// `GET /health/ready`: 200 when the database and the object store answer, 503
/// (naming the checks that failed, and the kind of object store) otherwise. The
/// failures' details go to the log, not the response. Each call checks again, so
/// a store that was down at start is ready once it answers.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (database, store) = tokio::join!(
        within(crate::db::ping(&state.db)),
        within(state.store.check())
    );
    let mut failed = Vec::new();
    for (name, outcome) in [("database", &database), ("objectStore", &store)] {
        if let Err(error) = outcome {
            tracing::warn!(%error, check = name, "readiness check failed");
            failed.push(name);
        }
    }
    let status = |outcome: &Result<(), String>| match outcome {
        Ok(()) => "OK",
        Err(_) => "UNAVAILABLE",
    };
    let checks = json!({ "database": status(&database), "objectStore": status(&store) });
    if failed.is_empty() {
        return (
            StatusCode::OK,
            Json(json!({ "status": "OK", "checks": checks })),
        );
    }
    let store = state.store.kind();
    let message = match failed.as_slice() {
        ["database"] => "the database is not reachable".to_owned(),
        ["objectStore"] => format!("the object store ({store}) is not reachable"),
        _ => format!("the database and the object store ({store}) are not reachable"),
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({
            "status": "UNAVAILABLE",
            "checks": checks,
            "error": { "code": "UNAVAILABLE", "message": message }
        })),
    )
}

/// `check`'s outcome, or an error when it takes longer than [`READY_TIMEOUT`].
async fn within<E: std::fmt::Display>(
    check: impl std::future::Future<Output = Result<(), E>>,
) -> Result<(), String> {
    match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {READY_TIMEOUT:?}")),
    }
}
