//! The file registry (`data_files`): every file a source offered and was stored,
//! and what became of it — `processing`, `processed` (with rows loaded),
//! `failed` (with the error; tried again next run) or `ignored` (by an admin;
//! never loaded). Each row names the run that last registered or loaded it
//! (`run_id`), so a run lists the files it touched; an older run's list loses a
//! file that a later run loaded again.

use crate::store::ObjectMeta;
use entities::data_files::{self, ActiveModel, Column, DataFileState, Entity};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

/// The registry's row for `file_name` of `source`, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    source: &str,
    file_name: &str,
) -> Result<Option<data_files::Model>, DbErr> {
    Entity::find()
        .filter(Column::Source.eq(source))
        .filter(Column::FileName.eq(file_name))
        .one(db)
        .await
}

/// Whether a file in this state is loaded again by a run (without `force`).
pub fn wants_loading(row: Option<&data_files::Model>) -> bool {
    row.is_none_or(|row| !matches!(row.state, DataFileState::Processed | DataFileState::Ignored))
}

/// Marks the stored file `processing` by `run` (creating its row); the row's id.
pub async fn begin(
    db: &impl ConnectionTrait,
    source: &str,
    file_name: &str,
    stored: &ObjectMeta,
    run: Uuid,
) -> Result<Uuid, DbErr> {
    let now = crate::stamp::now();
    match find(db, source, file_name).await? {
        Some(row) => {
            let id = row.id;
            let mut row: ActiveModel = row.into();
            row.state = Set(DataFileState::Processing);
            row.object_key = Set(stored.key.to_string());
            row.sha256 = Set(stored.sha256.clone());
            row.size_bytes = Set(Some(stored.size as i64));
            row.error_message = Set(None);
            row.updated_at = Set(now);
            row.run_id = Set(Some(run));
            row.update(db).await?;
            Ok(id)
        }
        None => {
            let id = crate::stamp::new_id();
            ActiveModel {
                id: Set(id),
                source: Set(source.to_owned()),
                file_name: Set(file_name.to_owned()),
                object_key: Set(stored.key.to_string()),
                sha256: Set(stored.sha256.clone()),
                size_bytes: Set(Some(stored.size as i64)),
                state: Set(DataFileState::Processing),
                error_message: Set(None),
                rows_loaded: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                processed_at: Set(None),
                run_id: Set(Some(run)),
            }
            .insert(db)
            .await?;
            Ok(id)
        }
    }
}

/// The files `run` registered or loaded (and no later run touched), newest
/// first, `limit` of them at most.
pub async fn of_run(
    db: &impl ConnectionTrait,
    run: Uuid,
    limit: u64,
) -> Result<Vec<data_files::Model>, DbErr> {
    Entity::find()
        .filter(Column::RunId.eq(run))
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The file loaded: `processed` with its row count (inside the load's
/// transaction where the loader has one).
pub async fn processed(db: &impl ConnectionTrait, id: Uuid, rows: u64) -> Result<(), DbErr> {
    let now = crate::stamp::now();
    Entity::update_many()
        .col_expr(Column::State, "processed".into())
        .col_expr(Column::RowsLoaded, (rows as i64).into())
        .col_expr(Column::ErrorMessage, Option::<String>::None.into())
        .col_expr(Column::UpdatedAt, now.into())
        .col_expr(Column::ProcessedAt, Some(now).into())
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The file failed to load: `failed` with why.
pub async fn failed(db: &impl ConnectionTrait, id: Uuid, error: &str) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::State, "failed".into())
        .col_expr(Column::ErrorMessage, Some(error.to_owned()).into())
        .col_expr(Column::UpdatedAt, crate::stamp::now().into())
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// An admin's decision that a file is never to be loaded (or, with `false`, that
/// it may be again); the row, if the registry has the file.
pub async fn set_ignored(
    db: &impl ConnectionTrait,
    id: Uuid,
    ignored: bool,
) -> Result<Option<data_files::Model>, DbErr> {
    let Some(row) = Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let mut row: ActiveModel = row.into();
    row.state = Set(if ignored {
        DataFileState::Ignored
    } else {
        DataFileState::Failed
    });
    row.updated_at = Set(crate::stamp::now());
    Ok(Some(row.update(db).await?))
}
