//! `importCsv`, `restoreImport` and `confirmImport` (admins). The file is stored
//! and the import recorded before the mutation answers; checking and applying go on in the
//! background, and the answer waits a few seconds for them, so a small file comes
//! back finished and a large one comes back `VALIDATING` or `APPLYING` with
//! `rowsDone` to poll through `import(id)`.

use super::common::admin;
use crate::error::{ApiResult, AppError};
use crate::graphql::context::{ReadContext, WriteContext};
use crate::graphql::enums::RecordType;
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::import::{Import, ImportMode};
use crate::import::confirm;
use crate::import::process;
use crate::import::run::{ImportLimits, ImportOptions, submit};
use crate::store::Key;
use async_graphql::{Context, ID, Object, Upload};
use entities::imports;
use sea_orm::{DatabaseConnection, EntityTrait};
use std::time::Duration;

/// How long the mutation waits for the import before answering.
const WAIT: Duration = Duration::from_secs(3);

/// Runs `import` in the background; its row after at most [`WAIT`].
async fn run(
    write: &WriteContext,
    db: DatabaseConnection,
    import: imports::Model,
    options: ImportOptions,
) -> ApiResult<Import> {
    let id = import.id;
    let store = write.store.clone();
    let work = write.jobs.spawn("import", id, {
        let db = db.clone();
        async move {
            if let Err(error) = process(&db, &store, import, &options).await {
                tracing::error!(%error, "import failed");
            }
        }
    });
    let _ = tokio::time::timeout(WAIT, work).await;
    let row = imports::Entity::find_by_id(id)
        .one(&db)
        .await?
        .ok_or_else(|| AppError::internal_msg(format!("import {id} vanished")))?;
    Ok(Import(row))
}

/// The import `id`, or `NOT_FOUND`.
async fn find(read: &ReadContext, id: uuid::Uuid) -> ApiResult<imports::Model> {
    imports::Entity::find_by_id(id)
        .one(&read.db)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no import has id {id}")))
}

/// The options `earlier` recorded, to apply its file for real this time.
fn again(earlier: &imports::Model, limits: ImportLimits) -> ImportOptions {
    ImportOptions {
        record_type: earlier
            .record_type
            .as_deref()
            .and_then(crate::repo::RecordType::from_table),
        mode: earlier.mode,
        dry_run: false,
        force: earlier.force,
        strict: earlier.strict,
        publish: earlier.publish,
        encoding: earlier.encoding.clone(),
        limits,
        restored_from: None,
        confirms: None,
    }
}

/// Applies `earlier`'s stored file again as a new import with `options`
/// (`restoreImport`, `confirmImport`). A confirmation that another request
/// recorded first answers that one's import.
async fn reapply(
    read: &ReadContext,
    write: &WriteContext,
    earlier: &imports::Model,
    options: ImportOptions,
) -> ApiResult<Import> {
    let id = earlier.id;
    let key = Key::parse(&earlier.object_key).map_err(AppError::internal_msg)?;
    let (_, body) = write.store.get(&key).await.map_err(|error| {
        AppError::not_found(format!(
            "the file of import {id} is no longer stored: {error}"
        ))
    })?;
    let submitted = submit(
        &read.db,
        &write.store,
        &earlier.file_name,
        body,
        &options,
        read.viewer.subject.as_deref(),
    )
    .await;
    let import = match submitted {
        Ok(import) => import,
        Err(error) => {
            if let Some(dry_run) = options.confirms
                && confirm::lost_race(&error)
                && let Some(made) = confirm::confirmation(&read.db, dry_run).await?
            {
                return Ok(Import(made));
            }
            return Err(error.into());
        }
    };
    run(write, read.db.clone(), import, options).await
}

#[derive(Default)]
pub struct ImportMutations;

#[Object]
impl ImportMutations {
    /// Imports a CSV file (a GraphQL multipart request): checked in full, then
    /// applied all-or-nothing unless `dryRun`. The record type defaults to the
    /// file's name (`services.csv`, `organizations.csv`).
    #[allow(clippy::too_many_arguments)]
    async fn import_csv(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        record_type: Option<RecordType>,
        #[graphql(default_with = "Some(ImportMode::Upsert)")] mode: Option<ImportMode>,
        #[graphql(default_with = "Some(false)")] dry_run: Option<bool>,
        #[graphql(
            default_with = "Some(false)",
            desc = "Let REPLACE delete more than the configured share."
        )]
        force: Option<bool>,
        #[graphql(
            default_with = "Some(false)",
            desc = "Refuse columns Signpost does not store."
        )]
        strict: Option<bool>,
        #[graphql(
            default_with = "Some(false)",
            desc = "Publish the providers and services written (when the file has no \
                    published column; HSDS files never do). Unpublished records are \
                    seen by editors and admins only."
        )]
        publish: Option<bool>,
        #[graphql(desc = "The file's encoding (utf-8, windows-1252); default: detected.")]
        encoding: Option<String>,
    ) -> ApiResult<Import> {
        let read: &ReadContext = admin(ctx)?;
        let write = ctx.data::<WriteContext>()?;
        let upload = file
            .value(ctx)
            .map_err(|error| AppError::bad_input("file", error))?;
        let name = upload.filename.clone();
        let content = tokio::fs::File::from_std(upload.content);
        let options = ImportOptions {
            record_type: record_type.map(Into::into),
            mode: mode.unwrap_or(ImportMode::Upsert).into(),
            dry_run: dry_run.unwrap_or(false),
            force: force.unwrap_or(false),
            strict: strict.unwrap_or(false),
            publish: publish.unwrap_or(false),
            encoding,
            limits: write.import_limits.clone(),
            restored_from: None,
            confirms: None,
        };
        let body = Box::pin(tokio_util::io::ReaderStream::with_capacity(
            content,
            256 * 1024,
        ));
        let import = submit(
            &read.db,
            &write.store,
            &name,
            body,
            &options,
            read.viewer.subject.as_deref(),
        )
        .await?;
        run(write, read.db.clone(), import, options).await
    }

    /// Applies an earlier import's stored file again, on purpose (even when
    /// nothing in it changed).
    async fn restore_import(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default_with = "Some(false)")] force: Option<bool>,
    ) -> ApiResult<Import> {
        let read = admin(ctx)?;
        let write = ctx.data::<WriteContext>()?;
        let id = parse_id("id", &id)?;
        let earlier = find(read, id).await?;
        let mut options = again(&earlier, write.import_limits.clone());
        options.force = force.unwrap_or(earlier.force);
        options.restored_from = Some(id);
        reapply(read, write, &earlier, options).await
    }

    /// Applies a dry run (`dryRun: true`, `VALIDATED`) as it was previewed: its
    /// stored file again, with its options, as a new import that names it in
    /// `confirms`. Confirming it again answers that same import: a dry run is
    /// applied once.
    async fn confirm_import(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Import> {
        let read = admin(ctx)?;
        let write = ctx.data::<WriteContext>()?;
        let id = parse_id("id", &id)?;
        let dry_run = find(read, id).await?;
        if let Some(made) = confirm::confirmation(&read.db, id).await? {
            return Ok(Import(made));
        }
        confirm::confirmable(&dry_run)?;
        let mut options = again(&dry_run, write.import_limits.clone());
        options.confirms = Some(id);
        reapply(read, write, &dry_run, options).await
    }
}
