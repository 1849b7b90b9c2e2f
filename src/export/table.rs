//! The earlier Data Store Service's view of the directory: schema `directory`
//! holds one table per record type, listed whole (tombstones included, as rows
//! with `deleted_at` set) in pages keyed by id.

use super::rows::{self, Order, Position, RowSink};
use crate::repo::RecordType;
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use serde_json::Value;
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

/// How `table-data` lays rows out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orientation {
    /// `{"results":[{column: value}], "next"}`.
    Records,
    /// `{"headers":[column], "values":[[value]], "next"}`.
    Tabular,
}

/// One page of table data as the response body, and the id to continue after
/// when there may be more. `next` is made from that id by `next_url`.
pub async fn data_page(
    db: &impl ConnectionTrait,
    kind: RecordType,
    orientation: Orientation,
    after: Option<Uuid>,
    size: u64,
    next_url: impl Fn(Uuid) -> String,
) -> Result<Vec<u8>, DbErr> {
    let after = after.map(|id| Position {
        updated_at: None,
        id,
    });
    let mut sink = JsonArray {
        out: Vec::with_capacity(1024 * size as usize),
        orientation,
        columns: rows::columns(kind)
            .into_iter()
            .map(|(name, _)| name)
            .collect(),
    };
    sink.out.push(b'[');
    let fetched = rows::after(db, kind, Order::AllById, after, size, &mut sink).await?;
    let JsonArray {
        mut out, columns, ..
    } = sink;
    out.push(b']');
    let next = fetched
        .more
        .then_some(fetched.last)
        .flatten()
        .map(|last| next_url(last.id));
    let next = serde_json::to_string(&next).unwrap_or_else(|_| "null".into());
    let mut body = Vec::with_capacity(out.len() + 256);
    match orientation {
        Orientation::Records => body.extend_from_slice(b"{\"results\":"),
        Orientation::Tabular => {
            body.extend_from_slice(b"{\"headers\":");
            body.extend(serde_json::to_vec(&columns).unwrap_or_default());
            body.extend_from_slice(b",\"values\":");
        }
    }
    body.extend(out);
    body.extend_from_slice(b",\"next\":");
    body.extend(next.into_bytes());
    body.push(b'}');
    Ok(body)
}

/// The rows of a page as the text of a JSON array (without its brackets'
/// closing), written as they come.
struct JsonArray {
    out: Vec<u8>,
    orientation: Orientation,
    columns: Vec<String>,
}

impl RowSink for JsonArray {
    fn row<M: Serialize>(&mut self, model: &M, _deleted: bool) {
        if self.out.len() > 1 {
            self.out.push(b',');
        }
        let written = match self.orientation {
            Orientation::Records => serde_json::to_writer(&mut self.out, model),
            Orientation::Tabular => serde_json::to_value(model).and_then(|value| {
                let values: Vec<&Value> = self
                    .columns
                    .iter()
                    .map(|name| value.get(name).unwrap_or(&Value::Null))
                    .collect();
                serde_json::to_writer(&mut self.out, &values)
            }),
        };
        if let Err(error) = written {
            tracing::error!(%error, "a row cannot be exported");
        }
    }
}
