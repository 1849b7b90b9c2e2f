//! Ingest runs that reach their end with some files failed get a state of their
//! own, `completed_with_failures`, instead of passing as `completed`.
//!
//! PostgreSQL swaps the CHECK constraint; SQLite cannot alter one, so the table is
//! rebuilt (nothing refers to it) with its rows and index, inside the migration's
//! transaction. Going down, such runs become `completed` again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000006_ingest_outcome"
    }
}

const STATES_BEFORE: &str = "'queued', 'running', 'completed', 'failed'";
const STATES_AFTER: &str = "'queued', 'running', 'completed', 'completed_with_failures', 'failed'";

/// The table as the operations migration made it, with `states` allowed.
fn table(name: &str, states: &str) -> String {
    format!(
        "CREATE TABLE {name} (
            id {{uuid}} NOT NULL PRIMARY KEY,
            source TEXT NOT NULL,
            trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'mutation', 'cli')),
            state TEXT NOT NULL CHECK (state IN ({states})),
            force {{bool}} NOT NULL DEFAULT {{false}},
            files_seen INTEGER NOT NULL DEFAULT 0,
            files_fetched INTEGER NOT NULL DEFAULT 0,
            files_loaded INTEGER NOT NULL DEFAULT 0,
            files_failed INTEGER NOT NULL DEFAULT 0,
            error_message TEXT,
            holder TEXT,
            started_at {{ts}} NOT NULL,
            heartbeat_at {{ts}},
            finished_at {{ts}}
        )"
    )
}

async fn allow(manager: &SchemaManager<'_>, states: &str) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let db = manager.get_connection();
    if backend == DatabaseBackend::Postgres {
        db.execute_unprepared(&format!(
            "ALTER TABLE ingest_runs DROP CONSTRAINT ingest_runs_state_check; \
             ALTER TABLE ingest_runs ADD CONSTRAINT ingest_runs_state_check CHECK (state IN ({states}))"
        ))
        .await?;
        return Ok(());
    }
    let create = crate::render::render(&table("ingest_runs_rebuilt", states), backend);
    db.execute_unprepared(&create).await?;
    db.execute_unprepared("INSERT INTO ingest_runs_rebuilt SELECT * FROM ingest_runs")
        .await?;
    db.execute_unprepared("DROP TABLE ingest_runs").await?;
    db.execute_unprepared("ALTER TABLE ingest_runs_rebuilt RENAME TO ingest_runs")
        .await?;
    db.execute_unprepared(
        "CREATE INDEX ingest_runs_source_idx ON ingest_runs (source, started_at)",
    )
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow(manager, STATES_AFTER).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE ingest_runs SET state = 'completed' WHERE state = 'completed_with_failures'",
            )
            .await?;
        allow(manager, STATES_BEFORE).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
