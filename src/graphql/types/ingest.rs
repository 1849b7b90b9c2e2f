//! `IngestSource`, `IngestRun` and `DataFile`: the configured sources, the
//! history of ingest runs and the file registry.

use crate::error::ApiResult;
use crate::graphql::context::ReadContext;
use crate::ingest::{SourceConfig, registry, sources};
use crate::read::Role;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{data_files, ingest_runs};

/// Where a run is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::enums::IngestRunState")]
pub enum IngestRunState {
    /// Recorded; waiting for the source's lease.
    Queued,
    Running,
    /// Ran to the end; every file fetched and loaded.
    Completed,
    /// Ran to the end, but some files failed to fetch or load (`filesFailed`;
    /// `dataFiles` says why each did). They are tried again by the next run.
    CompletedWithFailures,
    /// Stopped: the source could not be listed, another run held the source, or
    /// the run lost its lease.
    Failed,
}

/// One run of an ingest source.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct IngestRun {
    pub id: ID,
    #[graphql(skip)]
    pub uuid: uuid::Uuid,
    pub source: String,
    /// `schedule`, `mutation` or `cli`.
    pub trigger: String,
    pub state: IngestRunState,
    pub force: bool,
    /// Files the source listed.
    pub files_seen: i32,
    /// Files downloaded into the object store by this run.
    pub files_fetched: i32,
    pub files_loaded: i32,
    pub files_failed: i32,
    pub error_message: Option<String>,
    /// What the run warned of (a listing cut short, a column not stored, …).
    pub warnings: Vec<String>,
    /// The process that ran it.
    pub holder: Option<String>,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The most files `IngestRun.files` lists.
const MAX_RUN_FILES: u64 = 200;

#[async_graphql::ComplexObject]
impl IngestRun {
    /// The data files this run registered or loaded, newest first (at most
    /// 200). A file another run loaded since is listed under that run instead.
    async fn files(&self, ctx: &Context<'_>) -> ApiResult<Vec<DataFile>> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see the file registry")?;
        let rows = registry::of_run(&read.db, self.uuid, MAX_RUN_FILES).await?;
        Ok(rows.into_iter().map(DataFile::from).collect())
    }

    /// Data-flow's run for the directory rows this run loaded, when one is configured.
    async fn dataflow(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> crate::error::ApiResult<Option<super::dataset::Dataflow>> {
        super::dataset::dataflow(ctx, self.uuid).await
    }
}

impl From<ingest_runs::Model> for IngestRun {
    fn from(row: ingest_runs::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            uuid: row.id,
            state: row.state.into(),
            source: row.source,
            trigger: row.trigger,
            force: row.force,
            files_seen: row.files_seen,
            files_fetched: row.files_fetched,
            files_loaded: row.files_loaded,
            files_failed: row.files_failed,
            error_message: row.error_message,
            warnings: row
                .warnings
                .map(|text| text.lines().map(str::to_owned).collect())
                .unwrap_or_default(),
            holder: row.holder,
            started_at: row.started_at,
            heartbeat_at: row.heartbeat_at,
            finished_at: row.finished_at,
        }
    }
}

/// What became of a file.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::enums::DataFileState")]
pub enum DataFileState {
    Processing,
    Processed,
    /// Tried again by the next run.
    Failed,
    /// Never loaded (an admin's decision).
    Ignored,
}

/// A file an ingest source offered, as stored and registered.
#[derive(SimpleObject)]
pub struct DataFile {
    pub id: ID,
    #[graphql(skip)]
    pub uuid: uuid::Uuid,
    pub source: String,
    pub file_name: String,
    /// Where the raw file is in the object store.
    pub object_key: String,
    pub sha256: Option<String>,
    pub size_bytes: Option<i64>,
    pub state: DataFileState,
    pub error_message: Option<String>,
    pub rows_loaded: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

impl From<data_files::Model> for DataFile {
    fn from(row: data_files::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            uuid: row.id,
            state: row.state.into(),
            source: row.source,
            file_name: row.file_name,
            object_key: row.object_key,
            sha256: row.sha256,
            size_bytes: row.size_bytes,
            error_message: row.error_message,
            rows_loaded: row.rows_loaded,
            created_at: row.created_at,
            updated_at: row.updated_at,
            processed_at: row.processed_at,
        }
    }
}

/// A configured ingest source.
pub struct IngestSource(pub SourceConfig);

/// A source configured under `[[ingest.sources]]` (admins only): where its
/// files come from, what loads them, when it runs, and how its last run went.
#[Object]
impl IngestSource {
    /// The source's `name`, as `triggerIngest(source:)` and `IngestRun.source`
    /// spell it.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What loads its files, in a few words (`hsds csv`, `postcodes (ONSPD)`,
    /// `hsds json`, `dataset acme/prices`).
    async fn loader(&self) -> String {
        sources::describe_loader(&self.0.loader)
    }

    /// Where its files come from: the listing's URL (without credentials or
    /// query values) or a line describing the listing.
    async fn listing(&self) -> String {
        sources::describe_listing(&self.0.list)
    }

    /// When the server runs it: a cron pattern (UTC, five fields); null when it
    /// runs only when asked (`triggerIngest`, `signpost ingest`).
    async fn schedule(&self) -> Option<&str> {
        self.0.schedule.as_deref()
    }

    /// Its newest run, or null if it has never run.
    async fn last_run(&self, ctx: &Context<'_>) -> ApiResult<Option<IngestRun>> {
        let read = ctx.data::<ReadContext>()?;
        let run = sources::last_run(&read.db, &self.0.name).await?;
        Ok(run.map(IngestRun::from))
    }
}
