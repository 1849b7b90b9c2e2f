//! The earlier Data Store Service's view of the directory: schema `directory`
//! holds one table per record type, listed whole (tombstones included, as rows
//! with `deleted_at` set) in pages keyed by id.

use super::rows::{self, Order, Position};
use crate::repo::RecordType;
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The one schema the routes serve.
pub const SCHEMA: &str = "directory";

/// The record type behind `<schema>/<table>`, if the routes serve it.
pub fn table_of(schema: &str, table: &str) -> Option<RecordType> {
    (schema == SCHEMA)
        .then(|| RecordType::from_table(table))
        .flatten()
}

/// `{"columns":[{"name","type"}]}`.
pub fn structure(kind: RecordType) -> Value {
    let columns: Vec<Value> = rows::columns(kind)
        .into_iter()
        .map(|(name, kind)| serde_json::json!({ "name": name, "type": kind }))
        .collect();
    serde_json::json!({ "columns": columns })
}

/// One page of table data: the rows (each with exactly the table's columns) and
/// the id to continue after, when there may be more.
pub async fn data_page(
    db: &impl ConnectionTrait,
    kind: RecordType,
    after: Option<Uuid>,
    size: u64,
) -> Result<(Vec<Map<String, Value>>, Option<Uuid>), DbErr> {
    let after = after.map(|id| Position {
        updated_at: None,
        id,
    });
    let mut rows = rows::after(db, kind, Order::AllById, after, size + 1).await?;
    let more = rows.len() as u64 > size;
    rows.truncate(size as usize);
    let next = more
        .then(|| rows.last().map(|row| row.position.id))
        .flatten();
    Ok((
        rows.into_iter()
            .map(|mut row| {
                row.object.remove("deleted");
                row.object
            })
            .collect(),
        next,
    ))
}

/// The rows as `{"headers":[…],"values":[[…]]}` columns, in table order.
pub fn tabular(kind: RecordType, rows: Vec<Map<String, Value>>) -> (Vec<String>, Vec<Value>) {
    let headers: Vec<String> = rows::columns(kind)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let values = rows
        .into_iter()
        .map(|mut row| {
            Value::Array(
                headers
                    .iter()
                    .map(|name| row.remove(name).unwrap_or(Value::Null))
                    .collect(),
            )
        })
        .collect();
    (headers, values)
}
