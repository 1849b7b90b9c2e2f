//! `ingestRuns` and `dataFiles`: ingest history and the file registry, newest
//! first (admins).

use crate::error::ApiResult;
use crate::graphql::context::ReadContext;
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::newest::{Newest, NewestConnection};
use crate::graphql::types::ingest::{DataFile, DataFileState, IngestRun};
use crate::read::Role;
use async_graphql::{Context, ID, InputObject, Object};
use entities::{data_files, ingest_runs};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

#[derive(InputObject, Default)]
pub struct IngestRunFilter {
    pub source: Option<String>,
}

#[derive(InputObject, Default)]
pub struct DataFileFilter {
    pub source: Option<String>,
    pub state: Option<DataFileState>,
    /// The files this ingest run registered or loaded last (see `IngestRun.files`).
    pub run: Option<ID>,
}

impl Newest for IngestRun {
    type Entity = ingest_runs::Entity;
    const NAME: &'static str = "IngestRun";
    const ID: ingest_runs::Column = ingest_runs::Column::Id;

    fn of(model: ingest_runs::Model) -> Self {
        model.into()
    }

    fn id(&self) -> Uuid {
        self.uuid
    }
}

impl Newest for DataFile {
    type Entity = data_files::Entity;
    const NAME: &'static str = "DataFile";
    const ID: data_files::Column = data_files::Column::Id;

    fn of(model: data_files::Model) -> Self {
        model.into()
    }

    fn id(&self) -> Uuid {
        self.uuid
    }
}

#[derive(Default)]
pub struct IngestQuery;

#[Object]
impl IngestQuery {
    /// Ingest runs, newest first (admins only).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, None, child_complexity)")]
    async fn ingest_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Runs per page (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        filter: Option<IngestRunFilter>,
    ) -> ApiResult<NewestConnection<IngestRun>> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see ingest runs")?;
        let mut query = ingest_runs::Entity::find();
        if let Some(source) = filter.unwrap_or_default().source {
            query = query.filter(ingest_runs::Column::Source.eq(source));
        }
        NewestConnection::load(read, query, first, after).await
    }

    /// Files ingest sources offered, newest first (admins only).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, None, child_complexity)")]
    async fn data_files(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Files per page (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        filter: Option<DataFileFilter>,
    ) -> ApiResult<NewestConnection<DataFile>> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see the file registry")?;
        let filter = filter.unwrap_or_default();
        let mut query = data_files::Entity::find();
        if let Some(source) = filter.source {
            query = query.filter(data_files::Column::Source.eq(source));
        }
        if let Some(state) = filter.state {
            query =
                query.filter(data_files::Column::State.eq(data_files::DataFileState::from(state)));
        }
        if let Some(run) = filter.run {
            query = query.filter(data_files::Column::RunId.eq(parse_id("filter.run", &run)?));
        }
        NewestConnection::load(read, query, first, after).await
    }
}
