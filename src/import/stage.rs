//! Staging: a file's rows, typed, in a temporary table of the import's own
//! database session.
//!
//! The checks that span rows — duplicate ids, references to the directory or to
//! other rows of the import, what REPLACE would delete — become queries over the
//! staged rows, and applying becomes one `INSERT … SELECT … ON CONFLICT`. So the
//! server holds a batch at a time however large the file (no id sets growing
//! with it), reads the file once, and leaves set work to the database, which does
//! it well. A reference to a row further down the same file needs no special
//! case: both backends check foreign keys at the end of the statement.
//!
//! On PostgreSQL rows go in with `COPY … FROM STDIN`; on SQLite, whose inserts are
//! in-process calls, with multi-row inserts.
//!
//! The session is a pool of one connection of its own, because temporary tables
//! belong to a connection and sea-orm hands out pooled connections per statement.
//! Staging and checking run outside any transaction (temporary tables take no
//! lock on the directory's tables, and on SQLite a long read transaction would
//! later fail to upgrade to a write), and only applying opens one. A killed
//! process takes the session, and its tables, with it.

use super::copy::{CopyIn, push_field};
use super::header::Header;
use super::row::{Row, pg_array, pg_type};
use crate::repo::RecordType;
use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, SqlxPostgresConnector,
    SqlxSqliteConnector, Statement, Value,
};

/// Bind parameters per statement, under both backends' limits.
const MAX_PARAMETERS: usize = 30_000;

/// One row in `COPY`'s text format: the line number, then each cell, separated
/// by tabs.
fn copy_text_row(out: &mut Vec<u8>, row: &Row) {
    use std::io::Write;
    let _ = write!(out, "{}", row.line);
    for cell in &row.cells {
        out.push(b'\t');
        push_field(out, cell.pg_text().as_deref());
    }
    out.push(b'\n');
}

/// Opens the import's session: one connection with the pool's settings, without
/// PostgreSQL's statement timeout (one statement writes a whole file).
pub async fn open_session(db: &DatabaseConnection) -> Result<DatabaseConnection, DbErr> {
    let connect = |error: sea_orm::sqlx::Error| DbErr::Custom(format!("import session: {error}"));
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let options = db.get_postgres_connection_pool().connect_options();
            let pool = PoolOptions::new()
                .max_connections(1)
                .connect_with((*options).clone())
                .await
                .map_err(connect)?;
            let session = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
            session
                .execute_unprepared("SET statement_timeout = 0")
                .await?;
            Ok(session)
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            if pool.options().get_max_connections() == 1 {
                // In memory: every connection is a database of its own, so the
                // import shares the only one.
                return Ok(db.clone());
            }
            let options = pool.connect_options();
            let pool = PoolOptions::new()
                .max_connections(1)
                .connect_with((*options).clone())
                .await
                .map_err(connect)?;
            Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
        }
    }
}

/// The temporary table holding one file's rows: `row_no` (the line the row starts
/// on) and the columns the file writes, `id` first.
pub struct Stage {
    pub header: Header,
    pub postgres: bool,
    /// Rows staged.
    pub rows: u64,
}

/// The staging table of `kind`: one per record type, as an import has at most one
/// file of each.
pub fn table(kind: RecordType) -> String {
    format!("import_stage_{}", kind.name())
}

impl Stage {
    /// Creates the (empty) table, replacing one an earlier import left behind.
    pub async fn create(session: &impl ConnectionTrait, header: &Header) -> Result<Self, DbErr> {
        let postgres = session.get_database_backend() == DatabaseBackend::Postgres;
        let stage = Self {
            header: header.clone(),
            postgres,
            rows: 0,
        };
        let name = stage.name();
        let columns: Vec<String> = header
            .present
            .iter()
            .map(|&(spec, _)| {
                let column = &header.columns[spec];
                if postgres {
                    format!("{} {}", column.name, pg_type(column.kind))
                } else {
                    // No declared type: SQLite keeps each value as bound, exactly
                    // as a direct insert would have passed it on.
                    column.name.to_owned()
                }
            })
            .collect();
        let (row_no, temp) = if postgres {
            ("row_no bigint", "TEMPORARY")
        } else {
            ("row_no INTEGER", "TEMP")
        };
        session
            .execute_unprepared(&format!("DROP TABLE IF EXISTS {name}"))
            .await?;
        session
            .execute_unprepared(&format!(
                "CREATE {temp} TABLE {name} ({row_no}, {})",
                columns.join(", ")
            ))
            .await?;
        Ok(stage)
    }

    pub fn name(&self) -> String {
        table(self.header.kind)
    }

    pub fn column_names(&self) -> Vec<&'static str> {
        self.header.column_names()
    }

    /// Adds rows (each with its id set): through `COPY … FROM STDIN` on
    /// PostgreSQL, the fastest way in, and multi-row inserts on SQLite.
    pub async fn insert(
        &mut self,
        session: &DatabaseConnection,
        rows: &[Row],
    ) -> Result<(), DbErr> {
        if self.postgres {
            return self.copy_in(session, rows).await;
        }
        let names = self.column_names();
        let per_statement = (MAX_PARAMETERS / (names.len() + 1)).max(1);
        for chunk in rows.chunks(per_statement) {
            session
                .execute_raw(self.insert_statement(&names, chunk))
                .await?;
        }
        self.rows += rows.len() as u64;
        Ok(())
    }

    /// Streams `rows` into the stage with `COPY` in text format, a megabyte at a
    /// time. The session's pool has one connection, the one its temporary
    /// tables live on, so the copy runs there.
    async fn copy_in(&mut self, session: &DatabaseConnection, rows: &[Row]) -> Result<(), DbErr> {
        let copy_error =
            |error: sea_orm::sqlx::Error| DbErr::Custom(format!("staging rows: {error}"));
        let statement = format!(
            "COPY {} (row_no, {}) FROM STDIN",
            self.name(),
            self.column_names().join(", ")
        );
        let mut copy = CopyIn::start(session, &statement)
            .await
            .map_err(copy_error)?;
        for row in rows {
            copy_text_row(copy.rows(), row);
            copy.sent_when_full().await.map_err(copy_error)?;
        }
        copy.finish().await.map_err(copy_error)?;
        self.rows += rows.len() as u64;
        Ok(())
    }

    fn insert_statement(&self, names: &[&str], rows: &[Row]) -> Statement {
        let kinds: Vec<_> = self
            .header
            .present
            .iter()
            .map(|&(spec, _)| self.header.columns[spec].kind)
            .collect();
        let name = self.name();
        if self.postgres {
            // A column of the batch per parameter, unnested: one parse per batch.
            let mut values = vec![Value::from(format!(
                "{{{}}}",
                rows.iter()
                    .map(|row| row.line.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ))];
            let mut arrays = vec!["$1::int8[]".to_owned()];
            for (index, kind) in kinds.iter().enumerate() {
                values.push(Value::from(pg_array(
                    rows.iter().map(|row| &row.cells[index]),
                )));
                arrays.push(format!("${}::{}[]", index + 2, pg_type(*kind)));
            }
            Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                format!(
                    "INSERT INTO {name} (row_no, {}) SELECT * FROM unnest({})",
                    names.join(", "),
                    arrays.join(", ")
                ),
                values,
            )
        } else {
            let tuple = format!("({})", vec!["?"; names.len() + 1].join(", "));
            let mut values = Vec::with_capacity(rows.len() * (names.len() + 1));
            for row in rows {
                values.push(Value::BigInt(Some(row.line as i64)));
                for (cell, kind) in row.cells.iter().zip(&kinds) {
                    values.push(cell.to_value(*kind, false));
                }
            }
            Statement::from_sql_and_values(
                DatabaseBackend::Sqlite,
                format!(
                    "INSERT INTO {name} (row_no, {}) VALUES {}",
                    names.join(", "),
                    vec![tuple; rows.len()].join(", ")
                ),
                values,
            )
        }
    }

    /// Indexes the staged ids for the checks' lookups, once every row is in.
    pub async fn index(&self, session: &impl ConnectionTrait) -> Result<(), DbErr> {
        let name = self.name();
        session
            .execute_unprepared(&format!("CREATE INDEX {name}_id ON {name} (id)"))
            .await?;
        // Nothing analyzes temporary tables on its own; without statistics the
        // planner guesses their size and picks nested loops over a million rows.
        session
            .execute_unprepared(&format!("ANALYZE {name}"))
            .await?;
        Ok(())
    }
}

/// Drops the staging tables of `kinds`.
pub async fn drop_stages(
    session: &impl ConnectionTrait,
    kinds: impl IntoIterator<Item = RecordType>,
) -> Result<(), DbErr> {
    for kind in kinds {
        session
            .execute_unprepared(&format!("DROP TABLE IF EXISTS {}", table(kind)))
            .await?;
    }
    Ok(())
}
