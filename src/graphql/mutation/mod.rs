//! Admin mutations. Resolvers are thin: check the role, turn the input into a row
//! and its problems, and call [`crate::write`], which validates references, writes
//! in one transaction with the change log and bumps the version.
//!
//! Errors: `FORBIDDEN` for callers below admin, `VALIDATION_FAILED` with
//! `extensions.errors: [{field, message}]` listing every problem at once,
//! `CONFLICT` for a stale `version`, `NOT_FOUND`, and `BAD_USER_INPUT` for a delete
//! refused while live children exist.

mod contact;
mod cost_option;
mod eligibility;
mod event;
mod import;
mod ingest;
mod provider;
mod service;
mod taxonomy;
mod taxonomy_ref;
mod venue;

use super::batch::Batch;
use super::connection::NodeObject;
use super::context::ReadContext;
use super::error::{internal, user_error};
use super::filter::scalar::parse_id;
use crate::error::ErrorCode;
use crate::read::viewer::Role;
use crate::repo::Record;
use crate::repo::RepoError;
use crate::write::{FieldProblem, WriteError};
use async_graphql::{Context, ErrorExtensions, ID, MaybeUndefined, MergedObject, Result};
use sea_orm::{ActiveModelTrait, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

/// The root `Mutation` type.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    provider::ProviderMutations,
    service::ServiceMutations,
    venue::VenueMutations,
    cost_option::CostOptionMutations,
    eligibility::EligibilityMutations,
    contact::ContactMutations,
    event::EventMutations,
    import::ImportMutations,
    ingest::IngestMutations,
    taxonomy::TaxonomyMutations,
    taxonomy_ref::TaxonomyRefMutations,
);

/// The read context of an admin; `FORBIDDEN` for anyone else.
fn admin<'a>(ctx: &'a Context<'_>) -> Result<&'a ReadContext> {
    let read = ctx.data::<ReadContext>()?;
    read.require(Role::Admin, "only an admin may change the directory")?;
    Ok(read)
}

/// `VALIDATION_FAILED` listing every problem.
pub fn validation_failed(problems: Vec<FieldProblem>) -> async_graphql::Error {
    let summary = problems
        .iter()
        .map(|problem| format!("{}: {}", problem.field, problem.message))
        .collect::<Vec<_>>()
        .join("; ");
    async_graphql::Error::new(format!("the input is not valid: {summary}")).extend_with(
        |_, extensions| {
            extensions.set("code", ErrorCode::ValidationFailed.as_str());
            let list: Vec<async_graphql::Value> = problems
                .iter()
                .map(|problem| {
                    let mut entry = async_graphql::indexmap::IndexMap::new();
                    entry.insert(
                        async_graphql::Name::new("field"),
                        async_graphql::Value::from(problem.field.clone()),
                    );
                    entry.insert(
                        async_graphql::Name::new("message"),
                        async_graphql::Value::from(problem.message.clone()),
                    );
                    async_graphql::Value::Object(entry)
                })
                .collect();
            extensions.set("errors", async_graphql::Value::List(list));
        },
    )
}

/// The GraphQL error for a failed write.
fn write_error(error: WriteError) -> async_graphql::Error {
    match error {
        WriteError::Invalid(problems) => validation_failed(problems),
        WriteError::Repo(error) => repo_error(error),
    }
}

fn repo_error(error: RepoError) -> async_graphql::Error {
    let message = error.to_string();
    match error {
        RepoError::NotFound { .. } => user_error(ErrorCode::NotFound, message),
        RepoError::Conflict { .. } | RepoError::Duplicate(_) => {
            user_error(ErrorCode::Conflict, message)
        }
        RepoError::HasLiveChildren { .. } => user_error(ErrorCode::BadUserInput, message),
        RepoError::InvalidReference(_) | RepoError::Invalid(_) => {
            validation_failed(vec![FieldProblem {
                field: "input".into(),
                message,
            }])
        }
        RepoError::Db(error) => super::error::db(error),
    }
}

/// The GraphQL object for a record just written.
fn node<N: NodeObject>(model: <N::Entity as EntityTrait>::Model) -> N {
    N::new(model.clone(), Batch::new(vec![model]))
}

/// What a patched field will hold: the patch's value, or the current one.
fn after<T: Copy>(patch: &MaybeUndefined<T>, current: Option<T>) -> Option<T> {
    match patch {
        MaybeUndefined::Undefined => current,
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(value) => Some(*value),
    }
}

/// A required text in a patch: `null` cannot clear it, and a value must not be blank.
fn required_patch(
    problems: &mut crate::write::Problems,
    field: &str,
    value: &MaybeUndefined<String>,
) {
    match value {
        MaybeUndefined::Null => problems.add(field, "is required and cannot be cleared"),
        MaybeUndefined::Value(text) => problems.required(field, Some(text)),
        MaybeUndefined::Undefined => {}
    }
}

/// A required text's patch as an active value, trimmed (omitted or `null`: unchanged;
/// `null` was refused by [`required_patch`]).
fn trimmed(value: MaybeUndefined<String>) -> sea_orm::ActiveValue<String> {
    match value {
        MaybeUndefined::Value(text) => sea_orm::ActiveValue::Set(text.trim().to_owned()),
        _ => sea_orm::ActiveValue::NotSet,
    }
}

/// `delete<Type>`: tombstones the record, and with `cascade` its live children.
async fn delete_record<E>(ctx: &Context<'_>, id: ID, cascade: Option<bool>) -> Result<ID>
where
    E: Record,
    E::Model: Serialize + Send + Sync,
{
    let read = admin(ctx)?;
    let uuid = parse_id("id", &id)?;
    crate::write::delete::<E, _>(
        &read.db,
        uuid,
        cascade.unwrap_or(false),
        read.viewer.subject.as_deref(),
    )
    .await
    .map_err(write_error)?;
    Ok(id)
}

/// `publish…`, `unpublish…`, `flag…`, `unflag…`: a boolean column at the record's
/// current version.
async fn set_flag<N>(ctx: &Context<'_>, id: &ID, field: &'static str, value: bool) -> Result<N>
where
    N: NodeObject,
    <N::Entity as EntityTrait>::Model: Serialize,
    <N::Entity as EntityTrait>::ActiveModel: ActiveModelTrait<Entity = N::Entity> + Send,
{
    let read = admin(ctx)?;
    let id = parse_id("id", id)?;
    let model = crate::write::set_flag::<N::Entity, _>(
        &read.db,
        id,
        field,
        value,
        read.viewer.subject.as_deref(),
    )
    .await
    .map_err(write_error)?;
    Ok(node(model))
}

/// `unlink…`: tombstones the live link row of `E` joining `left` and `right`
/// (columns and ids); `NOT_FOUND` with `missing` when there is none.
async fn unlink<E>(
    ctx: &Context<'_>,
    left: (&'static str, Uuid),
    right: (&'static str, Uuid),
    missing: &str,
) -> Result<bool>
where
    E: Record,
    E::Model: Serialize + Send + Sync,
{
    use sea_orm::{ColumnTrait, ModelTrait, QueryFilter};
    let read = admin(ctx)?;
    let column = |name: &'static str| {
        name.parse::<E::Column>()
            .map_err(|_| internal(format!("{} has no column {name}", E::TABLE)))
    };
    let link = E::find()
        .filter(column(left.0)?.eq(left.1))
        .filter(column(right.0)?.eq(right.1))
        .filter(column("deleted_at")?.is_null())
        .one(&read.db)
        .await
        .map_err(super::error::db)?;
    let Some(link) = link else {
        return Err(user_error(ErrorCode::NotFound, missing));
    };
    let sea_orm::Value::Uuid(Some(id)) = link.get(column("id")?) else {
        return Err(internal(format!("{} id is not a UUID", E::TABLE)));
    };
    crate::write::delete::<E, _>(&read.db, id, false, read.viewer.subject.as_deref())
        .await
        .map_err(write_error)?;
    Ok(true)
}

/// Inserts a validated row (logged) and returns its GraphQL object.
async fn created<N>(read: &ReadContext, row: <N::Entity as EntityTrait>::ActiveModel) -> Result<N>
where
    N: NodeObject,
    <N::Entity as EntityTrait>::Model: Serialize,
    <N::Entity as EntityTrait>::ActiveModel: ActiveModelTrait<Entity = N::Entity> + Send,
{
    let model = crate::write::create::<N::Entity, _>(&read.db, row, read.viewer.subject.as_deref())
        .await
        .map_err(write_error)?;
    Ok(node(model))
}

/// Applies validated changes at `version` (logged) and returns the GraphQL object.
async fn updated<N>(
    read: &ReadContext,
    id: Uuid,
    version: i32,
    changes: <N::Entity as EntityTrait>::ActiveModel,
) -> Result<N>
where
    N: NodeObject,
    <N::Entity as EntityTrait>::Model: Serialize,
    <N::Entity as EntityTrait>::ActiveModel: ActiveModelTrait<Entity = N::Entity> + Send,
{
    let model = crate::write::update::<N::Entity, _>(
        &read.db,
        id,
        version,
        changes,
        read.viewer.subject.as_deref(),
    )
    .await
    .map_err(write_error)?;
    Ok(node(model))
}

/// The ids of the two live records a link joins, or `VALIDATION_FAILED` naming
/// whichever is not a UUID or names no live record.
async fn link_ends<L: Record, R: Record>(
    read: &ReadContext,
    left: (&str, &ID),
    right: (&str, &ID),
) -> Result<(Uuid, Uuid)> {
    let mut problems = crate::write::Problems::default();
    let left = provider::reference::<L>(&read.db, &mut problems, left.0, Some(left.1)).await?;
    let right = provider::reference::<R>(&read.db, &mut problems, right.0, Some(right.1)).await?;
    problems.finish().map_err(validation_failed)?;
    match (left, right) {
        (Some(left), Some(right)) => Ok((left, right)),
        _ => Err(validation_failed(Vec::new())),
    }
}
