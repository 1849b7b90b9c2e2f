//! Datasets and their versions (`sql/datasets.sql`), and the `notifications`
//! outbox through which data-flow and webhooks hear of completed changes. The
//! datasets' own tables are not made here: each is created when its first version
//! completes (see `signpost::dataset::table`).

use crate::render;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000016_datasets"
    }
}

const TABLES: &[&str] = &["notifications", "dataset_versions", "datasets"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        render::execute(
            manager.get_connection(),
            include_str!("sql/datasets.sql"),
            manager.get_database_backend(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&render::drop_tables(TABLES))
            .await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
