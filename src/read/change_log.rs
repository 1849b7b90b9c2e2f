//! Pages of the change log, newest first, for admins.
//!
//! Keyset on `(changed_at, id)` descending, served by `change_log_changed_idx`
//! (or by `change_log_record_idx` when one record is asked for). The cursor is the
//! position of the last entry of a page, so paging stays stable while changes keep
//! being logged: new entries land before the first page, never inside a walk.

use crate::repo::RecordType;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entities::change_log::{Column, Entity, Model};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// Which entries to list.
#[derive(Clone, Debug, Default)]
pub struct ChangeLogFilter {
    pub record_type: Option<RecordType>,
    pub record_id: Option<Uuid>,
    pub actor: Option<String>,
    /// Entries logged at or after this time.
    pub since: Option<DateTime<Utc>>,
}

/// Where an entry stands in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogPosition {
    pub changed_at: DateTime<Utc>,
    pub id: Uuid,
}

impl LogPosition {
    pub fn of(entry: &Model) -> Self {
        Self {
            changed_at: entry.changed_at,
            id: entry.id,
        }
    }

    /// An opaque cursor.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "log:{}:{}",
            self.changed_at.timestamp_micros(),
            self.id
        ))
    }

    /// The position a cursor from [`LogPosition::encode`] names, or `None`.
    pub fn decode(cursor: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.strip_prefix("log:")?.splitn(2, ':');
        let micros: i64 = parts.next()?.parse().ok()?;
        let id: Uuid = parts.next()?.parse().ok()?;
        Some(Self {
            changed_at: DateTime::from_timestamp_micros(micros)?,
            id,
        })
    }
}

/// Up to `first` entries after `after` (newest first), and whether more follow.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &ChangeLogFilter,
    after: Option<LogPosition>,
    first: u64,
) -> Result<(Vec<Model>, bool), DbErr> {
    let mut query = Entity::find();
    if let Some(kind) = filter.record_type {
        query = query.filter(Column::RecordType.eq(kind.name()));
    }
    if let Some(id) = filter.record_id {
        query = query.filter(Column::RecordId.eq(id));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(Column::Actor.eq(actor.as_str()));
    }
    if let Some(since) = filter.since {
        query = query.filter(Column::ChangedAt.gte(since));
    }
    if let Some(position) = after {
        query = query.filter(
            Condition::any()
                .add(Column::ChangedAt.lt(position.changed_at))
                .add(
                    Condition::all()
                        .add(Column::ChangedAt.eq(position.changed_at))
                        .add(Column::Id.lt(position.id)),
                ),
        );
    }
    let mut rows = query
        .order_by_desc(Column::ChangedAt)
        .order_by_desc(Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, more))
}

#[cfg(test)]
mod tests {
    use super::LogPosition;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let position = LogPosition {
            changed_at: crate::stamp::now(),
            id: crate::stamp::new_id(),
        };
        assert_eq!(LogPosition::decode(&position.encode()), Some(position));
        assert_eq!(LogPosition::decode("not-a-cursor"), None);
        assert_eq!(LogPosition::decode(""), None);
    }
}
