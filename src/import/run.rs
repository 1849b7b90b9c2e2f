//! One import from start to end: store the raw file, check it, and (unless a dry
//! run) apply it in one transaction, keeping the `imports` row up to date.

use super::Problem;
use super::spec::record_type_of_file;
use crate::repo::{RecordType, RepoError};
use crate::store::{Body, Key, Store, StoreError, at_most};
use entities::imports::{self, ImportState};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

/// UPSERT inserts or updates by id; REPLACE also deletes the type's records the
/// file does not name.
pub use entities::imports::ImportMode as Mode;

/// Limits that keep a bad file from costing too much.
#[derive(Clone, Debug)]
pub struct ImportLimits {
    /// Errors kept per import (more are counted, not listed).
    pub max_errors: usize,
    pub max_field_bytes: usize,
    pub max_file_bytes: u64,
    /// Share of a type's live records REPLACE may delete without `force`.
    pub max_delete_share: f64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self {
            max_errors: 1000,
            max_field_bytes: 64 * 1024,
            max_file_bytes: 2 * 1024 * 1024 * 1024,
            max_delete_share: 0.5,
        }
    }
}

/// How to import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Default: from the file name (`services.csv`, `organizations.csv`).
    pub record_type: Option<RecordType>,
    pub mode: Mode,
    pub dry_run: bool,
    pub force: bool,
    pub strict: bool,
    /// Publish the providers and services written, where the file has no
    /// `published` column (HSDS files never do). Default: false, so nothing goes
    /// public before someone decides it should.
    pub publish: bool,
    /// Declared encoding (`utf-8`, `windows-1252`); default: detected.
    pub encoding: Option<String>,
    pub limits: ImportLimits,
    /// Set by `restoreImport`: the import whose file this re-applies.
    pub restored_from: Option<Uuid>,
    /// Set by `confirmImport`: the dry run whose file this applies.
    pub confirms: Option<Uuid>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            record_type: None,
            mode: Mode::Upsert,
            dry_run: false,
            force: false,
            strict: false,
            publish: false,
            encoding: None,
            limits: ImportLimits::default(),
            restored_from: None,
            confirms: None,
        }
    }
}

/// What one file of an import did (or would do).
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub file: String,
    pub record_type: RecordType,
    pub rows: u64,
    pub inserts: u64,
    pub updates: u64,
    pub unchanged: u64,
    pub deletes: u64,
    pub sample: Vec<serde_json::Value>,
}

impl Serialize for RecordType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The import's row and what it found.
#[derive(Debug)]
pub struct ImportOutcome {
    pub import: imports::Model,
    pub files: Vec<FileReport>,
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
    /// The same file was imported before: nothing was done.
    pub duplicate_of: Option<Uuid>,
}

impl ImportOutcome {
    pub fn succeeded(&self) -> bool {
        self.errors.is_empty() && self.import.state != ImportState::Failed
    }
}

/// Why an import could not run at all (as opposed to a file with errors).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Usage(String),
    #[error("object store: {0}")]
    Store(#[from] StoreError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Internal(String),
}

impl From<RepoError> for ImportError {
    fn from(error: RepoError) -> Self {
        Self::Db(DbErr::Custom(error.to_string()))
    }
}

/// Stores `body` as `imports/<id>` and imports it (both steps, waiting).
pub async fn import_file(
    db: &DatabaseConnection,
    store: &Store,
    file_name: &str,
    body: Body,
    options: &ImportOptions,
    actor: Option<&str>,
) -> Result<ImportOutcome, ImportError> {
    let import = submit(db, store, file_name, body, options, actor).await?;
    super::process::process(db, store, import, options).await
}

/// Stores the file under `imports/<id>` and records the import (`validating`).
pub async fn submit(
    db: &DatabaseConnection,
    store: &Store,
    file_name: &str,
    body: Body,
    options: &ImportOptions,
    actor: Option<&str>,
) -> Result<imports::Model, ImportError> {
    let zip = super::zip::is_zip(file_name) && options.record_type.is_none();
    let kind = options
        .record_type
        .or_else(|| record_type_of_file(file_name));
    if kind.is_none() && !zip {
        return Err(ImportError::Usage(format!(
            "cannot tell the record type from the file name {file_name:?}: name it after the type (services.csv, organizations.csv, …), give the type, or send a .zip"
        )));
    }
    let id = crate::stamp::new_id();
    let key = Key::parse(&format!("imports/{id}"))?;
    let stored = store
        .put(&key, at_most(body, options.limits.max_file_bytes))
        .await
        .map_err(|error| match error {
            StoreError::Io { source, .. } if source.to_string().contains("larger than") => {
                ImportError::Usage(format!(
                    "the file is larger than the limit of {} bytes",
                    options.limits.max_file_bytes
                ))
            }
            other => ImportError::Store(other),
        })?;
    let now = crate::stamp::now();
    let import = imports::Model {
        id,
        record_type: kind.map(|kind| kind.name().to_owned()),
        mode: options.mode,
        dry_run: options.dry_run,
        force: options.force,
        strict: options.strict,
        publish: options.publish,
        file_name: file_name.to_owned(),
        object_key: key.to_string(),
        sha256: stored.sha256.clone().unwrap_or_default(),
        size_bytes: stored.size as i64,
        state: ImportState::Validating,
        rows_total: 0,
        rows_inserted: 0,
        rows_updated: 0,
        rows_deleted: 0,
        rows_rejected: 0,
        errors: None,
        warnings: None,
        submitted_by: actor.map(str::to_owned),
        restored_from: options.restored_from,
        created_at: now,
        updated_at: now,
        finished_at: None,
        preview: None,
        rows_done: 0,
        confirms: options.confirms,
        encoding: options.encoding.clone(),
    };
    if let Err(error) = imports::ActiveModel::from(import.clone()).insert(db).await {
        // Nothing refers to the stored file: keep no orphan (a confirmation that
        // lost a race to another ends here).
        if let Err(cleanup) = store.delete(&key).await {
            tracing::warn!(%cleanup, key = %key, "an unrecorded import file stays stored");
        }
        return Err(error.into());
    }
    Ok(import)
}

pub(super) fn json_or_none(problems: &[Problem]) -> Option<serde_json::Value> {
    (!problems.is_empty()).then(|| serde_json::to_value(problems).unwrap_or_default())
}

pub(super) async fn save(db: &DatabaseConnection, import: &imports::Model) -> Result<(), DbErr> {
    let mut row = imports::ActiveModel::from(import.clone()).reset_all();
    row.updated_at = Set(crate::stamp::now());
    row.update(db).await?;
    Ok(())
}

/// The latest completed import that applied the same bytes as the same type in
/// the same mode (not one that was itself skipped as a duplicate).
pub(super) async fn same_file(
    db: &DatabaseConnection,
    import: &imports::Model,
) -> Result<Option<imports::Model>, DbErr> {
    let candidates = imports::Entity::find()
        .filter(imports::Column::Sha256.eq(import.sha256.as_str()))
        .filter(imports::Column::RecordType.eq(import.record_type.clone()))
        .filter(imports::Column::Mode.eq(import.mode))
        .filter(imports::Column::State.eq("completed"))
        .filter(imports::Column::DryRun.eq(false))
        .filter(imports::Column::Id.ne(import.id))
        .order_by_desc(imports::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(candidates
        .into_iter()
        .find(|earlier| earlier.object_key == format!("imports/{}", earlier.id)))
}
