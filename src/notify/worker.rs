//! The loop every serving replica runs: take one due notification under a lease,
//! do its next step, save where it got to; repeat while there is work, else wait
//! `poll_ms`. Steps: a change fans out into one row per target; a data-flow row
//! is triggered, then polled until its run ends or `timeout_secs` pass; a
//! webhook row is delivered. A step that fails on the network or a 5xx is
//! retried with backoff; one that cannot succeed fails at once with the reason.

use super::config::{NotifyConfig, backoff};
use super::dataflow::{CallError, Dataflow, RunState};
use super::{CHANGE, DATAFLOW};
use entities::notifications::{self, NotificationState as State};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long a replica holds a notification it works on.
const LEASE: Duration = Duration::from_secs(120);
/// Due notifications looked at per claim (others' leases may hold the first).
const CANDIDATES: u64 = 5;

/// Starts the worker on `jobs` (serving processes).
pub fn spawn(
    jobs: &crate::jobs::Jobs,
    db: DatabaseConnection,
    config: Arc<NotifyConfig>,
    replica: String,
) {
    jobs.spawn_loop("notify", move |stopping| run(db, config, replica, stopping));
}

async fn run(
    db: DatabaseConnection,
    config: Arc<NotifyConfig>,
    replica: String,
    stopping: CancellationToken,
) {
    let idle = Duration::from_millis(config.poll_ms.max(10));
    loop {
        let worked = match step(&db, &config, &replica).await {
            Ok(worked) => worked,
            Err(error) => {
                tracing::warn!(%error, "notification worker");
                false
            }
        };
        if stopping.is_cancelled() {
            return;
        }
        if !worked {
            tokio::select! {
                () = tokio::time::sleep(idle) => {}
                () = stopping.cancelled() => return,
            }
        }
    }
}

/// Takes and works one due notification; whether there was one.
pub async fn step(
    db: &DatabaseConnection,
    config: &NotifyConfig,
    replica: &str,
) -> Result<bool, DbErr> {
    let Some(row) = claim(db, replica).await? else {
        return Ok(false);
    };
    let outcome = crate::jobs::catch_panic(work(db, config, row.clone())).await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return Err(error),
        Err(panic) => {
            fail(db, row, panic).await?;
        }
    }
    Ok(true)
}

/// The oldest due notification, leased to `replica`.
async fn claim(
    db: &DatabaseConnection,
    replica: &str,
) -> Result<Option<notifications::Model>, DbErr> {
    let now = crate::stamp::now();
    let free = Condition::any()
        .add(notifications::Column::LeaseUntil.is_null())
        .add(notifications::Column::LeaseUntil.lt(now));
    let candidates = notifications::Entity::find()
        .filter(notifications::Column::State.is_in([State::Pending, State::Triggered]))
        .filter(notifications::Column::NextAttemptAt.lte(now))
        .filter(free.clone())
        .order_by_asc(notifications::Column::NextAttemptAt)
        .limit(CANDIDATES)
        .all(db)
        .await?;
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    for candidate in candidates {
        // Only one replica's update finds the lease still free.
        let taken = notifications::Entity::update_many()
            .col_expr(
                notifications::Column::Holder,
                Expr::value(replica.to_owned()),
            )
            .col_expr(notifications::Column::LeaseUntil, Expr::value(until))
            .filter(notifications::Column::Id.eq(candidate.id))
            .filter(free.clone())
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            return Ok(Some(notifications::Model {
                holder: Some(replica.to_owned()),
                lease_until: Some(until),
                ..candidate
            }));
        }
    }
    Ok(None)
}

async fn work(
    db: &DatabaseConnection,
    config: &NotifyConfig,
    row: notifications::Model,
) -> Result<(), DbErr> {
    if row.target == CHANGE {
        return fan_out(db, config, row).await;
    }
    if row.target == DATAFLOW {
        let Some(dataflow) = &config.dataflow else {
            return fail(db, row, "no [dataflow] is configured any more".into()).await;
        };
        return follow(db, dataflow, row).await;
    }
    let name = row
        .target
        .strip_prefix("webhook:")
        .unwrap_or_default()
        .to_owned();
    let Some(hook) = config.webhooks.iter().find(|hook| hook.name == name) else {
        return fail(
            db,
            row,
            format!("no webhook {name:?} is configured any more"),
        )
        .await;
    };
    let event = row.event.clone();
    match super::webhook::deliver(hook, row.id, &event, &row.payload).await {
        Ok(()) => {
            let attempts = row.attempts.saturating_add(1);
            done(
                db,
                notifications::Model { attempts, ..row },
                State::Completed,
                None,
            )
            .await
        }
        Err(error) => retry(db, row, error, hook.max_attempts, hook.retry_ms).await,
    }
}

/// One row per target that wants the change, in one transaction with the
/// change's own row marked done.
async fn fan_out(
    db: &DatabaseConnection,
    config: &NotifyConfig,
    row: notifications::Model,
) -> Result<(), DbErr> {
    let schema = row.payload["schema"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let table = row.payload["table"].as_str().unwrap_or_default().to_owned();
    let now = crate::stamp::now();
    let child = |target: String, payload: serde_json::Value, dag: Option<String>| {
        super::pending(
            row.subject_kind.clone(),
            row.subject_id,
            target,
            row.event.clone(),
            payload,
            dag,
        )
    };
    let txn = db.begin().await?;
    if let Some(dag) = config
        .dataflow
        .as_ref()
        .and_then(|d| d.dag_for(&schema, &table))
    {
        let conf = serde_json::json!({
            "data_uploader_schema_name": schema,
            "data_uploader_table_name": table,
        });
        child(DATAFLOW.into(), conf, Some(dag.to_owned()))
            .insert(&txn)
            .await?;
    }
    for hook in config.webhooks.iter().filter(|hook| hook.wants(&row.event)) {
        child(format!("webhook:{}", hook.name), row.payload.clone(), None)
            .insert(&txn)
            .await?;
    }
    let mut change: notifications::ActiveModel = row.into();
    change.state = Set(State::Completed);
    change.holder = Set(None);
    change.lease_until = Set(None);
    change.finished_at = Set(Some(now));
    change.updated_at = Set(now);
    change.update(&txn).await?;
    txn.commit().await
}

/// Triggers the run, or asks how it is going.
async fn follow(
    db: &DatabaseConnection,
    config: &super::config::DataflowConfig,
    row: notifications::Model,
) -> Result<(), DbErr> {
    let client = Dataflow::new(config);
    let dag = row.dag_id.clone().unwrap_or_default();
    let Some(run) = row.run_id.clone() else {
        return match client.trigger(&dag, &row.payload).await {
            Ok(run) => {
                tracing::info!(dag = %dag, run = %run, "data-flow run triggered");
                let attempts = row.attempts.saturating_add(1);
                let next = crate::stamp::now()
                    + chrono::Duration::milliseconds(
                        i64::try_from(config.poll_ms).unwrap_or(i64::MAX),
                    );
                let mut row: notifications::ActiveModel = row.into();
                row.state = Set(State::Triggered);
                row.attempts = Set(attempts);
                row.run_id = Set(Some(run));
                row.error_message = Set(None);
                release(&mut row, next);
                row.update(db).await.map(|_| ())
            }
            Err(error) => retry(db, row, error, config.max_attempts, config.retry_ms).await,
        };
    };
    let waited = crate::stamp::now() - row.created_at;
    if waited
        .to_std()
        .is_ok_and(|waited| waited > Duration::from_secs(config.timeout_secs))
    {
        return fail(
            db,
            row,
            format!(
                "data-flow run {run} had not finished after {} seconds",
                config.timeout_secs
            ),
        )
        .await;
    }
    match client.state(&dag, &run).await {
        Ok(RunState::Success) => done(db, row, State::Completed, None).await,
        Ok(RunState::Failed(state)) => {
            done(
                db,
                row,
                State::Failed,
                Some(format!("data-flow run {run} ended {state}")),
            )
            .await
        }
        Ok(RunState::Running(_)) | Err(CallError::Retry(_)) => {
            // Data-flow being briefly down while a run goes on is not a failure.
            let next = crate::stamp::now()
                + chrono::Duration::milliseconds(i64::try_from(config.poll_ms).unwrap_or(i64::MAX));
            let mut row: notifications::ActiveModel = row.into();
            release(&mut row, next);
            row.update(db).await.map(|_| ())
        }
        Err(CallError::Refused(why)) => fail(db, row, why).await,
    }
}

fn release(row: &mut notifications::ActiveModel, next: chrono::DateTime<chrono::Utc>) {
    row.next_attempt_at = Set(next);
    row.holder = Set(None);
    row.lease_until = Set(None);
    row.updated_at = Set(crate::stamp::now());
}

async fn retry(
    db: &DatabaseConnection,
    row: notifications::Model,
    error: CallError,
    max_attempts: u32,
    retry_ms: u64,
) -> Result<(), DbErr> {
    let attempts = row.attempts.saturating_add(1);
    let message = error.to_string();
    if matches!(error, CallError::Refused(_))
        || attempts >= i32::try_from(max_attempts).unwrap_or(i32::MAX)
    {
        let message = if matches!(error, CallError::Refused(_)) {
            message
        } else {
            format!("gave up after {attempts} attempts: {message}")
        };
        return fail(db, notifications::Model { attempts, ..row }, message).await;
    }
    tracing::info!(target = %row.target, attempts, error = %message, "notification: trying again later");
    let wait = backoff(retry_ms, u32::try_from(attempts - 1).unwrap_or(0));
    let next = crate::stamp::now() + chrono::Duration::from_std(wait).unwrap_or_default();
    let mut row: notifications::ActiveModel = row.into();
    row.attempts = Set(attempts);
    row.error_message = Set(Some(message));
    release(&mut row, next);
    row.update(db).await.map(|_| ())
}

async fn fail(
    db: &DatabaseConnection,
    row: notifications::Model,
    why: String,
) -> Result<(), DbErr> {
    tracing::warn!(target = %row.target, reason = %why, "notification failed");
    done(db, row, State::Failed, Some(why)).await
}

async fn done(
    db: &DatabaseConnection,
    row: notifications::Model,
    state: State,
    error: Option<String>,
) -> Result<(), DbErr> {
    let now = crate::stamp::now();
    let attempts = row.attempts;
    let mut row: notifications::ActiveModel = row.into();
    row.attempts = Set(attempts);
    row.state = Set(state);
    // A success clears what earlier attempts said; a failure says why.
    row.error_message = Set(error);
    row.finished_at = Set(Some(now));
    release(&mut row, now);
    row.update(db).await.map(|_| ())
}
