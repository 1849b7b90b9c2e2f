//! `Dataset`, `DatasetVersion` and their preview, columns, rows and data-flow
//! state. Reads go through [`crate::dataset`]; nothing here knows SQL.

use crate::dataset::infer::Preview;
use crate::dataset::read::reading_of;
use crate::dataset::render::json_value;
use crate::dataset::version::{columns_of, preview_of};
use crate::error::{ApiResult, AppError};
use crate::graphql::context::ReadContext;
use crate::notify::status::{DataflowStatus, dataflow_of};
use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entities::{dataset_versions, datasets};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// The most rows a page of `rows` holds.
pub const MAX_ROWS_PAGE: i32 = 1000;
/// Versions `versions` lists, newest first.
const MAX_VERSIONS: u64 = 100;

/// A column's type.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::dataset::ColumnType")]
pub enum DatasetColumnType {
    Integer,
    Numeric,
    Boolean,
    /// `YYYY-MM-DD`.
    Date,
    /// RFC 3339, served in UTC.
    Timestamp,
    Text,
}

/// Where a version stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::enums::DatasetVersionState")]
pub enum DatasetVersionState {
    /// Stored; the preview is being made.
    Uploaded,
    /// Previewed: confirm it with column types, or discard it.
    Verified,
    /// Loading (`rowsDone` of `rowsTotal`).
    Processing,
    /// The dataset's rows, or were.
    Completed,
    /// Refused or interrupted (see `error`); the version served before still is.
    Failed,
    Discarded,
}

/// Where telling data-flow of a change stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataflowState {
    /// Data-flow is being told, or its run is being followed.
    ProcessingDataflow,
    Completed,
    Failed,
}

/// Data-flow's side of a change.
#[derive(SimpleObject, Clone, Debug)]
pub struct Dataflow {
    pub state: DataflowState,
    pub dag_id: Option<String>,
    pub run_id: Option<String>,
    /// Trigger attempts made (more than one when data-flow was down).
    pub attempts: i32,
    pub error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<DataflowStatus> for Dataflow {
    fn from(status: DataflowStatus) -> Self {
        Self {
            state: match status.state {
                "completed" => DataflowState::Completed,
                "failed" => DataflowState::Failed,
                _ => DataflowState::ProcessingDataflow,
            },
            dag_id: status.dag_id,
            run_id: status.run_id,
            attempts: status.attempts,
            error: status.error,
            updated_at: status.updated_at,
        }
    }
}

/// The data-flow state of `subject`, for any type that has one.
pub async fn dataflow(ctx: &Context<'_>, subject: uuid::Uuid) -> ApiResult<Option<Dataflow>> {
    let read = ctx.data::<ReadContext>()?;
    Ok(dataflow_of(&read.db, subject).await?.map(Into::into))
}

#[derive(SimpleObject, Clone, Debug)]
pub struct DatasetColumn {
    pub name: String,
    #[graphql(name = "type")]
    pub kind: DatasetColumnType,
}

/// One column of a preview.
#[derive(SimpleObject, Clone, Debug)]
pub struct DatasetColumnPreview {
    pub name: String,
    /// The first of integer, numeric, boolean, date, timestamp, text that every
    /// value of the whole file fits.
    pub inferred_type: DatasetColumnType,
    /// Every type all its values fit: what it may be confirmed as.
    pub fits: Vec<DatasetColumnType>,
    pub samples: Vec<String>,
    /// Rows with no value (NULL whatever the type).
    pub empty: i64,
}

/// What an uploaded file holds.
#[derive(SimpleObject, Clone, Debug)]
pub struct DatasetPreview {
    pub rows: i64,
    pub columns: Vec<DatasetColumnPreview>,
    /// Columns the current version has that this file lacks: queries using them
    /// will break.
    pub missing_columns: Vec<String>,
    pub warnings: Vec<String>,
}

impl From<Preview> for DatasetPreview {
    fn from(preview: Preview) -> Self {
        Self {
            rows: i64::try_from(preview.rows).unwrap_or(i64::MAX),
            columns: preview
                .columns
                .into_iter()
                .map(|column| DatasetColumnPreview {
                    name: column.name,
                    inferred_type: column.inferred.into(),
                    fits: column.fits.into_iter().map(Into::into).collect(),
                    samples: column.samples,
                    empty: i64::try_from(column.empty).unwrap_or(i64::MAX),
                })
                .collect(),
            missing_columns: preview.missing_columns,
            warnings: preview.warnings,
        }
    }
}

pub struct DatasetVersion(pub dataset_versions::Model);

#[Object]
impl DatasetVersion {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// 1, 2, 3… within the dataset.
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn state(&self) -> DatasetVersionState {
        self.0.state.into()
    }
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }
    /// Rows of the file (known once verified).
    async fn rows_total(&self) -> i64 {
        self.0.rows_total
    }
    /// Rows loaded so far.
    async fn rows_done(&self) -> i64 {
        self.0.rows_done
    }
    /// Why it failed.
    async fn error(&self) -> Option<&str> {
        self.0.error_message.as_deref()
    }
    async fn preview(&self) -> Option<DatasetPreview> {
        preview_of(&self.0).map(Into::into)
    }
    /// The columns it was confirmed with.
    async fn columns(&self) -> Vec<DatasetColumn> {
        confirmed(&self.0)
    }
    /// The version whose file this one loaded again.
    async fn restored_from(&self) -> Option<ID> {
        self.0.restored_from.map(|id| ID(id.to_string()))
    }
    async fn submitted_by(&self) -> Option<&str> {
        self.0.submitted_by.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// Data-flow's run for this version, when one is configured.
    async fn dataflow(&self, ctx: &Context<'_>) -> ApiResult<Option<Dataflow>> {
        dataflow(ctx, self.0.id).await
    }
}

fn confirmed(version: &dataset_versions::Model) -> Vec<DatasetColumn> {
    columns_of(version)
        .into_iter()
        .map(|column| DatasetColumn {
            name: column.name,
            kind: column.kind.into(),
        })
        .collect()
}

/// One row: its number and its values by column name.
#[derive(SimpleObject)]
pub struct DatasetRow {
    /// Row number in the file (1 is the first after the header).
    pub row: i64,
    pub values: Json<serde_json::Map<String, serde_json::Value>>,
}

/// A page of rows in row order.
#[derive(SimpleObject)]
pub struct DatasetRows {
    /// The version read; every page of one walk reads the same one.
    pub version: i32,
    pub nodes: Vec<DatasetRow>,
    pub has_next_page: bool,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<String>,
}

pub struct Dataset(pub datasets::Model);

#[Object]
impl Dataset {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn organisation(&self) -> &str {
        &self.0.organisation
    }
    async fn dataset(&self) -> &str {
        &self.0.dataset
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The completed version served now.
    async fn current_version(&self, ctx: &Context<'_>) -> ApiResult<Option<DatasetVersion>> {
        let read = ctx.data::<ReadContext>()?;
        Ok(crate::dataset::version::current(&read.db, &self.0)
            .await?
            .map(DatasetVersion))
    }
    /// The columns of the current version.
    async fn columns(&self, ctx: &Context<'_>) -> ApiResult<Vec<DatasetColumn>> {
        let read = ctx.data::<ReadContext>()?;
        Ok(crate::dataset::version::current(&read.db, &self.0)
            .await?
            .map(|version| confirmed(&version))
            .unwrap_or_default())
    }
    /// Every version, newest first (at most 100).
    async fn versions(&self, ctx: &Context<'_>) -> ApiResult<Vec<DatasetVersion>> {
        let read = ctx.data::<ReadContext>()?;
        let rows = dataset_versions::Entity::find()
            .filter(dataset_versions::Column::DatasetId.eq(self.0.id))
            .order_by_desc(dataset_versions::Column::Number)
            .limit(MAX_VERSIONS)
            .all(&read.db)
            .await?;
        Ok(rows.into_iter().map(DatasetVersion).collect())
    }
    /// The current version's rows in order, a page at a time (a walk stays on
    /// the version it began on; `CONFLICT` once that is no longer kept).
    async fn rows(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Rows per page (default 100, at most 1000).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> ApiResult<DatasetRows> {
        let read = ctx.data::<ReadContext>()?;
        let first = first.unwrap_or(100);
        if !(0..=MAX_ROWS_PAGE).contains(&first) {
            return Err(AppError::bad_input(
                "first",
                format!("must be between 0 and {MAX_ROWS_PAGE}"),
            ));
        }
        let (number, after) = match after.as_deref() {
            None => (None, 0),
            Some(cursor) => {
                let (number, row) = decode_cursor(cursor)
                    .ok_or_else(|| AppError::bad_input("after", "is not a cursor rows returned"))?;
                (Some(number), row)
            }
        };
        let reading = reading_of(&read.db, self.0.clone(), number).await?;
        let limit = u64::try_from(first).unwrap_or(0);
        let (rows, has_next_page) = reading.page_and_more(&read.db, after, limit).await?;
        let version = reading.version.number;
        let end_cursor = rows.last().map(|(row, _)| encode_cursor(version, *row));
        let nodes = rows
            .into_iter()
            .map(|(row, values)| DatasetRow {
                row,
                values: Json(
                    reading
                        .columns
                        .iter()
                        .zip(values)
                        .map(|(column, text)| {
                            (
                                column.name.clone(),
                                json_value(column.kind, text.as_deref()),
                            )
                        })
                        .collect(),
                ),
            })
            .collect();
        Ok(DatasetRows {
            version,
            nodes,
            has_next_page,
            end_cursor,
        })
    }
}

fn encode_cursor(version: i32, row: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v{version}:{row}"))
}

fn decode_cursor(cursor: &str) -> Option<(i32, i64)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (version, row) = text.strip_prefix('v')?.split_once(':')?;
    Some((version.parse().ok()?, row.parse().ok()?))
}
