//! The check: every row read, checked on its own and staged; then the checks
//! across rows run as queries over the stage, and what applying would do is
//! counted. Nothing in the directory changes.

use super::Problem;
use super::header::Header;
use super::source::{Parsed, ReadOptions, spawn};
use super::spec::Kind;
use super::stage::{self, Stage};
use crate::repo::RecordType;
use crate::store::{Key, Store};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult, Statement};
use std::collections::HashSet;
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
}

impl FileCheck {
    fn error(&mut self, problem: Problem, cap: usize) {
        if self.errors.len() < cap {
            self.errors.push(problem);
        } else {
            self.errors_truncated = true;
        }
    }

    fn room(&self, cap: usize) -> usize {
        cap.saturating_sub(self.errors.len()) + 1
    }
}

/// How a file is checked.
pub struct CheckPlan<'a> {
    /// Record types of the files of the same import staged before this one.
    pub earlier: &'a HashSet<RecordType>,
    /// Count what REPLACE would delete.
    pub replace: bool,
    /// The file is a member of a zip: a package may hold a type with no records
    /// (an HSDS export of a directory without programmes has an empty
    /// `programs.csv`), which is nothing to do unless the import replaces.
    pub zipped: bool,
    pub max_errors: usize,
    /// Rows read so far.
    pub progress: &'a Arc<AtomicU64>,
}

/// Checks the file at `key` as `options.kind`, staging its rows in `session`; the
/// stage is returned when the file could be read at all.
pub async fn check_file(
    session: &DatabaseConnection,
    store: Store,
    key: Key,
    options: ReadOptions,
    plan: CheckPlan<'_>,
) -> Result<(FileCheck, Option<Stage>), DbErr> {
    let cap = plan.max_errors;
    let mut rx = spawn(store, key, options);
    let mut check = FileCheck::default();
    let mut stage: Option<Stage> = None;
    let mut ended = false;
    while let Some(parsed) = rx.recv().await {
        let batch = match parsed {
            Parsed::Header {
                header, warnings, ..
            } => {
                check.warnings.extend(warnings);
                match header {
                    Ok(header) => {
                        stage = Some(Stage::create(session, &header).await?);
                        check.header = Some(header);
                    }
                    Err(problems) => {
                        for problem in problems {
                            check.error(problem, cap);
                        }
                        return Ok((check, None));
                    }
                }
                continue;
            }
            Parsed::Rows(batch) => batch,
            Parsed::End => {
                ended = true;
                break;
            }
            Parsed::Failed(problem) => {
                check.error(problem, cap);
                return Ok((check, stage));
            }
        };
        plan.progress
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        let Some(stage) = &mut stage else { continue };
        let mut rows = Vec::with_capacity(batch.len());
        for (mut row, problems) in batch {
            check.rows += 1;
            if !problems.is_empty() {
                check.rejected += 1;
                for problem in problems {
                    check.error(problem, cap);
                }
                continue;
            }
            if check.sample.len() < SAMPLE_ROWS {
                let object: serde_json::Map<String, serde_json::Value> = stage
                    .column_names()
                    .into_iter()
                    .zip(row.cells.iter())
                    .map(|(name, cell)| (name.to_owned(), cell.to_json()))
                    .collect();
                check.sample.push(serde_json::Value::Object(object));
            }
            let id = *row.id.get_or_insert_with(crate::stamp::new_id);
            row.cells[0] = super::row::Cell::Uuid(id);
            rows.push(row);
        }
        stage.insert(session, &rows).await?;
    }
    let Some(stage) = stage else {
        return Ok((check, None));
    };
    if !ended {
        check.error(
            Problem::file("reading the file stopped before its end"),
            cap,
        );
        return Ok((check, Some(stage)));
    }
    if check.rows == 0 {
        if plan.zipped && !plan.replace {
            return Ok((check, Some(stage)));
        }
        check.error(Problem::file("the file has a header but no rows"), cap);
        return Ok((check, Some(stage)));
    }
    stage.index(session).await?;
    duplicate_ids(session, &stage, &mut check, cap).await?;
    dangling_references(session, &stage, plan.earlier, &mut check, cap).await?;
    count_writes(session, &stage, plan.replace, &mut check).await?;
    Ok((check, Some(stage)))
}

async fn query(session: &impl ConnectionTrait, sql: String) -> Result<Vec<QueryResult>, DbErr> {
    session
        .query_all_raw(Statement::from_string(session.get_database_backend(), sql))
        .await
}

async fn count(session: &impl ConnectionTrait, sql: String) -> Result<u64, DbErr> {
    let rows = query(session, sql).await?;
    let n = match rows.first() {
        Some(row) => row.try_get::<i64>("", "n")?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}

/// Every row but the first with a given id.
async fn duplicate_ids(
    session: &impl ConnectionTrait,
    stage: &Stage,
    check: &mut FileCheck,
    cap: usize,
) -> Result<(), DbErr> {
    let name = stage.name();
    let duplicates = query(
        session,
        format!(
            "SELECT s.row_no, s.id, f.first FROM {name} s \
             JOIN (SELECT id, MIN(row_no) AS first FROM {name} GROUP BY id HAVING COUNT(*) > 1) f \
             ON f.id = s.id WHERE s.row_no <> f.first ORDER BY s.row_no LIMIT {}",
            check.room(cap)
        ),
    )
    .await?;
    if duplicates.is_empty() {
        return Ok(());
    }
    check.rejected += count(
        session,
        format!("SELECT COUNT(*) - COUNT(DISTINCT id) AS n FROM {name}"),
    )
    .await?;
    for row in duplicates {
        let (line, id, first) = (
            row.try_get::<i64>("", "row_no")?,
            row.try_get::<Uuid>("", "id")?,
            row.try_get::<i64>("", "first")?,
        );
        check.error(
            Problem::at(
                line as u64,
                "id",
                format!("{id} is also the id on row {first}"),
            ),
            cap,
        );
    }
    Ok(())
}

/// References to no live record and no row of this import.
async fn dangling_references(
    session: &impl ConnectionTrait,
    stage: &Stage,
    earlier: &HashSet<RecordType>,
    check: &mut FileCheck,
    cap: usize,
) -> Result<(), DbErr> {
    let header = &stage.header;
    let name = stage.name();
    for &(spec, _) in header.present.iter().skip(1) {
        let column = &header.columns[spec];
        let Kind::Ref(target) = column.kind else {
            continue;
        };
        let itself = target == header.kind;
        let staged = if itself || earlier.contains(&target) {
            format!(
                " AND NOT EXISTS (SELECT 1 FROM {} x WHERE x.id = s.{c})",
                stage::table(target),
                c = column.name
            )
        } else {
            String::new()
        };
        let condition = format!(
            "s.{c} IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM {t} t WHERE t.id = s.{c} AND t.deleted_at IS NULL){staged}",
            c = column.name,
            t = target.name(),
        );
        let dangling = query(
            session,
            format!(
                "SELECT s.row_no, s.{c} AS target FROM {name} s WHERE {condition} \
                 ORDER BY s.row_no LIMIT {}",
                check.room(cap),
                c = column.name
            ),
        )
        .await?;
        if dangling.is_empty() {
            continue;
        }
        check.rejected += count(
            session,
            format!("SELECT COUNT(*) AS n FROM {name} s WHERE {condition}"),
        )
        .await?;
        let scope = if itself { "this file" } else { "this import" };
        for row in dangling {
            let (line, id) = (
                row.try_get::<i64>("", "row_no")?,
                row.try_get::<Uuid>("", "target")?,
            );
            check.error(
                Problem::at(
                    line as u64,
                    header.label(column.name),
                    format!(
                        "no live {} has id {id}, in the directory or {scope}",
                        target.singular()
                    ),
                ),
                cap,
            );
        }
    }
    Ok(())
}

/// Inserts and updates; with `replace`, the live records the file lacks.
async fn count_writes(
    session: &impl ConnectionTrait,
    stage: &Stage,
    replace: bool,
    check: &mut FileCheck,
) -> Result<(), DbErr> {
    let (name, table) = (stage.name(), stage.header.kind.name());
    let staged = count(session, format!("SELECT COUNT(*) AS n FROM {name}")).await?;
    check.updates = count(
        session,
        format!("SELECT COUNT(*) AS n FROM {name} s JOIN {table} t ON t.id = s.id"),
    )
    .await?;
    check.inserts = staged.saturating_sub(check.updates);
    if replace && check.errors.is_empty() {
        check.live_before = count(
            session,
            format!("SELECT COUNT(*) AS n FROM {table} WHERE deleted_at IS NULL"),
        )
        .await?;
        check.deletes = count(session, missing_from(&name, table, "COUNT(*) AS n")).await?;
    }
    Ok(())
}

/// `SELECT what` over the live records of `table` that stage `name` lacks.
pub(super) fn missing_from(name: &str, table: &str, what: &str) -> String {
    format!(
        "SELECT {what} FROM {table} t WHERE t.deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM {name} s WHERE s.id = t.id)"
    )
}
