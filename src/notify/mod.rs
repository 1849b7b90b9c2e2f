//! Telling others that data changed: the data-flow pipeline (a HAWK-signed DAG
//! trigger, then its run followed to the end) and generic webhooks (a JSON body
//! signed with HMAC-SHA256).
//!
//! Why an outbox: a change is recorded as a `notifications` row in the same
//! transaction as the change itself ([`record`]), so no change goes untold and
//! none is told that did not happen; and a notification that fails never rolls
//! the data back. Every replica's [`worker`] works through due rows under a
//! lease, so a replica that dies mid-way leaves its row to another, and nothing
//! lives in one process's memory. A recorded change is fanned out into one row
//! per target ([`config::NotifyConfig`]) when a worker first picks it up, so
//! recording needs no configuration and a change made by a process without it
//! (the CLI) is told all the same.

pub mod config;
pub mod dataflow;
pub mod status;
pub mod webhook;
pub mod worker;

pub use config::{DataflowConfig, NotifyConfig, WebhookConfig};

use entities::notifications::{self, NotificationState};
use entities::{dataset_versions, datasets, imports, ingest_runs};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr};
use serde_json::json;
use uuid::Uuid;

/// The target of a change not yet fanned out.
pub const CHANGE: &str = "change";
/// The target of a data-flow DAG run.
pub const DATAFLOW: &str = "dataflow";

/// A completed change to tell.
#[derive(Clone, Debug)]
pub struct Change {
    pub subject_kind: &'static str,
    pub subject_id: Uuid,
    /// `dataset.version.completed`, `import.completed`, `ingest.completed`.
    pub event: &'static str,
    /// The data-flow schema and table the change is in (`directory` for the
    /// directory; the table `*` when several record types changed).
    pub schema: String,
    pub table: String,
    pub details: serde_json::Value,
}

impl Change {
    pub fn dataset_version(dataset: &datasets::Model, version: &dataset_versions::Model) -> Self {
        Self {
            subject_kind: "dataset_version",
            subject_id: version.id,
            event: "dataset.version.completed",
            schema: dataset.organisation.clone(),
            table: dataset.dataset.clone(),
            details: json!({
                "version": version.number,
                "rows": version.rows_total,
                "restoredFrom": version.restored_from,
            }),
        }
    }

    pub fn import(import: &imports::Model) -> Self {
        Self {
            subject_kind: "import",
            subject_id: import.id,
            event: "import.completed",
            schema: crate::export::table::SCHEMA.into(),
            table: import.record_type.clone().unwrap_or_else(|| "*".into()),
            details: json!({
                "inserted": import.rows_inserted,
                "updated": import.rows_updated,
                "deleted": import.rows_deleted,
            }),
        }
    }

    pub fn ingest_run(run: &ingest_runs::Model, rows: u64) -> Self {
        Self {
            subject_kind: "ingest_run",
            subject_id: run.id,
            event: "ingest.completed",
            schema: crate::export::table::SCHEMA.into(),
            table: "*".into(),
            details: json!({
                "source": run.source,
                "filesLoaded": run.files_loaded,
                "rows": rows,
            }),
        }
    }

    /// What a webhook receives, and what the fan-out reads back.
    fn payload(&self, at: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
        json!({
            "event": self.event,
            "subject": { "kind": self.subject_kind, "id": self.subject_id },
            "schema": self.schema,
            "table": self.table,
            "details": self.details,
            "occurredAt": at,
        })
    }
}

/// Records `change` to be told (inside the caller's transaction).
pub async fn record(db: &impl ConnectionTrait, change: &Change) -> Result<(), DbErr> {
    let now = crate::stamp::now();
    pending(
        change.subject_kind.into(),
        change.subject_id,
        CHANGE.into(),
        change.event.into(),
        change.payload(now),
        None,
    )
    .insert(db)
    .await?;
    Ok(())
}

/// A new notification row, due now.
fn pending(
    subject_kind: String,
    subject_id: Uuid,
    target: String,
    event: String,
    payload: serde_json::Value,
    dag_id: Option<String>,
) -> notifications::ActiveModel {
    let now = crate::stamp::now();
    notifications::ActiveModel {
        id: Set(crate::stamp::new_id()),
        subject_kind: Set(subject_kind),
        subject_id: Set(subject_id),
        target: Set(target),
        event: Set(event),
        payload: Set(payload),
        state: Set(NotificationState::Pending),
        dag_id: Set(dag_id),
        run_id: Set(None),
        attempts: Set(0),
        next_attempt_at: Set(now),
        error_message: Set(None),
        holder: Set(None),
        lease_until: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    }
}
