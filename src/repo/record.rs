//! The operations every directory table shares, written once over [`Record`].

use super::children;
use super::{MAX_IDS_PER_STATEMENT, RepoError};
use crate::stamp::{new_id, now};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, Iterable, ModelTrait,
    QueryFilter, TransactionTrait, Value,
};
use std::str::FromStr;
use uuid::Uuid;

/// A directory table: `id`, `created_at`, `updated_at`, `version`, `deleted_at` and
/// its own fields. Implemented by each module of [`crate::repo`].
pub trait Record: EntityTrait<Column: FromStr> {
    /// Singular name used in messages, e.g. "service".
    const KIND: &'static str;
    /// The table name, as in the migration.
    const TABLE: &'static str;
}

/// Columns the server manages; callers' values for them are ignored.
const SERVER_COLUMNS: [&str; 4] = ["created_at", "updated_at", "version", "deleted_at"];

fn column<E: Record>(name: &'static str) -> Result<E::Column, RepoError> {
    E::Column::from_str(name)
        .map_err(|_| RepoError::Db(DbErr::Custom(format!("{} has no column {name}", E::TABLE))))
}

fn col<E: Record>(name: &'static str) -> Expr {
    Expr::col((E::TABLE, name))
}

/// Records with these ids, in no particular order; missing ids are simply absent.
pub async fn get_by_ids<E: Record>(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    include_deleted: bool,
) -> Result<Vec<E::Model>, RepoError> {
    let mut models = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_IDS_PER_STATEMENT) {
        let mut query = E::find().filter(col::<E>("id").is_in(chunk.iter().copied()));
        if !include_deleted {
            query = query.filter(col::<E>("deleted_at").is_null());
        }
        models.extend(query.all(db).await?);
    }
    Ok(models)
}

/// Inserts rows with as many per statement as the backend's parameter limit allows.
/// Ids left unset get a new UUID v7; timestamps and version are the server's.
pub async fn insert_many<E: Record>(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = E::ActiveModel>,
) -> Result<u64, RepoError> {
    let columns = E::Column::iter().count().max(1);
    let budget = match db.get_database_backend() {
        DatabaseBackend::Postgres => 65_000,
        _ => 32_000,
    };
    let per_statement = (budget / columns).max(1);
    let now = now();
    let id_column = column::<E>("id")?;
    let stamps = [
        (column::<E>("created_at")?, Value::from(now)),
        (column::<E>("updated_at")?, Value::from(now)),
        (column::<E>("version")?, Value::from(1_i32)),
        (
            column::<E>("deleted_at")?,
            Value::from(None::<chrono::DateTime<chrono::Utc>>),
        ),
    ];
    let mut inserted = 0;
    let mut batch = Vec::with_capacity(per_statement);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        batch.clear();
        for mut row in rows.by_ref().take(per_statement) {
            if row.is_not_set(id_column) {
                row.try_set(id_column, Value::from(new_id()))?;
            }
            for (column, value) in &stamps {
                row.try_set(*column, value.clone())?;
            }
            batch.push(row);
        }
        inserted += E::insert_many(batch.drain(..))
            .exec_without_returning(db)
            .await?;
    }
    Ok(inserted)
}

/// Applies the fields set in `changes` to a live record whose version is
/// `expected_version`, bumping the version. A stale version is a
/// [`RepoError::Conflict`]; the check and the write are one statement, so two
/// concurrent updates with the same version cannot both win.
pub async fn update<E: Record>(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_version: i32,
    mut changes: E::ActiveModel,
) -> Result<E::Model, RepoError> {
    for name in SERVER_COLUMNS.into_iter().chain(["id"]) {
        changes.not_set(column::<E>(name)?);
    }
    let version = column::<E>("version")?;
    let updated = E::update_many()
        .set(changes)
        .col_expr(version, col::<E>("version").add(1))
        .col_expr(column::<E>("updated_at")?, Expr::val(now()))
        .filter(col::<E>("id").eq(id))
        .filter(col::<E>("version").eq(expected_version))
        .filter(col::<E>("deleted_at").is_null())
        .exec_with_returning(db)
        .await?;
    if let Some(model) = updated.into_iter().next() {
        return Ok(model);
    }
    let current = get_by_ids::<E>(db, &[id], false).await?;
    match current.first().map(|model| model.get(version)) {
        Some(Value::Int(Some(actual))) => Err(RepoError::Conflict {
            kind: E::KIND,
            id,
            expected: expected_version,
            actual,
        }),
        _ => Err(RepoError::NotFound { kind: E::KIND, id }),
    }
}

/// Tombstones a live record. Refused while live records reference it, unless
/// `cascade`, which tombstones them (and theirs) in the same transaction.
/// Returns how many rows were tombstoned.
pub async fn delete<E: Record, C: ConnectionTrait + TransactionTrait>(
    db: &C,
    id: Uuid,
    cascade: bool,
) -> Result<u64, RepoError> {
    super::in_transaction(db, |txn| Box::pin(tombstone_in::<E>(txn, id, cascade))).await
}

pub(crate) async fn tombstone_in<E: Record>(
    txn: &impl ConnectionTrait,
    id: Uuid,
    cascade: bool,
) -> Result<u64, RepoError> {
    if get_by_ids::<E>(txn, &[id], false).await?.is_empty() {
        return Err(RepoError::NotFound { kind: E::KIND, id });
    }
    if !cascade {
        let children = children::count_live(txn, E::TABLE, id).await?;
        if !children.is_empty() {
            return Err(RepoError::HasLiveChildren {
                kind: E::KIND,
                id,
                children,
            });
        }
    }
    children::tombstone_cascade(txn, E::TABLE, vec![id]).await
}
