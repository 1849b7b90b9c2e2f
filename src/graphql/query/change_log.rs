//! `changeLog`: who changed what and when, newest first (admins only).

use crate::error::{ApiResult, AppError};
use crate::graphql::connection::PageInfo;
use crate::graphql::context::ReadContext;
use crate::graphql::enums::RecordType;
use crate::graphql::filter::scalar::parse_id;
use crate::read::Role;
use crate::read::change_log::{self, ChangeLogFilter, LogPosition};
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// What a change did to its record.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeAction {
    Create,
    Update,
    Delete,
}

/// One field of one change (a delete is one entry without a field).
pub struct ChangeLogEntry(entities::change_log::Model);

#[Object]
impl ChangeLogEntry {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The type of the record changed (null for a type this server no longer has).
    async fn record_type(&self) -> Option<RecordType> {
        crate::repo::RecordType::from_table(&self.0.record_type).map(Into::into)
    }

    /// The id of the record changed.
    async fn record_id(&self) -> ID {
        ID(self.0.record_id.to_string())
    }

    async fn action(&self) -> ChangeAction {
        match self.0.action.as_str() {
            "create" => ChangeAction::Create,
            "delete" => ChangeAction::Delete,
            _ => ChangeAction::Update,
        }
    }

    /// The column changed, as stored (e.g. `minimum_age`).
    async fn field(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    /// The value before the change (null when it was empty or on create).
    async fn old_value(&self) -> Option<Json<&serde_json::Value>> {
        self.0.old_value.as_ref().map(Json)
    }

    /// The value after the change.
    async fn new_value(&self) -> Option<Json<&serde_json::Value>> {
        self.0.new_value.as_ref().map(Json)
    }

    /// Who made the change: the token's subject or the HAWK client id.
    async fn actor(&self) -> Option<&str> {
        self.0.actor.as_deref()
    }

    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }
}

/// Conditions on change-log entries (all must hold).
#[derive(InputObject, Default)]
pub struct ChangeLogFilterInput {
    pub record_type: Option<RecordType>,
    pub record_id: Option<ID>,
    /// Changes by this actor.
    pub actor: Option<String>,
    /// Changes at or after this time.
    pub since: Option<DateTime<Utc>>,
}

/// An entry and its cursor.
#[derive(SimpleObject)]
pub struct ChangeLogEdge {
    pub cursor: String,
    pub node: ChangeLogEntry,
}

/// A page of the change log, newest first.
#[derive(SimpleObject)]
pub struct ChangeLogConnection {
    pub edges: Vec<ChangeLogEdge>,
    pub page_info: PageInfo,
}

#[derive(Default)]
pub struct ChangeLogQuery;

#[Object]
impl ChangeLogQuery {
    /// Every change to the directory, newest first (admins only).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, None, child_complexity)")]
    async fn change_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Entries per page (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        filter: Option<ChangeLogFilterInput>,
    ) -> ApiResult<ChangeLogConnection> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may read the change log")?;
        let first = read.limits.first(first)?;
        let after = match &after {
            None => None,
            Some(cursor) => Some(
                LogPosition::decode(cursor)
                    .ok_or_else(|| AppError::bad_input("after", "not a change-log cursor"))?,
            ),
        };
        let filter = filter.unwrap_or_default();
        let filter = ChangeLogFilter {
            record_type: filter.record_type.map(Into::into),
            record_id: filter
                .record_id
                .map(|id| parse_id("filter.recordId", &id))
                .transpose()?,
            actor: filter.actor,
            since: filter.since,
        };
        let (rows, has_next_page) = change_log::page(&read.db, &filter, after, first).await?;
        let edges: Vec<ChangeLogEdge> = rows
            .into_iter()
            .map(|row| ChangeLogEdge {
                cursor: LogPosition::of(&row).encode(),
                node: ChangeLogEntry(row),
            })
            .collect();
        Ok(ChangeLogConnection {
            page_info: PageInfo {
                has_previous_page: after.is_some(),
                has_next_page,
                start_cursor: edges.first().map(|edge| edge.cursor.clone()),
                end_cursor: edges.last().map(|edge| edge.cursor.clone()),
            },
            edges,
        })
    }
}
