//! What every admin mutation shares: the admin check, patch semantics, reference
//! checks, and the create / update / delete / flag / link steps over any record
//! type, each a call into [`crate::write`].

use super::super::batch::Batch;
use super::super::connection::NodeObject;
use super::super::context::ReadContext;
use super::super::filter::scalar::parse_id;
use crate::error::{ApiResult, AppError};
use crate::read::viewer::Role;
use crate::repo::Record;
use crate::write::{self, Problems};
use async_graphql::{Context, ID, MaybeUndefined};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, EntityTrait};
use serde::Serialize;
use uuid::Uuid;

/// The read context of an admin; `FORBIDDEN` for anyone else.
pub(super) fn admin<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a ReadContext> {
    let read = ctx.data::<ReadContext>()?;
    read.require(Role::Admin, "only an admin may change the directory")?;
    Ok(read)
}

/// The GraphQL object for a record just written.
pub(super) fn node<N: NodeObject>(model: <N::Entity as EntityTrait>::Model) -> N {
    N::new(model.clone(), Batch::new(vec![model]))
}

/// What a patched field will hold: the patch's value, or the current one.
pub(super) fn after<T: Copy>(patch: &MaybeUndefined<T>, current: Option<T>) -> Option<T> {
    match patch {
        MaybeUndefined::Undefined => current,
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(value) => Some(*value),
    }
}

/// A required text in a patch: `null` cannot clear it, and a value must not be blank.
pub(super) fn required_patch(
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
pub(super) fn trimmed(value: MaybeUndefined<String>) -> sea_orm::ActiveValue<String> {
    match value {
        MaybeUndefined::Value(text) => sea_orm::ActiveValue::Set(text.trim().to_owned()),
        _ => sea_orm::ActiveValue::NotSet,
    }
}

/// `delete<Type>`: tombstones the record, and with `cascade` its live children.
pub(super) async fn delete_record<E>(
    ctx: &Context<'_>,
    id: ID,
    cascade: Option<bool>,
) -> ApiResult<ID>
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
    .await?;
    Ok(id)
}

/// `publish…`, `unpublish…`, `flag…`, `unflag…`: a boolean column at the record's
/// current version.
pub(super) async fn set_flag<N>(
    ctx: &Context<'_>,
    id: &ID,
    field: &'static str,
    value: bool,
) -> ApiResult<N>
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
    .await?;
    Ok(node(model))
}

/// `unlink…`: tombstones the live link row of `E` joining `left` and `right`
/// (columns and ids); `NOT_FOUND` with `missing` when there is none.
pub(super) async fn unlink<E>(
    ctx: &Context<'_>,
    left: (&'static str, Uuid),
    right: (&'static str, Uuid),
    missing: &str,
) -> ApiResult<bool>
where
    E: Record,
    E::Model: Serialize + Send + Sync,
{
    use sea_orm::{ColumnTrait, ModelTrait, QueryFilter};
    let read = admin(ctx)?;
    let column = |name: &'static str| {
        name.parse::<E::Column>()
            .map_err(|_| AppError::internal_msg(format!("{} has no column {name}", E::TABLE)))
    };
    let link = E::find()
        .filter(column(left.0)?.eq(left.1))
        .filter(column(right.0)?.eq(right.1))
        .filter(column("deleted_at")?.is_null())
        .one(&read.db)
        .await?;
    let Some(link) = link else {
        return Err(AppError::not_found(missing));
    };
    let sea_orm::Value::Uuid(Some(id)) = link.get(column("id")?) else {
        return Err(AppError::internal_msg(format!(
            "{} id is not a UUID",
            E::TABLE
        )));
    };
    crate::write::delete::<E, _>(&read.db, id, false, read.viewer.subject.as_deref()).await?;
    Ok(true)
}

/// Inserts a validated row (logged) and returns its GraphQL object.
pub(super) async fn created<N>(
    read: &ReadContext,
    row: <N::Entity as EntityTrait>::ActiveModel,
) -> ApiResult<N>
where
    N: NodeObject,
    <N::Entity as EntityTrait>::Model: Serialize,
    <N::Entity as EntityTrait>::ActiveModel: ActiveModelTrait<Entity = N::Entity> + Send,
{
    let model =
        crate::write::create::<N::Entity, _>(&read.db, row, read.viewer.subject.as_deref()).await?;
    Ok(node(model))
}

/// Applies validated changes at `version` (logged) and returns the GraphQL object.
pub(super) async fn updated<N>(
    read: &ReadContext,
    id: Uuid,
    version: i32,
    changes: <N::Entity as EntityTrait>::ActiveModel,
) -> ApiResult<N>
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
    .await?;
    Ok(node(model))
}

/// The ids of the two live records a link joins, or `VALIDATION_FAILED` naming
/// whichever is not a UUID or names no live record.
pub(super) async fn link_ends<L: Record, R: Record>(
    read: &ReadContext,
    left: (&str, &ID),
    right: (&str, &ID),
) -> ApiResult<(Uuid, Uuid)> {
    let mut problems = crate::write::Problems::default();
    let left = reference::<L>(&read.db, &mut problems, left.0, Some(left.1)).await?;
    let right = reference::<R>(&read.db, &mut problems, right.0, Some(right.1)).await?;
    problems.finish().map_err(AppError::Invalid)?;
    match (left, right) {
        (Some(left), Some(right)) => Ok((left, right)),
        _ => Err(AppError::Invalid(Vec::new())),
    }
}

/// A patch field as an active value.
pub(super) fn patch<T: Into<sea_orm::Value>>(
    value: MaybeUndefined<T>,
) -> sea_orm::ActiveValue<Option<T>>
where
    Option<T>: Into<sea_orm::Value>,
{
    match value {
        MaybeUndefined::Undefined => NotSet,
        MaybeUndefined::Null => Set(None),
        MaybeUndefined::Value(value) => Set(Some(value)),
    }
}

/// A reference id: a problem when it is not a UUID or names no live record of `E`.
pub(super) async fn reference<E: crate::repo::Record>(
    db: &impl sea_orm::ConnectionTrait,
    problems: &mut Problems,
    field: &str,
    id: Option<&ID>,
) -> ApiResult<Option<Uuid>> {
    let Some(id) = id else { return Ok(None) };
    let Ok(uuid) = parse_id(field, id) else {
        problems.add(field, format!("{:?} is not a UUID", id.as_str()));
        return Ok(None);
    };
    let missing = write::missing::<E>(db, &[uuid]).await?;
    if !missing.is_empty() {
        problems.add(field, format!("no live {} has id {uuid}", E::KIND));
    }
    Ok(Some(uuid))
}

/// A parent reference after a patch: the checked new id, none, or the current one.
pub(super) fn parent(
    patched: &MaybeUndefined<ID>,
    checked: Option<Uuid>,
    current: Option<Uuid>,
) -> Option<Uuid> {
    match patched {
        MaybeUndefined::Undefined => current,
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(_) => checked,
    }
}

/// A parent reference patch as an active value.
pub(super) fn parent_value(
    patched: &MaybeUndefined<ID>,
    checked: Option<Uuid>,
) -> sea_orm::ActiveValue<Option<Uuid>> {
    match patched {
        MaybeUndefined::Undefined => NotSet,
        MaybeUndefined::Null => Set(None),
        MaybeUndefined::Value(_) => Set(checked),
    }
}

pub(super) fn ages(problems: &mut Problems, minimum: Option<i32>, maximum: Option<i32>) {
    for (field, age) in [("minimumAge", minimum), ("maximumAge", maximum)] {
        if let Some(age) = age
            && age < 0
        {
            problems.add(field, format!("{age} is below 0"));
        }
    }
    problems.ordered("minimumAge", minimum, "maximumAge", maximum);
}
