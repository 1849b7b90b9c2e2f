//! Background work with an owner: every import, ingest run, schedule and sweeper of
//! a serving process is spawned through [`Jobs`], which runs it inside a span
//! naming it, waits for it on shutdown and, when the grace period runs out, stops
//! it so that it ends `failed` with the reason instead of vanishing mid-write.
//!
//! A job holds things other replicas wait on (a lease, an `applying` row). A panic
//! deep inside one (a driver, a parser) or a shutdown that cuts it off must not
//! leave them held. So a job's body runs under [`guarded`]: a panic or the cut-off
//! becomes an error the job's own epilogue handles like any other failure — the
//! job still releases what it holds and records why it stopped.

use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

tokio::task_local! {
    /// The cut-off of the job running on this task, if it was spawned by [`Jobs`].
    static CUT_OFF: CancellationToken;
}

/// How long jobs that were cut off get to record that they stopped.
const EPILOGUE: Duration = Duration::from_secs(10);

/// The background jobs of one process.
#[derive(Clone, Default)]
pub struct Jobs {
    tracker: TaskTracker,
    /// Fires when shutdown begins: loops (schedules, sweepers) stop waiting.
    stopping: CancellationToken,
    /// Fires when the grace period ends: running jobs stop and record why.
    cut_off: CancellationToken,
}

impl Jobs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `work` in the background in a span `job{kind, id}` (a child of the
    /// current span, so a request's id follows the job it started).
    pub fn spawn<F>(
        &self,
        kind: &'static str,
        id: impl std::fmt::Display,
        work: F,
    ) -> JoinHandle<()>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let span = tracing::info_span!("job", kind, id = %id);
        self.tracker
            .spawn(CUT_OFF.scope(self.cut_off.clone(), work).instrument(span))
    }

    /// Runs a loop that lasts as long as the process; `work` gets the token that
    /// fires when shutdown begins, to stop between rounds.
    pub fn spawn_loop<F>(&self, name: &'static str, work: impl FnOnce(CancellationToken) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.spawn(name, "loop", work(self.stopping.clone()));
    }

    /// How many jobs run now.
    pub fn running(&self) -> usize {
        self.tracker.len()
    }

    /// Stops taking jobs, waits for the running ones for at most `grace`, then
    /// cuts off those still running and gives them a moment to record it.
    pub async fn shut_down(&self, grace: Duration) {
        self.stopping.cancel();
        self.tracker.close();
        if tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_ok()
        {
            return;
        }
        tracing::warn!(
            jobs = self.tracker.len(),
            grace_secs = grace.as_secs(),
            "background jobs still running at the end of the grace period: stopping them"
        );
        self.cut_off.cancel();
        if tokio::time::timeout(EPILOGUE, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::error!(jobs = self.tracker.len(), "background jobs did not stop");
        }
    }
}

/// Runs a job's body to its end; a panic inside it, or the process cutting it off
/// at shutdown, becomes `Err` with the reason.
pub async fn guarded<T>(work: impl Future<Output = T>) -> Result<T, String> {
    // On the heap: a job's state machine is large, and a debug build moves it
    // around on the stack.
    let work = Box::pin(catch_panic(work));
    match CUT_OFF.try_with(CancellationToken::clone) {
        Err(_) => work.await,
        Ok(cut_off) => tokio::select! {
            outcome = work => outcome,
            () = cut_off.cancelled() => Err("stopped: the server shut down before it finished".into()),
        },
    }
}

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
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_an_error_naming_it() {
        let caught = catch_panic(async { panic!("boom {}", 7) }).await;
        assert_eq!(
            caught,
            Err::<(), _>("stopped by an internal error (boom 7)".into())
        );
        assert_eq!(catch_panic(async { 3 }).await, Ok(3));
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_waits_for_jobs_then_cuts_off_the_rest() {
        let jobs = Jobs::new();
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        jobs.spawn("quick", 1, async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let _ = done_tx.send(guarded(async { "finished" }).await);
        });
        let (cut_tx, cut_rx) = tokio::sync::oneshot::channel();
        jobs.spawn("slow", 2, async move {
            let outcome = guarded(tokio::time::sleep(Duration::from_secs(3600))).await;
            let _ = cut_tx.send(outcome);
        });
        assert_eq!(jobs.running(), 2);
        jobs.shut_down(Duration::from_secs(5)).await;
        assert_eq!(done_rx.await, Ok(Ok("finished")));
        assert_eq!(
            cut_rx.await,
            Ok(Err(
                "stopped: the server shut down before it finished".into()
            ))
        );
        assert_eq!(jobs.running(), 0);
    }

    #[tokio::test]
    async fn outside_a_job_nothing_cuts_work_off() {
        assert_eq!(guarded(async { 5 }).await, Ok(5));
    }
}
