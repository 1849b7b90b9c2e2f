//! `export`: the directory copied out page by page, for data pipelines
//! (exporters and admins). The logic lives in [`crate::export`].

use crate::error::{ApiResult, AppError};
use crate::export::page::{ExportError, MAX_PAGE_ROWS};
use crate::export::rows::{Exported, RowSink};
use crate::export::{ExportCursor, ExportRequest, export_page};
use crate::graphql::context::ReadContext;
use crate::graphql::enums::RecordType;
use crate::read::Role;
use async_graphql::{Context, Json, Object, OutputType, SimpleObject};
use chrono::{DateTime, Utc};

/// One page of an export.
#[derive(SimpleObject)]
pub struct ExportPage {
    /// The rows, each with every column of its table (references as ids) and
    /// `deleted` (true for a tombstone, which only incremental exports return).
    pub rows: RowList,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
    pub has_next_page: bool,
    /// The `updatedSince` of the next incremental run: the same on every page of
    /// a run, and held back so that rows committed late are not skipped. Runs
    /// overlap a little; dedupe rows by `(id, version)`.
    pub watermark: DateTime<Utc>,
}

/// A page's rows, already in GraphQL's value form, shown as `[JSON!]!`: made
/// once from the models (not through GraphQL's per-item list resolution, which
/// costs a future per row), and handed over rather than copied by the last of
/// the query's selections of `rows` (aliases copy).
pub struct RowList(std::sync::Mutex<(usize, Option<Vec<async_graphql::Value>>)>);

impl RowList {
    fn new(rows: Vec<async_graphql::Value>, selections: usize) -> Self {
        Self(std::sync::Mutex::new((selections, Some(rows))))
    }
}

impl OutputType for RowList {
    fn type_name() -> std::borrow::Cow<'static, str> {
        <Vec<Json<serde_json::Value>> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<Json<serde_json::Value>> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        <Vec<Json<serde_json::Value>> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        _ctx: &async_graphql::ContextSelectionSet<'_>,
        _field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
    ) -> async_graphql::ServerResult<async_graphql::Value> {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (remaining, rows) = &mut *guard;
        *remaining = remaining.saturating_sub(1);
        let rows = if *remaining == 0 {
            rows.take()
        } else {
            rows.clone()
        };
        Ok(async_graphql::Value::List(rows.unwrap_or_default()))
    }
}

/// Collects a page's rows as GraphQL values. The column names are made into
/// GraphQL names once per page, not once per row.
#[derive(Default)]
struct GraphQlRows {
    rows: Vec<async_graphql::Value>,
    names: std::collections::HashMap<String, async_graphql::Name>,
}

impl GraphQlRows {
    fn value(&mut self, json: serde_json::Value) -> async_graphql::Value {
        use async_graphql::Value as G;
        use serde_json::Value as J;
        match json {
            J::Null => G::Null,
            J::Bool(b) => G::Boolean(b),
            J::Number(n) => G::Number(n),
            J::String(text) => G::String(text),
            J::Array(items) => G::List(items.into_iter().map(|item| self.value(item)).collect()),
            J::Object(fields) => G::Object(
                fields
                    .into_iter()
                    .map(|(key, value)| {
                        let name = match self.names.get(&key) {
                            Some(name) => name.clone(),
                            None => {
                                let name = async_graphql::Name::new(&key);
                                self.names.insert(key, name.clone());
                                name
                            }
                        };
                        (name, self.value(value))
                    })
                    .collect(),
            ),
        }
    }
}

impl RowSink for GraphQlRows {
    fn row<M: serde::Serialize>(&mut self, model: &M, deleted: bool) {
        match serde_json::to_value(Exported {
            row: model,
            deleted,
        }) {
            Ok(json) => {
                let value = self.value(json);
                self.rows.push(value);
            }
            Err(error) => tracing::error!(%error, "a row cannot be exported"),
        }
    }
}

#[derive(Default)]
pub struct ExportQuery;

#[Object]
impl ExportQuery {
    /// The records of one type, page by page: without `updatedSince`, every live
    /// record by id; with it, every record changed at or after that time
    /// (tombstones included) by `(updatedAt, id)`. A record that does not change
    /// while you page is returned exactly once. Exporters and admins only.
    async fn export(
        &self,
        ctx: &Context<'_>,
        record_type: RecordType,
        #[graphql(default = 1000, desc = "Rows per page, at most 5000.")] first: i32,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        #[graphql(
            desc = "Only records changed at or after this time: the `watermark` of the previous run."
        )]
        updated_since: Option<DateTime<Utc>>,
    ) -> ApiResult<ExportPage> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Exporter, "only an exporter or admin may export")?;
        let kind: crate::repo::RecordType = record_type.into();
        if first < 1 || first as u64 > MAX_PAGE_ROWS {
            return Err(AppError::bad_input(
                "first",
                format!("must be between 1 and {MAX_PAGE_ROWS}"),
            ));
        }
        let after = after
            .map(|text| ExportCursor::decode(&text, kind))
            .transpose()
            .map_err(|error| AppError::bad_input("after", error))?;
        let selections = ctx
            .field()
            .selection_set()
            .filter(|field| field.name() == "rows")
            .count();
        let mut rows = GraphQlRows::default();
        let page = export_page(
            &read.db,
            ExportRequest {
                kind,
                first: first as u64,
                after,
                updated_since,
                lag: read.export_lag,
            },
            &mut rows,
        )
        .await
        .map_err(|error| match error {
            ExportError::Cursor(error) => AppError::bad_input("after", error),
            ExportError::Db(error) => error.into(),
        })?;
        Ok(ExportPage {
            rows: RowList::new(rows.rows, selections),
            end_cursor: page.end_cursor,
            has_next_page: page.has_next_page,
            watermark: page.watermark,
        })
    }
}
