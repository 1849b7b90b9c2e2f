//! Checking and applying a submitted import: its one file, or each CSV member of
//! its zip in dependency order (a member may refer to rows of the members before
//! it). Every file is staged and every error of every file collected before
//! anything is written; then all files are written in one transaction that also
//! completes the import's row.

use super::Problem;
use super::apply::{delete_missing, write_stage};
use super::check::{CheckPlan, FileCheck, check_file};
use super::progress::{Progress, track};
use super::run::{
    FileReport, ImportError, ImportOptions, ImportOutcome, Mode, json_or_none, same_file, save,
};
use super::source::ReadOptions;
use super::stage::{Stage, drop_stages, open_session};
use super::zip::{Part, unpack};
use crate::repo::RecordType;
use crate::store::{Key, Store};
use entities::imports::{self, ImportState};
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr};
use std::collections::HashSet;

/// Checks and (unless a dry run) applies a submitted import, keeping its row and
/// its progress up to date. However it stops — an error, a panic — the import's
/// row ends `failed` with the reason, not `validating` or `applying` for ever.
#[tracing::instrument(name = "import", skip_all, fields(id = %import.id, file = %import.file_name))]
pub async fn process(
    db: &DatabaseConnection,
    store: &Store,
    import: imports::Model,
    options: &ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    let id = import.id;
    let (outcome, reason) = match crate::jobs::guarded(work(db, store, import, options)).await {
        Ok(Ok(outcome)) => return Ok(outcome),
        Ok(Err(error)) => {
            let reason = error.to_string();
            (Err(error), reason)
        }
        Err(panic) => (Err(ImportError::Internal(panic.clone())), panic),
    };
    let message = format!("the import stopped: {reason}; nothing of it was applied");
    if let Err(error) = super::progress::mark_failed(db, Some(id), None, &message).await {
        tracing::error!(%error, import = %id, "recording a failed import");
    }
    outcome
}

async fn work(
    db: &DatabaseConnection,
    store: &Store,
    import: imports::Model,
    options: &ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    let key = Key::parse(&import.object_key)?;
    let progress = track(db, import.id);
    let (parts, warnings) = match import
        .record_type
        .as_deref()
        .and_then(RecordType::from_table)
    {
        Some(kind) => (
            vec![Part {
                name: import.file_name.clone(),
                kind,
                key: key.clone(),
            }],
            Vec::new(),
        ),
        None => match unpack(store, &key, import.id, &options.limits, options.strict).await {
            Ok(unpacked) => unpacked,
            Err(errors) => {
                return finish(db, import, Vec::new(), errors, Vec::new(), &progress).await;
            }
        },
    };
    let unpacked: Vec<Part> = parts
        .iter()
        .filter(|part| part.key != key)
        .cloned()
        .collect();
    let outcome = match open_session(db).await {
        Ok(session) => {
            let kinds: Vec<RecordType> = parts.iter().map(|part| part.kind).collect();
            let outcome = check_and_apply(
                db, &session, store, import, options, parts, warnings, &progress,
            )
            .await;
            if let Err(error) = drop_stages(&session, kinds).await {
                tracing::warn!(%error, "dropping an import's staging tables");
            }
            outcome
        }
        Err(error) => Err(error.into()),
    };
    super::zip::discard(store, &unpacked).await;
    outcome
}

/// The import's work once its files are known, with `session` holding its stages.
#[allow(clippy::too_many_arguments)]
async fn check_and_apply(
    db: &DatabaseConnection,
    session: &DatabaseConnection,
    store: &Store,
    mut import: imports::Model,
    options: &ImportOptions,
    parts: Vec<Part>,
    mut warnings: Vec<Problem>,
    progress: &Progress,
) -> Result<ImportOutcome, ImportError> {
    let key = Key::parse(&import.object_key)?;
    let zipped = import.record_type.is_none();
    let replace = options.mode == Mode::Replace;
    let started = std::time::Instant::now();
    let mut staged: HashSet<RecordType> = HashSet::new();
    let mut errors = Vec::new();
    let mut checks = Vec::new();
    let mut stages = Vec::new();
    for part in &parts {
        let (check, stage) = check_file(
            session,
            store.clone(),
            part.key.clone(),
            read_options(part.kind, options),
            CheckPlan {
                earlier: &staged,
                replace,
                zipped,
                max_errors: options
                    .limits
                    .max_errors
                    .saturating_sub(errors.len())
                    .max(1),
                progress: &progress.counter(),
            },
        )
        .await?;
        let named = |problem: &Problem| {
            if zipped {
                problem.clone().in_file(&part.name)
            } else {
                problem.clone()
            }
        };
        errors.extend(check.errors.iter().map(named));
        warnings.extend(check.warnings.iter().map(named));
        if check.errors_truncated {
            errors.push(Problem::file(format!(
                "more errors were found; only the first {} are listed",
                options.limits.max_errors
            )));
        }
        if check.errors.is_empty() && replace && !options.force {
            guard_deletes(
                &check,
                part.kind,
                options.limits.max_delete_share,
                &mut errors,
            );
        }
        if let Some(stage) = stage {
            staged.insert(part.kind);
            stages.push(stage);
        }
        checks.push(check);
    }
    tracing::debug!(import = %import.id, ms = started.elapsed().as_millis() as u64, "import checked");
    let reports: Vec<FileReport> = parts
        .iter()
        .zip(&checks)
        .map(|(part, check)| FileReport {
            file: part.name.clone(),
            record_type: part.kind,
            rows: check.rows,
            inserts: check.inserts,
            updates: check.updates,
            unchanged: 0,
            deletes: check.deletes,
            sample: check.sample.clone(),
        })
        .collect();
    let sum = |field: fn(&FileCheck) -> u64| checks.iter().map(field).sum::<u64>() as i64;
    import.rows_total = sum(|c| c.rows);
    import.rows_rejected = sum(|c| c.rejected);
    // What the import would do; the row carries it only for a dry run or once
    // applied (see `finish`): until then nothing is applied.
    let predicted = (sum(|c| c.inserts), sum(|c| c.updates), sum(|c| c.deletes));
    import.preview = serde_json::to_value(&reports).ok();
    // Identical bytes applied before are skipped, unless the admin asked for this
    // file on purpose: a restore, or the confirmation of a dry run they previewed.
    if errors.is_empty()
        && !options.dry_run
        && options.restored_from.is_none()
        && options.confirms.is_none()
        && let Some(earlier) = same_file(db, &import).await?
    {
        store.delete(&key).await?;
        import.object_key = earlier.object_key.clone();
        import.state = ImportState::Completed;
        let warning = Problem::file(format!(
            "the same file (sha256 {}) was imported as {}: nothing to do",
            import.sha256, earlier.id
        ));
        let mut outcome =
            finish(db, import, Vec::new(), Vec::new(), vec![warning], progress).await?;
        outcome.duplicate_of = Some(earlier.id);
        return Ok(outcome);
    }
    if !errors.is_empty() || options.dry_run {
        (
            import.rows_inserted,
            import.rows_updated,
            import.rows_deleted,
        ) = predicted;
        return finish(db, import, reports, errors, warnings, progress).await;
    }
    import.state = ImportState::Applying;
    import.warnings = json_or_none(&warnings);
    save(db, &import).await?;
    progress.restart();
    let applying = std::time::Instant::now();
    let applied = apply_all(session, stages, options, &import, predicted.0, progress).await;
    tracing::debug!(import = %import.id, ms = applying.elapsed().as_millis() as u64, "import applied");
    match applied {
        Ok((finished, applied)) => {
            let reports = reports
                .into_iter()
                .zip(applied)
                .map(|(mut report, (written, deleted))| {
                    report.unchanged = report
                        .updates
                        .saturating_sub(written.saturating_sub(report.inserts));
                    report.deletes = deleted;
                    report
                })
                .collect();
            import = finished;
            finish(db, import, reports, Vec::new(), warnings, progress).await
        }
        Err(problem) => finish(db, import, reports, vec![problem], warnings, progress).await,
    }
}

fn read_options(kind: RecordType, options: &ImportOptions) -> ReadOptions {
    ReadOptions {
        kind,
        strict: options.strict,
        publish: options.publish,
        encoding: options.encoding.clone(),
        max_field_bytes: options.limits.max_field_bytes,
    }
}

/// Records how the import ended and returns its outcome.
async fn finish(
    db: &DatabaseConnection,
    mut import: imports::Model,
    files: Vec<FileReport>,
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
    progress: &Progress,
) -> Result<ImportOutcome, ImportError> {
    if !files.is_empty() {
        import.preview = serde_json::to_value(&files).ok();
    }
    import.state = if !errors.is_empty() {
        ImportState::Failed
    } else if matches!(import.state, ImportState::Applying | ImportState::Completed) {
        ImportState::Completed
    } else {
        ImportState::Validated
    };
    if !errors.is_empty() {
        // Nothing of a failed import was applied.
        (
            import.rows_inserted,
            import.rows_updated,
            import.rows_deleted,
        ) = (0, 0, 0);
    }
    import.errors = json_or_none(&errors);
    import.warnings = json_or_none(&warnings);
    import.finished_at = Some(crate::stamp::now());
    save(db, &import).await?;
    progress.finish();
    Ok(ImportOutcome {
        import,
        files,
        errors,
        warnings,
        duplicate_of: None,
    })
}

/// Writes every stage in one transaction of the import's session that also
/// marks the import completed; the row as written and (rows written, records
/// deleted) per stage.
async fn apply_all(
    session: &DatabaseConnection,
    stages: Vec<Stage>,
    options: &ImportOptions,
    import: &imports::Model,
    inserts: i64,
    progress: &Progress,
) -> Result<(imports::Model, Vec<(u64, u64)>), Problem> {
    let now = crate::stamp::now();
    let counter = progress.counter();
    let replace = options.mode == Mode::Replace;
    let max_share = (!options.force).then_some(options.limits.max_delete_share);
    let mut finished = import.clone();
    crate::repo::in_transaction(session, move |txn| {
        Box::pin(async move {
            let mut results = Vec::new();
            let (mut written_total, mut deleted_total) = (0u64, 0u64);
            for stage in &stages {
                let written = write_stage(txn, stage, now, &counter)
                    .await
                    .map_err(db_problem)?;
                let deleted = if replace {
                    delete_missing(txn, stage, max_share).await?
                } else {
                    0
                };
                written_total += written;
                deleted_total += deleted;
                results.push((written, deleted));
            }
            finished.state = ImportState::Completed;
            finished.rows_inserted = inserts;
            finished.rows_updated = written_total.saturating_sub(inserts as u64) as i64;
            finished.rows_deleted = deleted_total as i64;
            finished.finished_at = Some(crate::stamp::now());
            finished.updated_at = crate::stamp::now();
            imports::ActiveModel::from(finished.clone())
                .reset_all()
                .update(txn)
                .await
                .map_err(db_problem)?;
            // Told with the change itself; an ingest run tells of its files once.
            let by_ingest = finished
                .submitted_by
                .as_deref()
                .is_some_and(|actor| actor.starts_with("ingest:"));
            if written_total + deleted_total > 0 && !by_ingest {
                crate::notify::record(txn, &crate::notify::Change::import(&finished))
                    .await
                    .map_err(db_problem)?;
            }
            Ok::<_, Problem>((finished, results))
        })
    })
    .await
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
