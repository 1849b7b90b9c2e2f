//! Confirming a dry run: its stored file applied as a new import with the same
//! options (`confirmImport`), at most once.
//!
//! "At most once" is the database's: `imports.confirms` is unique, so a browser
//! retrying after a lost connection, or two replicas receiving the same
//! confirmation, make one import between them, and the loser of the race
//! answers the winner's import instead of an error.

use super::run::ImportError;
use crate::error::{ApiResult, AppError};
use entities::imports::{self, Column, Entity, ImportState};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, SqlErr};
use uuid::Uuid;

/// The import that applied `dry_run`, if it has been confirmed.
pub async fn confirmation(
    db: &impl ConnectionTrait,
    dry_run: Uuid,
) -> Result<Option<imports::Model>, DbErr> {
    Entity::find()
        .filter(Column::Confirms.eq(dry_run))
        .one(db)
        .await
}

/// Whether `import` may be confirmed: a dry run that found nothing wrong
/// (`VALIDATED`). Otherwise the error says why, and what to do instead.
pub fn confirmable(import: &imports::Model) -> ApiResult<()> {
    let id = import.id;
    if !import.dry_run {
        return Err(AppError::bad_input(
            "id",
            format!(
                "import {id} is not a dry run: it was applied (or refused) when it ran; confirm a dry run (dryRun: true) instead"
            ),
        ));
    }
    match import.state {
        ImportState::Validated => Ok(()),
        ImportState::Failed => Err(AppError::bad_input(
            "id",
            format!("import {id} is a dry run that FAILED: fix the file and upload it again"),
        )),
        ImportState::Uploaded | ImportState::Validating => Err(AppError::conflict(format!(
            "import {id} is a dry run still being checked ({}): confirm it once it is VALIDATED",
            state_name(import.state)
        ))),
        ImportState::Applying | ImportState::Completed => Err(AppError::bad_input(
            "id",
            format!(
                "import {id} is a dry run that is {}, not VALIDATED",
                state_name(import.state)
            ),
        )),
    }
}

/// A state as the API spells it.
fn state_name(state: ImportState) -> &'static str {
    match state {
        ImportState::Uploaded => "UPLOADED",
        ImportState::Validating => "VALIDATING",
        ImportState::Validated => "VALIDATED",
        ImportState::Applying => "APPLYING",
        ImportState::Completed => "COMPLETED",
        ImportState::Failed => "FAILED",
    }
}

/// Whether recording an import failed because another import already confirms
/// the same dry run (the unique `confirms`).
pub fn lost_race(error: &ImportError) -> bool {
    matches!(error, ImportError::Db(error)
        if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))))
}
