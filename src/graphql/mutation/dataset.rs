//! Dataset mutations (admins): `createDataset`, `uploadDatasetVersion` (a
//! GraphQL multipart request), `confirmDatasetVersion`, `discardDatasetVersion`
//! and `restoreDatasetVersion`. Previewing and loading go on in the background;
//! each answer waits a few seconds for them, so a small file comes back verified
//! or completed and a large one `UPLOADED` or `PROCESSING`, to poll through
//! `datasetVersion(id)`.

use super::common::admin;
use crate::dataset::{load, version};
use crate::error::{ApiResult, AppError};
use crate::graphql::context::{ReadContext, WriteContext};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::dataset::{Dataset, DatasetColumnType, DatasetVersion};
use async_graphql::{Context, ID, InputObject, Object, Upload};
use entities::dataset_versions;
use sea_orm::DatabaseConnection;
use std::time::Duration;

/// How long a mutation waits for the background work before answering.
const WAIT: Duration = Duration::from_secs(3);

/// A column's confirmed type.
#[derive(InputObject)]
pub struct DatasetColumnTypeInput {
    /// The column's name as the preview gives it.
    pub name: String,
    #[graphql(name = "type")]
    pub kind: DatasetColumnType,
}

/// Runs `work` in the background; the version's row after at most [`WAIT`].
async fn answer_after<F>(
    write: &WriteContext,
    db: &DatabaseConnection,
    id: uuid::Uuid,
    kind: &'static str,
    work: F,
) -> ApiResult<DatasetVersion>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let job = write.jobs.spawn(kind, id, work);
    let _ = tokio::time::timeout(WAIT, job).await;
    let row = version::version(db, id).await?;
    Ok(DatasetVersion(row))
}

/// Loads `row` (processing) in the background.
async fn load_in_background(
    write: &WriteContext,
    db: &DatabaseConnection,
    row: dataset_versions::Model,
) -> ApiResult<DatasetVersion> {
    let (store, limits, id) = (write.store.clone(), write.dataset_limits, row.id);
    let job_db = db.clone();
    answer_after(write, db, id, "dataset-load", async move {
        if let Err(error) = load::process(&job_db, &store, row, &limits).await {
            tracing::error!(%error, "dataset load");
        }
    })
    .await
}

#[derive(Default)]
pub struct DatasetMutations;

#[Object]
impl DatasetMutations {
    /// A new, empty dataset. Names are lower-cased with `.` as `_` and must then
    /// match `^[a-z0-9_]+$` (no `__`, at most 48 characters).
    async fn create_dataset(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        dataset: String,
    ) -> ApiResult<Dataset> {
        let read: &ReadContext = admin(ctx)?;
        let created = version::create(
            &read.db,
            &organisation,
            &dataset,
            read.viewer.subject.as_deref(),
        )
        .await?;
        Ok(Dataset(created))
    }

    /// Uploads a CSV file as a new version (stored, then previewed in full).
    /// Refused while another version of the dataset is processing.
    async fn upload_dataset_version(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        dataset: String,
        file: Upload,
    ) -> ApiResult<DatasetVersion> {
        let read: &ReadContext = admin(ctx)?;
        let write = ctx.data::<WriteContext>()?;
        let found = version::find(&read.db, &organisation, &dataset).await?;
        let upload = file
            .value(ctx)
            .map_err(|error| AppError::bad_input("file", error))?;
        let name = upload.filename.clone();
        let body = Box::pin(tokio_util::io::ReaderStream::with_capacity(
            tokio::fs::File::from_std(upload.content),
            256 * 1024,
        ));
        let row = version::upload(
            &read.db,
            &write.store,
            &found,
            &name,
            body,
            &write.dataset_limits,
            read.viewer.subject.as_deref(),
        )
        .await?;
        let (db, store, limits, id) = (
            read.db.clone(),
            write.store.clone(),
            write.dataset_limits,
            row.id,
        );
        answer_after(write, &read.db, id, "dataset-preview", async move {
            if let Err(error) = version::verify(&db, &store, row, &limits).await {
                tracing::error!(%error, "dataset preview");
            }
        })
        .await
    }

    /// Loads a verified version with its inferred column types, except those
    /// given here; it replaces the current version when it completes.
    async fn confirm_dataset_version(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default)] column_types: Vec<DatasetColumnTypeInput>,
    ) -> ApiResult<DatasetVersion> {
        let read: &ReadContext = admin(ctx)?;
        let write = ctx.data::<WriteContext>()?;
        let id = parse_id("id", &id)?;
        let overrides: Vec<(String, String)> = column_types
            .into_iter()
            .map(|column| {
                let kind: crate::dataset::ColumnType = column.kind.into();
                (column.name, kind.name().to_owned())
            })
            .collect();
        let row = version::confirm(&read.db, id, &overrides).await?;
        load_in_background(write, &read.db, row).await
    }

    /// Drops an uploaded or verified version and its file.
    async fn discard_dataset_version(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<DatasetVersion> {
        let read: &ReadContext = admin(ctx)?;
        let write = ctx.data::<WriteContext>()?;
        let id = parse_id("id", &id)?;
        Ok(DatasetVersion(
            version::discard(&read.db, &write.store, id).await?,
        ))
    }

    /// Loads an earlier completed version's file again, with its column types,
    /// as a new version.
    async fn restore_dataset_version(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<DatasetVersion> {
        let read: &ReadContext = admin(ctx)?;
        let write = ctx.data::<WriteContext>()?;
        let id = parse_id("id", &id)?;
        let row = version::restore(&read.db, id, read.viewer.subject.as_deref()).await?;
        load_in_background(write, &read.db, row).await
    }
}
