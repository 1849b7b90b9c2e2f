//! `export`: the directory copied out page by page, for data pipelines
//! (exporters and admins). The logic lives in [`crate::export`].

use crate::export::page::{ExportError, MAX_PAGE_ROWS};
use crate::export::{ExportCursor, ExportRequest, export_page};
use crate::graphql::context::ReadContext;
use crate::graphql::enums::RecordType;
use crate::graphql::error::{bad_input, db};
use crate::read::Role;
use async_graphql::{Context, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// One page of an export.
#[derive(SimpleObject)]
pub struct ExportPage {
    /// The rows, each with every column of its table (references as ids) and
    /// `deleted` (true for a tombstone, which only incremental exports return).
    pub rows: Vec<Json<serde_json::Value>>,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
    pub has_next_page: bool,
    /// The `updatedSince` of the next incremental run: the same on every page of
    /// a run, and held back so that rows committed late are not skipped. Runs
    /// overlap a little; dedupe rows by `(id, version)`.
    pub watermark: DateTime<Utc>,
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
        let page = export_page(
            &read.db,
            ExportRequest {
                kind,
                first: first as u64,
                after,
                updated_since,
                lag: read.export_lag,
            },
        )
        .await
        .map_err(|error| match error {
            ExportError::Cursor(error) => bad_input("after", error),
            ExportError::Db(error) => db(error),
        })?;
        Ok(ExportPage {
            rows: page.rows.into_iter().map(Json).collect(),
            end_cursor: page.end_cursor,
            has_next_page: page.has_next_page,
            watermark: page.watermark,
        })
    }
}
