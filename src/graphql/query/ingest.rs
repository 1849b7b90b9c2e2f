//! `ingestRuns` and `dataFiles`: ingest history and the file registry, newest
//! first (admins).

use crate::graphql::connection::PageInfo;
use crate::graphql::context::ReadContext;
use crate::graphql::error::{bad_input, db};
use crate::graphql::types::ingest::{DataFile, DataFileState, IngestRun};
use crate::read::Role;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entities::{data_files, ingest_runs};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

#[derive(InputObject, Default)]
pub struct IngestRunFilter {
    pub source: Option<String>,
}

#[derive(InputObject, Default)]
pub struct DataFileFilter {
    pub source: Option<String>,
    pub state: Option<DataFileState>,
}

#[derive(SimpleObject)]
pub struct IngestRunEdge {
    pub cursor: String,
    pub node: IngestRun,
}

/// A page of ingest runs, newest first.
#[derive(SimpleObject)]
pub struct IngestRunConnection {
    pub edges: Vec<IngestRunEdge>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct DataFileEdge {
    pub cursor: String,
    pub node: DataFile,
}

/// A page of registered files, newest first.
#[derive(SimpleObject)]
pub struct DataFileConnection {
    pub edges: Vec<DataFileEdge>,
    pub page_info: PageInfo,
}

fn cursor_of(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

fn position(kind: &str, cursor: Option<&str>) -> Result<Option<Uuid>> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(&format!("{kind}:"))?.parse().ok())
        .map(Some)
        .ok_or_else(|| bad_input("after", format!("not a {kind} cursor")))
}

fn page_info<T>(edges: &[T], cursor: impl Fn(&T) -> &String, after: bool, more: bool) -> PageInfo {
    PageInfo {
        has_previous_page: after,
        has_next_page: more,
        start_cursor: edges.first().map(|e| cursor(e).clone()),
        end_cursor: edges.last().map(|e| cursor(e).clone()),
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
    ) -> Result<IngestRunConnection> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see ingest runs")?;
        let first = read.limits.first(first)?;
        let after = position("ingest-run", after.as_deref())?;
        let mut query = ingest_runs::Entity::find();
        if let Some(source) = filter.unwrap_or_default().source {
            query = query.filter(ingest_runs::Column::Source.eq(source));
        }
        if let Some(after) = after {
            query = query.filter(ingest_runs::Column::Id.lt(after));
        }
        let mut rows = query
            .order_by_desc(ingest_runs::Column::Id)
            .limit(first + 1)
            .all(&read.db)
            .await
            .map_err(db)?;
        let more = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let edges: Vec<IngestRunEdge> = rows
            .into_iter()
            .map(|row| IngestRunEdge {
                cursor: cursor_of("ingest-run", row.id),
                node: row.into(),
            })
            .collect();
        Ok(IngestRunConnection {
            page_info: page_info(&edges, |e| &e.cursor, after.is_some(), more),
            edges,
        })
    }

    /// Files ingest sources offered, newest first (admins only).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, None, child_complexity)")]
    async fn data_files(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Files per page (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        filter: Option<DataFileFilter>,
    ) -> Result<DataFileConnection> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see the file registry")?;
        let first = read.limits.first(first)?;
        let after = position("data-file", after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let mut query = data_files::Entity::find();
        if let Some(source) = filter.source {
            query = query.filter(data_files::Column::Source.eq(source));
        }
        if let Some(state) = filter.state {
            query = query.filter(data_files::Column::State.eq(state.as_str()));
        }
        if let Some(after) = after {
            query = query.filter(data_files::Column::Id.lt(after));
        }
        let mut rows = query
            .order_by_desc(data_files::Column::Id)
            .limit(first + 1)
            .all(&read.db)
            .await
            .map_err(db)?;
        let more = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let edges: Vec<DataFileEdge> = rows
            .into_iter()
            .map(|row| DataFileEdge {
                cursor: cursor_of("data-file", row.id),
                node: row.into(),
            })
            .collect();
        Ok(DataFileConnection {
            page_info: page_info(&edges, |e| &e.cursor, after.is_some(), more),
            edges,
        })
    }
}
