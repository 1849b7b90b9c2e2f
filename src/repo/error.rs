//! What can go wrong in data access, in terms a caller can act on.
//!
//! Constraint violations are classified where the statement fails (no racing
//! pre-checks): the database is the one place that knows.

use sea_orm::sqlx::error::ErrorKind;
use sea_orm::{DbErr, RuntimeErr};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: Uuid },
    #[error("{kind} {id} has version {actual}, not {expected}: it was changed by someone else")]
    Conflict {
        kind: &'static str,
        id: Uuid,
        expected: i32,
        actual: i32,
    },
    #[error("{kind} {id} still has live {}; delete them first or ask for a cascade", describe(.children))]
    HasLiveChildren {
        kind: &'static str,
        id: Uuid,
        children: Vec<(&'static str, u64)>,
    },
    #[error("duplicate: {0}")]
    Duplicate(String),
    #[error("reference to a record that does not exist: {0}")]
    InvalidReference(String),
    #[error("invalid value: {0}")]
    Invalid(String),
    #[error(transparent)]
    Db(DbErr),
}

fn describe(children: &[(&'static str, u64)]) -> String {
    children
        .iter()
        .map(|(table, count)| format!("{table} ({count})"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<DbErr> for RepoError {
    fn from(error: DbErr) -> Self {
        let database_error = match &error {
            DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
                e.as_database_error()
            }
            _ => None,
        };
        let Some(db_error) = database_error else {
            return Self::Db(error);
        };
        let detail = db_error
            .constraint()
            .map(str::to_owned)
            .unwrap_or_else(|| db_error.message().to_owned());
        match db_error.kind() {
            ErrorKind::UniqueViolation => Self::Duplicate(detail),
            ErrorKind::ForeignKeyViolation => Self::InvalidReference(detail),
            ErrorKind::CheckViolation | ErrorKind::NotNullViolation => Self::Invalid(detail),
            _ => Self::Db(error),
        }
    }
}
