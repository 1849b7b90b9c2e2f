//! `imports` and `import(id)`: the history of CSV imports, newest first (admins).

use crate::error::ApiResult;
use crate::graphql::context::ReadContext;
use crate::graphql::enums::RecordType;
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::newest::{Newest, NewestConnection};
use crate::graphql::types::import::{Import, ImportState};
use crate::read::Role;
use async_graphql::{Context, ID, InputObject, Object};
use entities::imports;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Conditions on imports (all must hold).
#[derive(InputObject, Default)]
pub struct ImportFilter {
    pub state: Option<ImportState>,
    pub record_type: Option<RecordType>,
    pub dry_run: Option<bool>,
}

impl Newest for Import {
    type Entity = imports::Entity;
    const NAME: &'static str = "Import";
    const ID: imports::Column = imports::Column::Id;

    fn of(model: imports::Model) -> Self {
        Import(model)
    }

    fn id(&self) -> Uuid {
        self.0.id
    }
}

#[derive(Default)]
pub struct ImportQuery;

#[Object]
impl ImportQuery {
    /// CSV imports, newest first (admins only).
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, None, child_complexity)")]
    async fn imports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Imports per page (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        filter: Option<ImportFilter>,
    ) -> ApiResult<NewestConnection<Import>> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see imports")?;
        let filter = filter.unwrap_or_default();
        let mut query = imports::Entity::find();
        if let Some(state) = filter.state {
            query = query.filter(imports::Column::State.eq(imports::ImportState::from(state)));
        }
        if let Some(kind) = filter.record_type {
            query = query
                .filter(imports::Column::RecordType.eq(crate::repo::RecordType::from(kind).name()));
        }
        if let Some(dry_run) = filter.dry_run {
            query = query.filter(imports::Column::DryRun.eq(dry_run));
        }
        NewestConnection::load(read, query, first, after).await
    }

    /// One import by id (admins only).
    async fn import(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Import>> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see imports")?;
        let id = parse_id("id", &id)?;
        let row = imports::Entity::find_by_id(id).one(&read.db).await?;
        Ok(row.map(Import))
    }
}
