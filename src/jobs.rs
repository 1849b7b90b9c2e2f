//! Background work that must end cleanly whatever happens inside it.
//!
//! An import or ingest run holds things other replicas wait on (a lease, an
//! `applying` row). A panic deep inside one (a driver, a parser) used to unwind its
//! task and leave them held: the lease kept being heartbeaten by a detached task
//! and the run stayed `RUNNING`. [`catch_panic`] turns a panic into an error the
//! job's own epilogue handles like any other failure, so the job still releases
//! what it holds and records why it stopped.

use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;

/// Runs `work` to its end; a panic inside it becomes `Err` with its message.
pub async fn catch_panic<T>(work: impl Future<Output = T>) -> Result<T, String> {
    AssertUnwindSafe(work)
        .catch_unwind()
        .await
        .map_err(|payload| stopped_by(payload.as_ref()))
}

/// Runs blocking `work` (a parser on its own thread) the same way.
pub fn catch_panic_blocking<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|payload| stopped_by(payload.as_ref()))
}

/// The caller's words for a panic, logged once here.
fn stopped_by(payload: &(dyn std::any::Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    tracing::error!(panic = %message, "a background job panicked");
    format!("stopped by an internal error ({message})")
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_panic_becomes_an_error_naming_it() {
        let caught = super::catch_panic(async { panic!("boom {}", 7) }).await;
        assert_eq!(
            caught,
            Err::<(), _>("stopped by an internal error (boom 7)".into())
        );
        assert_eq!(super::catch_panic(async { 3 }).await, Ok(3));
    }
}
