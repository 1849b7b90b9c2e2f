//! `triggerIngest` and `ignoreDataFile` (admins). A triggered run is recorded
//! and answered at once; it proceeds in the background of the replica that
//! received it, under the source's lease.

use super::common::admin;
use crate::error::{ApiResult, AppError};
use crate::graphql::context::{ReadContext, WriteContext};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::ingest::{DataFile, IngestRun};
use crate::ingest::run::{self, Trigger};
use async_graphql::{Context, ID, Object};

#[derive(Default)]
pub struct IngestMutations;

#[Object]
impl IngestMutations {
    /// Starts a run of an ingest source: fetch its new files, load each once.
    /// Answers at once with the run (`QUEUED`); follow it with `ingestRuns`.
    /// Admins only.
    async fn trigger_ingest(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A `name` under `[[ingest.sources]]`.")] source: String,
        #[graphql(
            default = false,
            desc = "Load every stored file again, even those processed."
        )]
        force: bool,
    ) -> ApiResult<IngestRun> {
        let read = admin(ctx)?;
        let write = ctx.data::<WriteContext>()?;
        let Some(config) = write.ingest.source(&source).cloned() else {
            let known: Vec<&str> = write
                .ingest
                .sources
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            return Err(AppError::bad_input(
                "source",
                format!(
                    "no source {source:?} is configured (configured: {})",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        };
        let created =
            run::create(&read.db, &config, Trigger::Mutation, force, &write.replica).await?;
        let (db, store, queued) = (read.db.clone(), write.store.clone(), created.clone());
        write.jobs.spawn("ingest", created.id, async move {
            if let Err(error) = run::run(&db, &store, &config, queued, None).await {
                tracing::error!(%error, "ingest run failed");
            }
        });
        Ok(created.into())
    }

    /// Marks a registered file ignored (never loaded), or with `ignored: false`
    /// lets the next run load it. Admins only.
    async fn ignore_data_file(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = true)] ignored: bool,
    ) -> ApiResult<DataFile> {
        let read: &ReadContext = admin(ctx)?;
        let id = parse_id("id", &id)?;
        crate::ingest::registry::set_ignored(&read.db, id, ignored)
            .await?
            .map(DataFile::from)
            .ok_or_else(|| AppError::not_found(format!("no data file has id {id}")))
    }
}
