//! `imports` and `import(id)`: the history of CSV imports, newest first (admins).

use crate::graphql::connection::PageInfo;
use crate::graphql::context::ReadContext;
use crate::graphql::enums::RecordType;
use crate::graphql::error::{bad_input, db};
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::import::{Import, ImportState};
use crate::read::Role;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entities::imports;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// Conditions on imports (all must hold).
#[derive(InputObject, Default)]
pub struct ImportFilter {
    pub state: Option<ImportState>,
    pub record_type: Option<RecordType>,
    pub dry_run: Option<bool>,
}

#[derive(SimpleObject)]
pub struct ImportEdge {
    pub cursor: String,
    pub node: Import,
}

/// A page of imports, newest first.
#[derive(SimpleObject)]
pub struct ImportConnection {
    pub edges: Vec<ImportEdge>,
    pub page_info: PageInfo,
}

fn state_name(state: ImportState) -> &'static str {
    match state {
        ImportState::Uploaded => "uploaded",
        ImportState::Validating => "validating",
        ImportState::Validated => "validated",
        ImportState::Applying => "applying",
        ImportState::Completed => "completed",
        ImportState::Failed => "failed",
    }
}

fn cursor_of(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("import:{id}"))
}

fn position(cursor: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("import:")?
        .parse()
        .ok()
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
    ) -> Result<ImportConnection> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see imports")?;
        let first = read.limits.first(first)?;
        let after = match &after {
            None => None,
            Some(cursor) => {
                Some(position(cursor).ok_or_else(|| bad_input("after", "not an imports cursor"))?)
            }
        };
        let filter = filter.unwrap_or_default();
        let mut query = imports::Entity::find();
        if let Some(state) = filter.state {
            query = query.filter(imports::Column::State.eq(state_name(state)));
        }
        if let Some(kind) = filter.record_type {
            query = query
                .filter(imports::Column::RecordType.eq(crate::repo::RecordType::from(kind).name()));
        }
        if let Some(dry_run) = filter.dry_run {
            query = query.filter(imports::Column::DryRun.eq(dry_run));
        }
        if let Some(after) = after {
            query = query.filter(imports::Column::Id.lt(after));
        }
        let mut rows = query
            .order_by_desc(imports::Column::Id)
            .limit(first + 1)
            .all(&read.db)
            .await
            .map_err(db)?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let edges: Vec<ImportEdge> = rows
            .into_iter()
            .map(|row| ImportEdge {
                cursor: cursor_of(row.id),
                node: Import(row),
            })
            .collect();
        Ok(ImportConnection {
            page_info: PageInfo {
                has_previous_page: after.is_some(),
                has_next_page,
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
        })
    }

    /// One import by id (admins only).
    async fn import(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Import>> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see imports")?;
        let id = parse_id("id", &id)?;
        let row = imports::Entity::find_by_id(id)
            .one(&read.db)
            .await
            .map_err(db)?;
        Ok(row.map(Import))
    }
}
