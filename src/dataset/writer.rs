//! Rows into a version's table as fast as each backend takes them: PostgreSQL
//! through `COPY … FROM STDIN` ([`crate::import::copy`]), SQLite through
//! multi-row `INSERT`s of as many rows as its bound-variable limit allows, each
//! its own short transaction so that other writers are never held up for a whole
//! file. The table is out of every reader's sight until it is published, so
//! neither needs one transaction around the load.

use super::Column;
use super::column_type::{Cell, timestamp_text};
use super::name::{ROW_COLUMN, quoted};
use super::table::Layout;
use crate::import::copy::{CopyIn, push_field};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement, Value};

/// SQLite's bound variables per statement (its limit is 32766).
const SQLITE_VARIABLES: usize = 30_000;

pub enum Writer {
    Postgres(CopyIn),
    Sqlite {
        db: DatabaseConnection,
        insert: String,
        width: usize,
        per_statement: usize,
        values: Vec<Value>,
    },
}

impl Writer {
    pub async fn start(
        db: &DatabaseConnection,
        layout: &Layout,
        number: i32,
        columns: &[Column],
    ) -> Result<Self, DbErr> {
        let mut names = vec![quoted(ROW_COLUMN)];
        names.extend(columns.iter().map(|c| quoted(&c.name)));
        if db.get_database_backend() == DatabaseBackend::Postgres {
            let statement = format!(
                "COPY {} ({}) FROM STDIN",
                layout.table(number),
                names.join(", ")
            );
            let copy = CopyIn::start(db, &statement)
                .await
                .map_err(|error| DbErr::Custom(format!("starting COPY: {error}")))?;
            return Ok(Self::Postgres(copy));
        }
        let width = names.len();
        Ok(Self::Sqlite {
            db: db.clone(),
            insert: format!(
                "INSERT INTO {} ({}) VALUES ",
                layout.table(number),
                names.join(", ")
            ),
            width,
            per_statement: (SQLITE_VARIABLES / width).max(1),
            values: Vec::with_capacity(SQLITE_VARIABLES),
        })
    }

    /// Adds row `number` (its cells in column order, `None` for empty).
    pub fn push(&mut self, number: i64, cells: &[Option<Cell>]) {
        match self {
            Self::Postgres(copy) => {
                let out = copy.rows();
                out.extend_from_slice(number.to_string().as_bytes());
                for cell in cells {
                    out.push(b'\t');
                    match cell {
                        None => push_field(out, None),
                        Some(Cell::Integer(n)) => out.extend_from_slice(n.to_string().as_bytes()),
                        Some(Cell::Numeric(text)) => push_field(out, Some(text)),
                        Some(Cell::Boolean(b)) => out.push(if *b { b't' } else { b'f' }),
                        Some(Cell::Date(day)) => {
                            out.extend_from_slice(day.format("%Y-%m-%d").to_string().as_bytes());
                        }
                        Some(Cell::Timestamp(at)) => {
                            out.extend_from_slice(timestamp_text(at).as_bytes());
                        }
                        Some(Cell::Text(text)) => push_field(out, Some(text)),
                    }
                }
                out.push(b'\n');
            }
            Self::Sqlite { values, .. } => {
                values.push(number.into());
                values.extend(cells.iter().map(|cell| match cell {
                    None => Value::String(None),
                    Some(Cell::Integer(n)) => (*n).into(),
                    Some(Cell::Numeric(text)) => text.clone().into(),
                    Some(Cell::Boolean(b)) => i64::from(*b).into(),
                    Some(Cell::Date(day)) => day.format("%Y-%m-%d").to_string().into(),
                    Some(Cell::Timestamp(at)) => timestamp_text(at).into(),
                    Some(Cell::Text(text)) => text.clone().into(),
                }));
            }
        }
    }

    /// Sends what has gathered once there is enough for one round trip.
    pub async fn sent_when_full(&mut self) -> Result<(), DbErr> {
        match self {
            Self::Postgres(copy) => copy
                .sent_when_full()
                .await
                .map_err(|error| DbErr::Custom(format!("COPY: {error}"))),
            Self::Sqlite {
                width,
                per_statement,
                values,
                ..
            } => {
                if values.len() / *width >= *per_statement {
                    self.insert_gathered().await?;
                }
                Ok(())
            }
        }
    }

    async fn insert_gathered(&mut self) -> Result<(), DbErr> {
        let Self::Sqlite {
            db,
            insert,
            width,
            values,
            ..
        } = self
        else {
            return Ok(());
        };
        if values.is_empty() {
            return Ok(());
        }
        let rows = values.len() / *width;
        let tuple = format!("({})", vec!["?"; *width].join(", "));
        let sql = format!("{insert}{}", vec![tuple.as_str(); rows].join(", "));
        let values = std::mem::take(values);
        db.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            sql,
            values,
        ))
        .await?;
        Ok(())
    }

    /// Sends the rest.
    pub async fn finish(mut self) -> Result<(), DbErr> {
        match self {
            Self::Postgres(copy) => copy
                .finish()
                .await
                .map_err(|error| DbErr::Custom(format!("COPY: {error}"))),
            Self::Sqlite { .. } => self.insert_gathered().await,
        }
    }

    /// Gives up (the caller drops the table).
    pub async fn abort(self, why: &str) {
        if let Self::Postgres(copy) = self {
            copy.abort(why.to_owned()).await;
        }
    }
}
