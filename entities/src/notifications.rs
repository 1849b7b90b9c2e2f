//! `notifications`: The outbox of completed changes to tell data-flow or a webhook,
//! worked through by every replica (one holds a row at a time, by lease).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::enums::NotificationState;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `dataset_version`, `import` or `ingest_run`.
    pub subject_kind: String,
    pub subject_id: Uuid,
    /// `dataflow`, or `webhook:<name>`.
    pub target: String,
    pub event: String,
    /// The DAG run's `conf`, or the webhook's body.
    pub payload: Json,
    pub state: NotificationState,
    pub dag_id: Option<String>,
    pub run_id: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub error_message: Option<String>,
    pub holder: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
