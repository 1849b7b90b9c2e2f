//! The first pass: every row read and checked, references looked up in batches,
//! and what applying would do counted, without writing anything.

use super::Problem;
use super::header::Header;
use super::source::{Parsed, ReadOptions, spawn};
use super::spec::Kind;
use crate::repo::RecordType;
use crate::store::{Key, Store};
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

/// Rows shown in a preview.
const SAMPLE_ROWS: usize = 5;

/// What checking one file found.
#[derive(Debug, Default)]
pub struct FileCheck {
    pub header: Option<Header>,
    pub rows: u64,
    pub inserts: u64,
    /// Rows whose id exists already (live or deleted).
    pub updates: u64,
    /// Live records REPLACE would delete.
    pub deletes: u64,
    pub live_before: u64,
    pub rejected: u64,
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
    /// More errors were found than the cap keeps.
    pub errors_truncated: bool,
    pub sample: Vec<serde_json::Value>,
    /// Ids the file names (for REPLACE, and for references from later files).
    pub ids: HashSet<Uuid>,
}

impl FileCheck {
    fn error(&mut self, problem: Problem, cap: usize) {
        if self.errors.len() < cap {
            self.errors.push(problem);
        } else {
            self.errors_truncated = true;
        }
    }
}

/// Placeholders `?, ?, …` or `$1, $2, …` for `n` values.
pub(super) fn placeholders(postgres: bool, from: usize, n: usize) -> String {
    (0..n)
        .map(|i| {
            if postgres {
                format!("${}", from + i)
            } else {
                "?".to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Of `ids`, those naming rows of `table` (live only when `live`).
pub(super) async fn existing(
    db: &impl ConnectionTrait,
    table: &str,
    ids: &[Uuid],
    live: bool,
) -> Result<HashSet<Uuid>, DbErr> {
    let mut found = HashSet::new();
    let backend = db.get_database_backend();
    let postgres = backend == sea_orm::DatabaseBackend::Postgres;
    let live = if live { " AND deleted_at IS NULL" } else { "" };
    for chunk in ids.chunks(crate::repo::MAX_IDS_PER_STATEMENT) {
        let statement = if postgres {
            // One array parameter: PostgreSQL plans `= ANY($1)` far faster than an
            // IN list of a thousand placeholders.
            let cells: Vec<super::row::Cell> =
                chunk.iter().map(|id| super::row::Cell::Uuid(*id)).collect();
            Statement::from_sql_and_values(
                backend,
                format!("SELECT id FROM {table} WHERE id = ANY($1::uuid[]){live}"),
                [Value::from(super::row::pg_array(cells.iter()))],
            )
        } else {
            let values: Vec<Value> = chunk.iter().map(|id| Value::Uuid(Some(*id))).collect();
            Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT id FROM {table} WHERE id IN ({}){live}",
                    placeholders(false, 1, chunk.len())
                ),
                values,
            )
        };
        for row in db.query_all_raw(statement).await? {
            found.insert(row.try_get::<Uuid>("", "id")?);
        }
    }
    Ok(found)
}

/// Every live id of `table`.
pub(super) async fn live_ids(db: &impl ConnectionTrait, table: &str) -> Result<Vec<Uuid>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id FROM {table} WHERE deleted_at IS NULL"),
        ))
        .await?;
    rows.iter()
        .map(|row| row.try_get::<Uuid>("", "id"))
        .collect()
}

/// How a file is checked.
pub struct CheckPlan<'a> {
    /// Ids of the files of the same import applied before this one.
    pub earlier: &'a HashMap<RecordType, HashSet<Uuid>>,
    /// Count what REPLACE would delete.
    pub replace: bool,
    pub max_errors: usize,
    /// Rows read so far.
    pub progress: &'a Arc<AtomicU64>,
}

/// Checks the file at `key` as `options.kind`.
pub async fn check_file(
    db: &impl ConnectionTrait,
    store: Store,
    key: Key,
    options: ReadOptions,
    plan: CheckPlan<'_>,
) -> Result<FileCheck, DbErr> {
    let CheckPlan {
        earlier,
        replace,
        max_errors,
        progress,
    } = plan;
    let kind = options.kind;
    let mut rx = spawn(store, key, options);
    let mut check = FileCheck::default();
    let mut lines: HashMap<Uuid, u64> = HashMap::new();
    let mut live_refs: HashMap<RecordType, HashSet<Uuid>> = HashMap::new();
    let mut self_refs: Vec<(u64, &'static str, Uuid)> = Vec::new();
    let no_ids = HashSet::new();
    while let Some(parsed) = rx.recv().await {
        let batch = match parsed {
            Parsed::Header {
                header, warnings, ..
            } => {
                check.warnings.extend(warnings);
                match header {
                    Ok(header) => check.header = Some(header),
                    Err(problems) => {
                        for problem in problems {
                            check.error(problem, max_errors);
                        }
                        return Ok(check);
                    }
                }
                continue;
            }
            Parsed::Rows(batch) => batch,
        };
        progress.fetch_add(batch.len() as u64, Ordering::Relaxed);
        let Some(header) = check.header.clone() else {
            continue;
        };
        let mut batch_ids = Vec::new();
        let mut refs: HashMap<RecordType, Vec<(u64, &'static str, Uuid)>> = HashMap::new();
        for (row, problems) in batch {
            check.rows += 1;
            if !problems.is_empty() {
                check.rejected += 1;
                for problem in problems {
                    check.error(problem, max_errors);
                }
                continue;
            }
            if let Some(id) = row.id {
                if let Some(first) = lines.insert(id, row.line) {
                    check.rejected += 1;
                    check.error(
                        Problem::at(
                            row.line,
                            "id",
                            format!("{id} is also the id on row {first}"),
                        ),
                        max_errors,
                    );
                    continue;
                }
                batch_ids.push(id);
            } else {
                check.inserts += 1;
            }
            for (position, &(spec, _)) in header.present.iter().enumerate().skip(1) {
                let column = &header.columns[spec];
                if let (Kind::Ref(target), super::row::Cell::Uuid(id)) =
                    (column.kind, &row.cells[position])
                {
                    if target == kind {
                        self_refs.push((row.line, column.name, *id));
                    } else {
                        refs.entry(target)
                            .or_default()
                            .push((row.line, column.name, *id));
                    }
                }
            }
            if check.sample.len() < SAMPLE_ROWS {
                let object: serde_json::Map<String, serde_json::Value> = header
                    .column_names()
                    .into_iter()
                    .zip(row.cells.iter())
                    .map(|(name, cell)| (name.to_owned(), cell.to_json()))
                    .collect();
                check.sample.push(serde_json::Value::Object(object));
            }
        }
        let known = existing(db, kind.name(), &batch_ids, false).await?;
        check.updates += known.len() as u64;
        check.inserts += (batch_ids.len() - known.len()) as u64;
        for (target, wanted) in refs {
            let cache = live_refs.entry(target).or_default();
            let mut unknown: Vec<Uuid> = wanted
                .iter()
                .map(|&(_, _, id)| id)
                .filter(|id| !cache.contains(id))
                .collect();
            unknown.sort();
            unknown.dedup();
            cache.extend(existing(db, target.name(), &unknown, true).await?);
            let from_import = earlier.get(&target).unwrap_or(&no_ids);
            for (line, column, id) in wanted {
                if !cache.contains(&id) && !from_import.contains(&id) {
                    check.rejected += 1;
                    check.error(
                        Problem::at(
                            line,
                            column,
                            format!(
                                "no live {} has id {id}, in the directory or this import",
                                target.name()
                            ),
                        ),
                        max_errors,
                    );
                }
            }
        }
    }
    check.ids = lines.keys().copied().collect();
    if !self_refs.is_empty() {
        let outside: Vec<Uuid> = self_refs
            .iter()
            .map(|&(_, _, id)| id)
            .filter(|id| !check.ids.contains(id))
            .collect();
        let live = existing(db, kind.name(), &outside, true).await?;
        for (line, column, id) in self_refs {
            if !check.ids.contains(&id) && !live.contains(&id) {
                check.rejected += 1;
                check.error(
                    Problem::at(
                        line,
                        column,
                        format!(
                            "no live {} has id {id}, in the directory or this file",
                            kind.name()
                        ),
                    ),
                    max_errors,
                );
            }
        }
    }
    if check.header.is_some() && check.rows == 0 {
        check.error(
            Problem::file("the file has a header but no rows"),
            max_errors,
        );
    }
    if replace && check.errors.is_empty() {
        let live = live_ids(db, kind.name()).await?;
        check.live_before = live.len() as u64;
        check.deletes = live.iter().filter(|id| !check.ids.contains(id)).count() as u64;
    }
    Ok(check)
}
