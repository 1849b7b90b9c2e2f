//! What a subject's data-flow notification says, for the version, import or
//! ingest run it is about: `processing_dataflow` until the run ends, then
//! `completed` or `failed` with the reason.

use super::DATAFLOW;
use entities::notifications::{self, NotificationState};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// The data-flow side of a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataflowStatus {
    /// `processing_dataflow`, `completed` or `failed`.
    pub state: &'static str,
    pub dag_id: Option<String>,
    pub run_id: Option<String>,
    pub attempts: i32,
    pub error: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The newest data-flow notification about `subject`, or `None` when data-flow
/// was not told (none configured, no DAG for it, or not fanned out yet).
pub async fn dataflow_of(
    db: &impl ConnectionTrait,
    subject: Uuid,
) -> Result<Option<DataflowStatus>, DbErr> {
    let row = notifications::Entity::find()
        .filter(notifications::Column::SubjectId.eq(subject))
        .filter(notifications::Column::Target.eq(DATAFLOW))
        .order_by_desc(notifications::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(row.map(|row| DataflowStatus {
        state: match row.state {
            NotificationState::Pending | NotificationState::Triggered => "processing_dataflow",
            NotificationState::Completed => "completed",
            NotificationState::Failed => "failed",
        },
        dag_id: row.dag_id,
        run_id: row.run_id,
        attempts: row.attempts,
        error: row.error_message,
        updated_at: row.updated_at,
    }))
}
