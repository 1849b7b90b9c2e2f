//! One import from start to end: store the raw file, check it, and (unless a dry
//! run) apply it in one transaction, keeping the `imports` row up to date.

use super::Problem;
use super::apply::{ApplyError, apply_file};
use super::check::{CheckPlan, FileCheck, check_file, live_ids};
use super::source::ReadOptions;
use super::spec::record_type_of_file;
use crate::repo::{RecordType, RepoError};
use crate::store::{Body, Key, Store, StoreError, at_most};
use entities::imports;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// UPSERT inserts or updates by id; REPLACE also deletes the type's records the
/// file does not name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Upsert,
    Replace,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Upsert => "upsert",
            Mode::Replace => "replace",
        }
    }
}

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
    /// Declared encoding (`utf-8`, `windows-1252`); default: detected.
    pub encoding: Option<String>,
    pub limits: ImportLimits,
    /// Set by `restoreImport`: the import whose file this re-applies.
    pub restored_from: Option<Uuid>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            record_type: None,
            mode: Mode::Upsert,
            dry_run: false,
            force: false,
            strict: false,
            encoding: None,
            limits: ImportLimits::default(),
            restored_from: None,
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
        self.errors.is_empty() && self.import.state != "failed"
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
    process(db, store, import, options).await
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
    let Some(kind) = options
        .record_type
        .or_else(|| record_type_of_file(file_name))
    else {
        return Err(ImportError::Usage(format!(
            "cannot tell the record type from the file name {file_name:?}: name it after the type (services.csv, organizations.csv, …) or give the type"
        )));
    };
    let id = crate::repo::new_id();
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
    let now = crate::repo::now();
    let import = imports::Model {
        id,
        record_type: Some(kind.name().to_owned()),
        mode: options.mode.as_str().to_owned(),
        dry_run: options.dry_run,
        force: options.force,
        strict: options.strict,
        file_name: file_name.to_owned(),
        object_key: key.to_string(),
        sha256: stored.sha256.clone().unwrap_or_default(),
        size_bytes: stored.size as i64,
        state: "validating".into(),
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
    };
    imports::ActiveModel::from(import.clone())
        .insert(db)
        .await?;
    Ok(import)
}

/// Checks and (unless a dry run) applies a submitted import, keeping its row and
/// its progress up to date.
pub async fn process(
    db: &DatabaseConnection,
    store: &Store,
    mut import: imports::Model,
    options: &ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    let kind = import
        .record_type
        .as_deref()
        .and_then(RecordType::from_table)
        .ok_or_else(|| ImportError::Usage("the import has no record type".into()))?;
    let key = Key::parse(&import.object_key)?;
    let progress = super::progress::track(db, import.id);
    let read = ReadOptions {
        kind,
        strict: options.strict,
        encoding: options.encoding.clone(),
        max_field_bytes: options.limits.max_field_bytes,
    };
    let replace = options.mode == Mode::Replace;
    let check = check_file(
        db,
        store.clone(),
        key.clone(),
        read.clone(),
        CheckPlan {
            earlier: &HashMap::new(),
            replace,
            max_errors: options.limits.max_errors,
            progress: &progress.counter(),
        },
    )
    .await?;
    let mut errors = check.errors.clone();
    if check.errors_truncated {
        errors.push(Problem::file(format!(
            "more errors were found; only the first {} are listed",
            options.limits.max_errors
        )));
    }
    if errors.is_empty() && replace && !options.force {
        guard_deletes(&check, kind, options.limits.max_delete_share, &mut errors);
    }
    if errors.is_empty()
        && !options.dry_run
        && options.restored_from.is_none()
        && let Some(earlier) = same_file(db, &import).await?
    {
        store.delete(&key).await?;
        import.object_key = earlier.object_key.clone();
        import.state = "completed".into();
        import.finished_at = Some(crate::repo::now());
        let warning = Problem::file(format!(
            "the same file (sha256 {}) was imported as {}: nothing to do",
            import.sha256, earlier.id
        ));
        import.warnings = Some(serde_json::json!([warning]));
        save(db, &import).await?;
        progress.finish();
        return Ok(ImportOutcome {
            import,
            files: Vec::new(),
            errors: Vec::new(),
            warnings: vec![warning],
            duplicate_of: Some(earlier.id),
        });
    }
    let mut report = FileReport {
        file: import.file_name.clone(),
        record_type: kind,
        rows: check.rows,
        inserts: check.inserts,
        updates: check.updates,
        unchanged: 0,
        deletes: check.deletes,
        sample: check.sample.clone(),
    };
    import.rows_total = check.rows as i64;
    import.rows_rejected = check.rejected as i64;
    import.rows_inserted = check.inserts as i64;
    import.rows_updated = check.updates as i64;
    import.rows_deleted = check.deletes as i64;
    import.warnings = json_or_none(&check.warnings);
    import.preview = serde_json::to_value([&report]).ok();
    if !errors.is_empty() || options.dry_run {
        import.state = if errors.is_empty() {
            "validated"
        } else {
            "failed"
        }
        .into();
        import.errors = json_or_none(&errors);
        import.finished_at = Some(crate::repo::now());
        save(db, &import).await?;
        progress.finish();
        return Ok(ImportOutcome {
            import,
            files: vec![report],
            errors,
            warnings: check.warnings,
            duplicate_of: None,
        });
    }
    import.state = "applying".into();
    save(db, &import).await?;
    progress.restart();
    let applied = apply(
        db,
        store,
        &key,
        read,
        &check,
        replace,
        options,
        &mut import,
        &progress,
    )
    .await;
    progress.finish();
    match applied {
        Ok((written, deleted)) => {
            report.unchanged = check
                .updates
                .saturating_sub(written.saturating_sub(check.inserts));
            report.deletes = deleted;
            import.preview = serde_json::to_value([&report]).ok();
            save(db, &import).await?;
            Ok(ImportOutcome {
                import,
                files: vec![report],
                errors: Vec::new(),
                warnings: check.warnings,
                duplicate_of: None,
            })
        }
        Err(problem) => {
            import.state = "failed".into();
            import.errors = json_or_none(std::slice::from_ref(&problem));
            import.finished_at = Some(crate::repo::now());
            save(db, &import).await?;
            Ok(ImportOutcome {
                import,
                files: vec![report],
                errors: vec![problem],
                warnings: check.warnings,
                duplicate_of: None,
            })
        }
    }
}

/// Applies the checked file in one transaction that also completes the import's
/// row; (rows written, records deleted), or the problem that stopped it.
#[allow(clippy::too_many_arguments)]
async fn apply(
    db: &DatabaseConnection,
    store: &Store,
    key: &Key,
    read: ReadOptions,
    check: &FileCheck,
    replace: bool,
    options: &ImportOptions,
    import: &mut imports::Model,
    progress: &super::progress::Progress,
) -> Result<(u64, u64), Problem> {
    let counter = progress.counter();
    let kind = read.kind;
    let now = crate::repo::now();
    let store = store.clone();
    let key = key.clone();
    let ids = check.ids.clone();
    let force = options.force;
    let share = options.limits.max_delete_share;
    let mut finished = import.clone();
    let result = crate::repo::in_transaction(db, move |txn| {
        Box::pin(async move {
            let applied = apply_file(txn, store, key, read, &ids, now, &counter)
                .await
                .map_err(|error| match error {
                    ApplyError::Invalid(problem) => problem,
                    ApplyError::Db(error) => db_problem(error),
                })?;
            let mut deleted = 0;
            if replace {
                let doomed: Vec<Uuid> = live_ids(txn, kind.name())
                    .await
                    .map_err(db_problem)?
                    .into_iter()
                    .filter(|id| !applied.ids.contains(id))
                    .collect();
                let live = doomed.len() + applied.ids.len();
                if !force && doomed.len() as f64 > share * live as f64 {
                    return Err(Problem::file(format!(
                        "REPLACE would now delete {} of {live} live {kind}; the file changed or others wrote meanwhile (use force)",
                        doomed.len()
                    )));
                }
                deleted = doomed.len() as u64;
                crate::repo::children::tombstone_cascade(txn, kind.name(), doomed)
                    .await
                    .map_err(|error| Problem::file(format!("deleting records: {error}")))?;
            }
            finished.state = "completed".into();
            finished.rows_updated = applied.written.saturating_sub(finished.rows_inserted as u64) as i64;
            finished.rows_deleted = deleted as i64;
            finished.finished_at = Some(crate::repo::now());
            finished.updated_at = crate::repo::now();
            imports::ActiveModel::from(finished.clone())
                .reset_all()
                .update(txn)
                .await
                .map_err(db_problem)?;
            Ok::<_, Problem>((applied.written, deleted, finished))
        })
    })
    .await;
    match result {
        Ok((written, deleted, finished)) => {
            *import = finished;
            Ok((written, deleted))
        }
        Err(problem) => Err(problem),
    }
}

impl From<DbErr> for Problem {
    fn from(error: DbErr) -> Self {
        db_problem(error)
    }
}

fn db_problem(error: DbErr) -> Problem {
    Problem::file(format!("the database refused the import: {error}"))
}

fn guard_deletes(check: &FileCheck, kind: RecordType, share: f64, errors: &mut Vec<Problem>) {
    if check.live_before > 0 && check.deletes as f64 > share * check.live_before as f64 {
        errors.push(Problem::file(format!(
            "REPLACE would delete {} of {} live {kind} ({:.0}%), more than the {:.0}% allowed; check the file, or force it",
            check.deletes,
            check.live_before,
            100.0 * check.deletes as f64 / check.live_before as f64,
            share * 100.0
        )));
    }
}

fn json_or_none(problems: &[Problem]) -> Option<serde_json::Value> {
    (!problems.is_empty()).then(|| serde_json::to_value(problems).unwrap_or_default())
}

async fn save(db: &DatabaseConnection, import: &imports::Model) -> Result<(), DbErr> {
    let mut row = imports::ActiveModel::from(import.clone()).reset_all();
    row.updated_at = Set(crate::repo::now());
    row.update(db).await?;
    Ok(())
}

/// The latest completed import that applied the same bytes as the same type in
/// the same mode (not one that was itself skipped as a duplicate).
async fn same_file(
    db: &DatabaseConnection,
    import: &imports::Model,
) -> Result<Option<imports::Model>, DbErr> {
    let candidates = imports::Entity::find()
        .filter(imports::Column::Sha256.eq(import.sha256.as_str()))
        .filter(imports::Column::RecordType.eq(import.record_type.clone()))
        .filter(imports::Column::Mode.eq(import.mode.as_str()))
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
