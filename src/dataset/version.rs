//! Creating datasets and moving their versions along: upload, preview, confirm
//! or discard, restore. Plain functions over the database and the object store;
//! the GraphQL mutations, the ingest loader and the tests call them alike.

use super::infer::{Inference, Preview};
use super::name::Name;
use super::{Column, ColumnType, DatasetError, DatasetLimits, csv_file};
use crate::store::{Body, Key, Store, StoreError, at_most};
use entities::dataset_versions::{self, DatasetVersionState as State};
use entities::datasets;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, SqlErr, Statement,
};
use std::time::Duration;
use uuid::Uuid;

/// A processing version whose progress has not moved for this long was left by
/// a server that stopped; the next confirm of its dataset fails it.
pub const STALE: Duration = Duration::from_secs(300);

/// Records a new dataset (no version yet).
pub async fn create(
    db: &DatabaseConnection,
    organisation: &str,
    dataset: &str,
    actor: Option<&str>,
) -> Result<datasets::Model, DatasetError> {
    let organisation = Name::organisation(organisation).map_err(DatasetError::Usage)?;
    let dataset = Name::parse("dataset", dataset).map_err(DatasetError::Usage)?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // The schema Signpost's own tables live in cannot be an organisation's.
        let own = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT current_schema() AS name",
            ))
            .await?
            .and_then(|row| row.try_get::<String>("", "name").ok());
        if own.as_deref() == Some(organisation.as_str()) {
            return Err(DatasetError::Usage(format!(
                "organisation {organisation:?} is the schema of Signpost's own tables; choose another"
            )));
        }
    }
    let now = crate::stamp::now();
    let row = datasets::ActiveModel {
        id: Set(crate::stamp::new_id()),
        organisation: Set(organisation.to_string()),
        dataset: Set(dataset.to_string()),
        current_version_id: Set(None),
        created_by: Set(actor.map(str::to_owned)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    row.insert(db).await.map_err(|error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            DatasetError::Conflict(format!("dataset {organisation}/{dataset} exists already"))
        }
        _ => error.into(),
    })
}

/// The dataset `organisation`/`dataset` (names as a caller wrote them).
pub async fn find(
    db: &impl ConnectionTrait,
    organisation: &str,
    dataset: &str,
) -> Result<datasets::Model, DatasetError> {
    let missing = || DatasetError::NotFound(format!("no dataset {organisation}/{dataset}"));
    let (Ok(organisation), Ok(dataset)) = (
        Name::parse("organisation", organisation),
        Name::parse("dataset", dataset),
    ) else {
        return Err(missing());
    };
    datasets::Entity::find()
        .filter(datasets::Column::Organisation.eq(organisation.as_str()))
        .filter(datasets::Column::Dataset.eq(dataset.as_str()))
        .one(db)
        .await?
        .ok_or_else(missing)
}

pub async fn version(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<dataset_versions::Model, DatasetError> {
    dataset_versions::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DatasetError::NotFound(format!("no dataset version {id}")))
}

async fn dataset_of(
    db: &impl ConnectionTrait,
    version: &dataset_versions::Model,
) -> Result<datasets::Model, DatasetError> {
    datasets::Entity::find_by_id(version.dataset_id)
        .one(db)
        .await?
        .ok_or_else(|| DatasetError::NotFound(format!("no dataset {}", version.dataset_id)))
}

/// The columns a version was confirmed with.
pub fn columns_of(version: &dataset_versions::Model) -> Vec<Column> {
    version
        .columns
        .clone()
        .and_then(|columns| serde_json::from_value(columns).ok())
        .unwrap_or_default()
}

/// The preview of a verified (or later) version.
pub fn preview_of(version: &dataset_versions::Model) -> Option<Preview> {
    version
        .preview
        .clone()
        .and_then(|preview| serde_json::from_value(preview).ok())
}

/// The dataset's current version, if one has completed.
pub async fn current(
    db: &impl ConnectionTrait,
    dataset: &datasets::Model,
) -> Result<Option<dataset_versions::Model>, DatasetError> {
    match dataset.current_version_id {
        None => Ok(None),
        Some(id) => Ok(dataset_versions::Entity::find_by_id(id).one(db).await?),
    }
}

/// Refuses work on a dataset while one of its versions processes; fails one
/// whose server stopped ([`STALE`]) instead.
async fn refuse_while_processing(
    db: &DatabaseConnection,
    dataset: &datasets::Model,
) -> Result<(), DatasetError> {
    let busy = dataset_versions::Entity::find()
        .filter(dataset_versions::Column::DatasetId.eq(dataset.id))
        .filter(dataset_versions::Column::State.eq(State::Processing))
        .one(db)
        .await?;
    let Some(busy) = busy else {
        return Ok(());
    };
    let idle = crate::stamp::now() - busy.updated_at;
    if idle.to_std().is_ok_and(|idle| idle > STALE) {
        let mut row: dataset_versions::ActiveModel = busy.into();
        row.state = Set(State::Failed);
        row.error_message = Set(Some(
            "stopped: the server processing it went away before it finished".into(),
        ));
        row.finished_at = Set(Some(crate::stamp::now()));
        row.update(db).await?;
        return Ok(());
    }
    Err(DatasetError::Conflict(format!(
        "version {} of {}/{} is being processed; one version processes at a time, try again when it has finished",
        busy.number, dataset.organisation, dataset.dataset
    )))
}

/// The next version number of a dataset.
async fn next_number(db: &impl ConnectionTrait, dataset: Uuid) -> Result<i32, DbErr> {
    let last = dataset_versions::Entity::find()
        .filter(dataset_versions::Column::DatasetId.eq(dataset))
        .order_by_desc(dataset_versions::Column::Number)
        .one(db)
        .await?;
    Ok(last.map_or(1, |version| version.number + 1))
}

/// Inserts a version, numbering it after the latest (again, if another replica
/// took the number first).
async fn insert_numbered(
    db: &DatabaseConnection,
    mut version: dataset_versions::Model,
) -> Result<dataset_versions::Model, DatasetError> {
    for _ in 0..5 {
        version.number = next_number(db, version.dataset_id).await?;
        match dataset_versions::ActiveModel::from(version.clone())
            .insert(db)
            .await
        {
            Ok(row) => return Ok(row),
            Err(error) => match error.sql_err() {
                // (dataset_id, number): another version took the number first.
                Some(SqlErr::UniqueConstraintViolation(message)) if message.contains("number") => {
                    continue;
                }
                Some(SqlErr::UniqueConstraintViolation(_)) => {
                    return Err(DatasetError::Conflict(
                        "another version of this dataset is being processed; try again when it has finished".into(),
                    ));
                }
                _ => return Err(error.into()),
            },
        }
    }
    Err(DatasetError::Conflict(
        "too many versions of this dataset are being made at once; try again".into(),
    ))
}

/// Stores `body` as a new version of `dataset` (state `uploaded`); preview it
/// with [`verify`].
pub async fn upload(
    db: &DatabaseConnection,
    store: &Store,
    dataset: &datasets::Model,
    file_name: &str,
    body: Body,
    limits: &DatasetLimits,
    actor: Option<&str>,
) -> Result<dataset_versions::Model, DatasetError> {
    refuse_while_processing(db, dataset).await?;
    let id = crate::stamp::new_id();
    let key = Key::parse(&format!(
        "datasets/{}/{}/{id}",
        dataset.organisation, dataset.dataset
    ))?;
    let stored = store
        .put(&key, at_most(body, limits.max_file_bytes))
        .await
        .map_err(|error| match error {
            StoreError::Io { source, .. } if source.to_string().contains("larger than") => {
                DatasetError::Usage(format!(
                    "the file is larger than the limit of {} bytes (importMaxFileBytes)",
                    limits.max_file_bytes
                ))
            }
            other => DatasetError::Store(other),
        })?;
    let now = crate::stamp::now();
    let version = dataset_versions::Model {
        id,
        dataset_id: dataset.id,
        number: 0,
        state: State::Uploaded,
        file_name: file_name.to_owned(),
        object_key: key.to_string(),
        sha256: stored.sha256.clone().unwrap_or_default(),
        size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
        preview: None,
        columns: None,
        rows_total: 0,
        rows_done: 0,
        error_message: None,
        restored_from: None,
        submitted_by: actor.map(str::to_owned),
        created_at: now,
        updated_at: now,
        finished_at: None,
    };
    match insert_numbered(db, version).await {
        Ok(row) => Ok(row),
        Err(error) => {
            let _ = store.delete(&key).await;
            Err(error)
        }
    }
}

/// Reads the uploaded file in full and records its preview (`verified`), or why
/// it cannot be loaded (`failed`, naming the row or column).
pub async fn verify(
    db: &DatabaseConnection,
    store: &Store,
    version: dataset_versions::Model,
    limits: &DatasetLimits,
) -> Result<dataset_versions::Model, DatasetError> {
    let dataset = dataset_of(db, &version).await?;
    let current: Vec<String> = match current(db, &dataset).await? {
        Some(current) => columns_of(&current).into_iter().map(|c| c.name).collect(),
        None => Vec::new(),
    };
    let key = Key::parse(&version.object_key)?;
    let read = crate::jobs::guarded(csv_file::read(
        store,
        &key,
        limits.file,
        Inference::default(),
    ))
    .await
    .unwrap_or_else(Err);
    let mut row: dataset_versions::ActiveModel = version.into();
    match read {
        Ok((inference, _)) => {
            let preview = inference.preview(&current);
            row.rows_total = Set(i64::try_from(preview.rows).unwrap_or(i64::MAX));
            row.preview = Set(Some(serde_json::to_value(&preview).unwrap_or_default()));
            row.state = Set(State::Verified);
        }
        Err(problem) => {
            row.state = Set(State::Failed);
            row.error_message = Set(Some(problem));
            row.finished_at = Set(Some(crate::stamp::now()));
        }
    }
    row.updated_at = Set(crate::stamp::now());
    Ok(row.update(db).await?)
}

/// The columns a verified version loads with: each inferred type unless
/// `overrides` (name, type) says otherwise, where every value fits the choice.
pub fn confirmed_columns(
    preview: &Preview,
    overrides: &[(String, String)],
) -> Result<Vec<Column>, DatasetError> {
    let mut problems = Vec::new();
    let mut columns: Vec<Column> = preview
        .columns
        .iter()
        .map(|column| Column {
            name: column.name.clone(),
            kind: column.inferred,
        })
        .collect();
    for (name, kind) in overrides {
        let Some(at) = preview.columns.iter().position(|c| &c.name == name) else {
            problems.push(format!("columnTypes: the file has no column {name:?}"));
            continue;
        };
        let Some(kind) = ColumnType::from_name(&kind.to_ascii_lowercase()) else {
            problems.push(format!(
                "columnTypes: {kind:?} (column {name}) is not a type: integer, numeric, boolean, date, timestamp or text"
            ));
            continue;
        };
        columns[at].kind = kind;
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(DatasetError::Usage(problems.join("; ")))
    }
}

/// Confirms a verified version with its column types: it is now `processing`;
/// load it with [`super::load::process`].
pub async fn confirm(
    db: &DatabaseConnection,
    id: Uuid,
    overrides: &[(String, String)],
) -> Result<dataset_versions::Model, DatasetError> {
    let version = version(db, id).await?;
    if version.state != State::Verified {
        return Err(DatasetError::Conflict(format!(
            "version {} is {}; only a verified version can be confirmed",
            version.number, version.state
        )));
    }
    let preview = preview_of(&version).ok_or_else(|| {
        DatasetError::Conflict(format!("version {} has no preview", version.number))
    })?;
    let columns = confirmed_columns(&preview, overrides)?;
    let dataset = dataset_of(db, &version).await?;
    refuse_while_processing(db, &dataset).await?;
    let mut row: dataset_versions::ActiveModel = version.into();
    row.columns = Set(Some(serde_json::to_value(&columns).unwrap_or_default()));
    row.state = Set(State::Processing);
    row.rows_done = Set(0);
    row.updated_at = Set(crate::stamp::now());
    row.update(db).await.map_err(|error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => DatasetError::Conflict(
            "another version of this dataset is being processed; try again when it has finished"
                .into(),
        ),
        _ => error.into(),
    })
}

/// Drops an uploaded or verified version and its stored file.
pub async fn discard(
    db: &DatabaseConnection,
    store: &Store,
    id: Uuid,
) -> Result<dataset_versions::Model, DatasetError> {
    let version = version(db, id).await?;
    if !matches!(version.state, State::Uploaded | State::Verified) {
        return Err(DatasetError::Conflict(format!(
            "version {} is {}; only an uploaded or verified version can be discarded",
            version.number, version.state
        )));
    }
    let key = Key::parse(&version.object_key)?;
    let mut row: dataset_versions::ActiveModel = version.into();
    row.state = Set(State::Discarded);
    row.finished_at = Set(Some(crate::stamp::now()));
    row.updated_at = Set(crate::stamp::now());
    let row = row.update(db).await?;
    if let Err(error) = store.delete(&key).await {
        tracing::warn!(%error, key = %key, "deleting a discarded dataset file");
    }
    Ok(row)
}

/// A new version loading an earlier completed one's file with its column types
/// (`processing`); load it with [`super::load::process`].
pub async fn restore(
    db: &DatabaseConnection,
    id: Uuid,
    actor: Option<&str>,
) -> Result<dataset_versions::Model, DatasetError> {
    let earlier = version(db, id).await?;
    if earlier.state != State::Completed {
        return Err(DatasetError::Conflict(format!(
            "version {} is {}; only a version that completed can be restored",
            earlier.number, earlier.state
        )));
    }
    let dataset = dataset_of(db, &earlier).await?;
    refuse_while_processing(db, &dataset).await?;
    let now = crate::stamp::now();
    let version = dataset_versions::Model {
        id: crate::stamp::new_id(),
        number: 0,
        state: State::Processing,
        rows_done: 0,
        error_message: None,
        restored_from: Some(earlier.id),
        submitted_by: actor.map(str::to_owned),
        created_at: now,
        updated_at: now,
        finished_at: None,
        ..earlier
    };
    insert_numbered(db, version).await
}
