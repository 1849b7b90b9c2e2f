//! `export`: the directory copied out page by page, for data pipelines
//! (exporters and admins). The logic lives in [`crate::export`].

use crate::export::page::{ExportError, MAX_PAGE_ROWS};
use crate::export::rows::{Exported, RowSink};
use crate::export::{ExportCursor, ExportRequest, export_page};
use crate::graphql::context::ReadContext;
use crate::graphql::enums::RecordType;
use crate::graphql::error::{bad_input, db};
use crate::read::Role;
use async_graphql::{Context, Json, Object, OutputType, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// One page of an export.
#[derive(SimpleObject)]
pub struct ExportPage {
    /// The rows, each with every column of its table (references as ids) and
    /// `deleted` (true for a tombstone, which only incremental exports return).
    pub rows: Vec<RowValue>,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
    pub has_next_page: bool,
    /// The `updatedSince` of the next incremental run: the same on every page of
    /// a run, and held back so that rows committed late are not skipped. Runs
    /// overlap a little; dedupe rows by `(id, version)`.
    pub watermark: DateTime<Utc>,
}

/// A row already in GraphQL's value form, shown as the `JSON` scalar: made once
/// from the model, not through an intermediate `serde_json::Value`.
pub struct RowValue(async_graphql::Value);

impl OutputType for RowValue {
    fn type_name() -> std::borrow::Cow<'static, str> {
        <Json<serde_json::Value> as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        <Json<serde_json::Value> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        _ctx: &async_graphql::ContextSelectionSet<'_>,
        _field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
    ) -> async_graphql::ServerResult<async_graphql::Value> {
        Ok(self.0.clone())
    }
}

/// Collects a page's rows as GraphQL values.
#[derive(Default)]
struct GraphQlRows(Vec<RowValue>);

impl RowSink for GraphQlRows {
    fn row<M: serde::Serialize>(&mut self, model: &M, deleted: bool) {
        match async_graphql::to_value(Exported {
            row: model,
            deleted,
        }) {
            Ok(value) => self.0.push(RowValue(value)),
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
    ) -> Result<ExportPage> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Exporter, "only an exporter or admin may export")?;
        let kind: crate::repo::RecordType = record_type.into();
        if first < 1 || first as u64 > MAX_PAGE_ROWS {
            return Err(bad_input(
                "first",
                format!("must be between 1 and {MAX_PAGE_ROWS}"),
            ));
        }
        let after = after
            .map(|text| ExportCursor::decode(&text, kind))
            .transpose()
            .map_err(|error| bad_input("after", error))?;
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
            ExportError::Cursor(error) => bad_input("after", error),
            ExportError::Db(error) => db(error),
        })?;
        Ok(ExportPage {
            rows: rows.0,
            end_cursor: page.end_cursor,
            has_next_page: page.has_next_page,
            watermark: page.watermark,
        })
    }
}
