//! `change_log` rows: one per field a change touched, old and new values as JSON.
//!
//! Server-managed columns (timestamps, version, tombstone) are left out: the row's
//! own `changed_at` says when, and a delete is one row without a field.

use entities::change_log;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

/// What happened to the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

const NOT_LOGGED: [&str; 5] = ["id", "created_at", "updated_at", "version", "deleted_at"];

/// Writes the rows for a change from `before` to `after` (either may be absent).
pub async fn log_change<M: Serialize>(
    db: &impl ConnectionTrait,
    table: &str,
    id: Uuid,
    action: Action,
    before: Option<&M>,
    after: Option<&M>,
    actor: Option<&str>,
) -> Result<(), DbErr> {
    let as_map = |model: Option<&M>| -> Map<String, Value> {
        match model.map(serde_json::to_value) {
            Some(Ok(Value::Object(map))) => map,
            _ => Map::new(),
        }
    };
    let (old, new) = (as_map(before), as_map(after));
    let now = crate::stamp::now();
    let row = |field: Option<String>, old_value: Option<Value>, new_value: Option<Value>| {
        change_log::ActiveModel {
            id: Set(crate::stamp::new_id()),
            record_type: Set(table.to_owned()),
            record_id: Set(id),
            action: Set(action.as_str().to_owned()),
            field: Set(field),
            old_value: Set(old_value),
            new_value: Set(new_value),
            actor: Set(actor.map(str::to_owned)),
            changed_at: Set(now),
        }
    };
    let rows: Vec<change_log::ActiveModel> = if action == Action::Delete {
        vec![row(None, None, None)]
    } else {
        let mut fields: Vec<&String> = old.keys().chain(new.keys()).collect();
        fields.sort();
        fields.dedup();
        fields
            .into_iter()
            .filter(|field| !NOT_LOGGED.contains(&field.as_str()))
            .filter_map(|field| {
                let (was, now) = (old.get(field), new.get(field));
                let changed = match action {
                    Action::Create => now.is_some_and(|value| !value.is_null()),
                    _ => was != now,
                };
                changed.then(|| row(Some(field.clone()), was.cloned(), now.cloned()))
            })
            .collect()
    };
    if rows.is_empty() {
        return Ok(());
    }
    change_log::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
