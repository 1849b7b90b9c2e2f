//! Where a dataset's rows live. Each completed version is a table of its own,
//! `<dataset>__v<number>` (a `_row` key, then the file's columns with their
//! confirmed types), and the dataset's own name is a view over the current one:
//! on PostgreSQL `"<organisation>"."<dataset>"` (a schema per organisation, as
//! the Data Store Service had), on SQLite `ds_<organisation>__<dataset>`.
//!
//! Why tables per version and a view: a new version loads beside the one being
//! served, out of every reader's way, and replacing takes one short transaction
//! that points the view (and `datasets.current_version_id`) at it, so a reader
//! sees the old version or the new one, never half. Signpost's own reads go to
//! the version's table by name, so a walk over pages that began on one version
//! can finish on it while the previous table is kept.

use super::Column;
use super::column_type::ColumnType;
use super::name::{ROW_COLUMN, quoted};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// A dataset's names in the database.
#[derive(Clone, Debug)]
pub struct Layout {
    backend: DatabaseBackend,
    organisation: String,
    dataset: String,
}

impl Layout {
    pub fn new(backend: DatabaseBackend, organisation: &str, dataset: &str) -> Self {
        Self {
            backend,
            organisation: organisation.to_owned(),
            dataset: dataset.to_owned(),
        }
    }

    fn postgres(&self) -> bool {
        self.backend == DatabaseBackend::Postgres
    }

    /// The view's name as SQL.
    pub fn view(&self) -> String {
        if self.postgres() {
            format!("{}.{}", quoted(&self.organisation), quoted(&self.dataset))
        } else {
            quoted(&format!("ds_{}__{}", self.organisation, self.dataset))
        }
    }

    /// A version table's own name, unqualified and unquoted.
    fn table_name(&self, number: i32) -> String {
        if self.postgres() {
            format!("{}__v{number}", self.dataset)
        } else {
            format!("ds_{}__{}__v{number}", self.organisation, self.dataset)
        }
    }

    /// A version table's name as SQL.
    pub fn table(&self, number: i32) -> String {
        if self.postgres() {
            format!(
                "{}.{}",
                quoted(&self.organisation),
                quoted(&self.table_name(number))
            )
        } else {
            quoted(&self.table_name(number))
        }
    }

    /// The empty table of version `number` (one left by a run that died is
    /// dropped first).
    pub async fn create(
        &self,
        db: &impl ConnectionTrait,
        number: i32,
        columns: &[Column],
    ) -> Result<(), DbErr> {
        if self.postgres() {
            // Two datasets of one organisation may race to make its schema.
            let create = format!("CREATE SCHEMA IF NOT EXISTS {}", quoted(&self.organisation));
            if db.execute_unprepared(&create).await.is_err() {
                db.execute_unprepared(&create).await?;
            }
        }
        let table = self.table(number);
        let definitions: Vec<String> = columns
            .iter()
            .map(|column| {
                let kind = if self.postgres() {
                    column.kind.postgres()
                } else {
                    column.kind.sqlite()
                };
                format!("{} {kind}", quoted(&column.name))
            })
            .collect();
        db.execute_unprepared(&format!(
            "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({} BIGINT NOT NULL PRIMARY KEY{}{})",
            quoted(ROW_COLUMN),
            if definitions.is_empty() { "" } else { ", " },
            definitions.join(", ")
        ))
        .await?;
        Ok(())
    }

    pub async fn drop(&self, db: &impl ConnectionTrait, number: i32) -> Result<(), DbErr> {
        db.execute_unprepared(&format!("DROP TABLE IF EXISTS {}", self.table(number)))
            .await?;
        Ok(())
    }

    /// Points the view at version `number` (inside the caller's transaction).
    pub async fn publish(
        &self,
        db: &impl ConnectionTrait,
        number: i32,
        columns: &[Column],
    ) -> Result<(), DbErr> {
        let view = self.view();
        let names: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
        let select = if names.is_empty() {
            quoted(ROW_COLUMN)
        } else {
            names.join(", ")
        };
        db.execute_unprepared(&format!(
            "DROP VIEW IF EXISTS {view}; CREATE VIEW {view} AS SELECT {select} FROM {} ORDER BY {}",
            self.table(number),
            quoted(ROW_COLUMN)
        ))
        .await?;
        Ok(())
    }

    /// Drops every version table of the dataset but those in `keep` (earlier
    /// versions, and tables of loads that died).
    pub async fn drop_all_but(&self, db: &impl ConnectionTrait, keep: &[i32]) -> Result<(), DbErr> {
        let statement = if self.postgres() {
            Statement::from_sql_and_values(
                self.backend,
                "SELECT table_name AS name FROM information_schema.tables \
                 WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
                [self.organisation.clone().into()],
            )
        } else {
            Statement::from_string(
                self.backend,
                "SELECT name FROM sqlite_master WHERE type = 'table'",
            )
        };
        let prefix = self.table_name(0);
        let prefix = prefix.trim_end_matches('0');
        for row in db.query_all_raw(statement).await? {
            let name: String = row.try_get("", "name")?;
            let Some(number) = name
                .strip_prefix(prefix)
                .and_then(|rest| rest.parse::<i32>().ok())
            else {
                continue;
            };
            if !keep.contains(&number) {
                self.drop(db, number).await?;
            }
        }
        Ok(())
    }

    /// The text of column `column` as a page reads it: what
    /// [`super::render`] turns into JSON or CSV.
    fn read_as_text(&self, column: &Column) -> String {
        let name = quoted(&column.name);
        match (self.postgres(), column.kind) {
            (true, ColumnType::Timestamp) => format!("to_json({name}) #>> '{{}}'"),
            (true, _) => format!("CAST({name} AS TEXT)"),
            (false, _) => format!("CAST({name} AS TEXT)"),
        }
    }

    /// Up to `limit` rows of version `number` after row `after`, in order, as text.
    pub async fn page(
        &self,
        db: &impl ConnectionTrait,
        number: i32,
        columns: &[Column],
        after: i64,
        limit: u64,
    ) -> Result<Vec<(i64, Vec<Option<String>>)>, DbErr> {
        let mut select = vec![quoted(ROW_COLUMN)];
        select.extend(columns.iter().map(|column| self.read_as_text(column)));
        let (first, second) = if self.postgres() {
            ("$1", "$2")
        } else {
            ("?", "?")
        };
        let sql = format!(
            "SELECT {} FROM {} WHERE {row} > {first} ORDER BY {row} LIMIT {second}",
            select.join(", "),
            self.table(number),
            row = quoted(ROW_COLUMN),
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                self.backend,
                sql,
                [after.into(), limit.into()],
            ))
            .await?;
        rows.iter()
            .map(|row| {
                let number: i64 = row.try_get_by_index(0)?;
                let values = (1..=columns.len())
                    .map(|at| row.try_get_by_index::<Option<String>>(at))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((number, values))
            })
            .collect()
    }

    /// How many rows version `number` holds.
    pub async fn count(&self, db: &impl ConnectionTrait, number: i32) -> Result<i64, DbErr> {
        let row = db
            .query_one_raw(Statement::from_string(
                self.backend,
                format!("SELECT COUNT(*) AS n FROM {}", self.table(number)),
            ))
            .await?;
        match row {
            Some(row) => row.try_get("", "n"),
            None => Ok(0),
        }
    }
}
