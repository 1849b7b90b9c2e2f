//! The write side: validated, versioned, logged changes to directory records.
//!
//! Each change runs in one transaction that also writes its `change_log` rows (one
//! per field that changed, with old and new values as JSON, who and when), so the
//! log never disagrees with the data. Validation collects every problem of an
//! input before anything is written ([`Problems`]). Plain functions over a
//! connection: the GraphQL mutations are thin wrappers, and the CSV import can
//! call the same checks.

pub mod change_log;
pub mod fields;
pub mod validate;

use crate::repo::{self, Record, RepoError};
use change_log::{Action, log_change};
use sea_orm::{ActiveModelTrait, ConnectionTrait, ModelTrait, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

pub use validate::{FieldProblem, Problems};

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the input is not valid")]
    Invalid(Vec<FieldProblem>),
    #[error(transparent)]
    Repo(#[from] RepoError),
}

impl From<sea_orm::DbErr> for WriteError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Repo(error.into())
    }
}

/// A record type the write side can create and change: its model is logged as
/// JSON and its active model built from fields. Every [`Record`] of the
/// directory is one.
pub trait Writable:
    Record<Model: Serialize + Send + Sync, ActiveModel: ActiveModelTrait<Entity = Self> + Send>
{
}

impl<E> Writable for E where
    E: Record<Model: Serialize + Send + Sync, ActiveModel: ActiveModelTrait<Entity = E> + Send>
{
}

/// Who makes a change, as the change log records it.
pub type Actor<'a> = Option<&'a str>;

/// Inserts one record and logs its fields.
pub async fn create<E, C>(
    db: &C,
    row: E::ActiveModel,
    actor: Actor<'_>,
) -> Result<E::Model, WriteError>
where
    E: Writable,
    C: ConnectionTrait + TransactionTrait,
{
    let actor = actor.map(str::to_owned);
    repo::in_transaction(db, move |txn| {
        Box::pin(async move {
            let mut row = row;
            let id = match row.get(column::<E>("id")?) {
                sea_orm::ActiveValue::Set(sea_orm::Value::Uuid(Some(id))) => id,
                _ => {
                    let id = crate::stamp::new_id();
                    row.set(column::<E>("id")?, id.into());
                    id
                }
            };
            repo::insert_many::<E>(txn, [row]).await?;
            let model = fetch::<E>(txn, id).await?;
            if E::TABLE == "venues" {
                repo::main_address::after_venue_write(txn, id, None, &model).await?;
            }
            log_change(
                txn,
                E::TABLE,
                id,
                Action::Create,
                None,
                Some(&model),
                actor.as_deref(),
            )
            .await?;
            Ok(model)
        })
    })
    .await
}

/// Applies `changes` to the record at `expected_version` and logs what changed.
pub async fn update<E, C>(
    db: &C,
    id: Uuid,
    expected_version: i32,
    changes: E::ActiveModel,
    actor: Actor<'_>,
) -> Result<E::Model, WriteError>
where
    E: Writable,
    C: ConnectionTrait + TransactionTrait,
{
    let actor = actor.map(str::to_owned);
    repo::in_transaction(db, move |txn| {
        Box::pin(async move {
            lock_row::<E>(txn, id).await?;
            let before = fetch::<E>(txn, id).await?;
            let after = repo::update::<E>(txn, id, expected_version, changes).await?;
            if E::TABLE == "venues" {
                repo::main_address::after_venue_write(txn, id, Some(&before), &after).await?;
            }
            log_change(
                txn,
                E::TABLE,
                id,
                Action::Update,
                Some(&before),
                Some(&after),
                actor.as_deref(),
            )
            .await?;
            Ok(after)
        })
    })
    .await
}

/// Tombstones the record (and, with `cascade`, its live children) and logs it.
pub async fn delete<E, C>(
    db: &C,
    id: Uuid,
    cascade: bool,
    actor: Actor<'_>,
) -> Result<u64, WriteError>
where
    E: Record,
    E::Model: Serialize + Send + Sync,
    C: ConnectionTrait + TransactionTrait,
{
    let actor = actor.map(str::to_owned);
    repo::in_transaction(db, move |txn| {
        Box::pin(async move {
            lock_row::<E>(txn, id).await?;
            let before = fetch::<E>(txn, id).await?;
            let count = repo::record::tombstone_in::<E>(txn, id, cascade).await?;
            log_change(
                txn,
                E::TABLE,
                id,
                Action::Delete,
                Some(&before),
                None,
                actor.as_deref(),
            )
            .await?;
            Ok(count)
        })
    })
    .await
}

/// Takes the write lock before reading: a no-op write of the row. On PostgreSQL a
/// row lock, so a concurrent change of the same record waits, then meets the new
/// version; on SQLite the database's write lock, taken first, so two transactions
/// cannot both read and then deadlock upgrading to write (`SQLITE_BUSY`).
async fn lock_row<E: Record>(db: &impl ConnectionTrait, id: Uuid) -> Result<(), RepoError> {
    use sea_orm::QueryFilter;
    use sea_orm::sea_query::Expr;
    let id_column = column::<E>("id")?;
    let version = column::<E>("version")?;
    E::update_many()
        .col_expr(version, Expr::col(version))
        .filter(sea_orm::ColumnTrait::eq(&id_column, id))
        .exec(db)
        .await?;
    Ok(())
}

/// The live record with this id.
pub async fn fetch<E: Record>(db: &impl ConnectionTrait, id: Uuid) -> Result<E::Model, RepoError> {
    repo::get_by_ids::<E>(db, &[id], false)
        .await?
        .into_iter()
        .next()
        .ok_or(RepoError::NotFound { kind: E::KIND, id })
}

fn column<E: Record>(name: &'static str) -> Result<E::Column, RepoError> {
    name.parse()
        .map_err(|_| RepoError::Invalid(format!("{} has no column {name}", E::TABLE)))
}

/// The ids among `ids` that name no live record of `E`.
pub async fn missing<E: Record>(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, RepoError> {
    let id_column = column::<E>("id")?;
    let found: Vec<Uuid> = repo::get_by_ids::<E>(db, ids, false)
        .await?
        .iter()
        .filter_map(|model| match model.get(id_column) {
            sea_orm::Value::Uuid(Some(id)) => Some(id),
            _ => None,
        })
        .collect();
    Ok(ids
        .iter()
        .filter(|id| !found.contains(id))
        .copied()
        .collect())
}

/// Sets a boolean column (`published`, `flagged`) of a live record at its current
/// version, and logs it.
pub async fn set_flag<E, C>(
    db: &C,
    id: Uuid,
    field: &'static str,
    value: bool,
    actor: Actor<'_>,
) -> Result<E::Model, WriteError>
where
    E: Writable,
    C: ConnectionTrait + TransactionTrait,
{
    let current = fetch::<E>(db, id).await?;
    let version = match current.get(column::<E>("version")?) {
        sea_orm::Value::Int(Some(version)) => version,
        _ => return Err(RepoError::Invalid(format!("{} has no version", E::TABLE)).into()),
    };
    let mut changes = <E::ActiveModel as ActiveModelTrait>::default();
    changes.set(column::<E>(field)?, value.into());
    update::<E, C>(db, id, version, changes, actor).await
}
