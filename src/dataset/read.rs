//! Reading a dataset's rows as every route serves them: the version a reader
//! starts on, and pages of it by row number. A walk names its version (in the
//! `next` link or the cursor), so it finishes on the version it began on while
//! that version's table is kept (the current and the one before), and is told
//! to start again otherwise.

use super::table::Layout;
use super::version::{columns_of, current, find};
use super::{Column, DatasetError};
use entities::dataset_versions::{self, DatasetVersionState as State};
use entities::datasets;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// A version being read.
#[derive(Clone, Debug)]
pub struct Reading {
    pub dataset: datasets::Model,
    pub version: dataset_versions::Model,
    pub columns: Vec<Column>,
    pub layout: Layout,
}

/// A page of rows: each row's number and its values as text.
pub type Rows = Vec<(i64, Vec<Option<String>>)>;

/// What to read: the current version of `organisation`/`dataset`, or version
/// `number` of it when a walk began there.
pub async fn reading(
    db: &impl ConnectionTrait,
    organisation: &str,
    dataset: &str,
    number: Option<i32>,
) -> Result<Reading, DatasetError> {
    reading_of(db, find(db, organisation, dataset).await?, number).await
}

/// [`reading`] of a dataset already found.
pub async fn reading_of(
    db: &impl ConnectionTrait,
    dataset: datasets::Model,
    number: Option<i32>,
) -> Result<Reading, DatasetError> {
    let version = match number {
        None => current(db, &dataset).await?.ok_or_else(|| {
            DatasetError::NotFound(format!(
                "dataset {}/{} has no completed version yet",
                dataset.organisation, dataset.dataset
            ))
        })?,
        Some(number) => dataset_versions::Entity::find()
            .filter(dataset_versions::Column::DatasetId.eq(dataset.id))
            .filter(dataset_versions::Column::Number.eq(number))
            .filter(dataset_versions::Column::State.eq(State::Completed))
            .one(db)
            .await?
            .ok_or_else(|| gone(&dataset, number))?,
    };
    Ok(Reading {
        layout: Layout::new(
            db.get_database_backend(),
            &dataset.organisation,
            &dataset.dataset,
        ),
        columns: columns_of(&version),
        dataset,
        version,
    })
}

fn gone(dataset: &datasets::Model, number: i32) -> DatasetError {
    DatasetError::Conflict(format!(
        "version {number} of {}/{} is no longer served (a newer version replaced it during the walk); start again",
        dataset.organisation, dataset.dataset
    ))
}

impl Reading {
    /// Up to `limit` rows after row `after`.
    pub async fn page(
        &self,
        db: &impl ConnectionTrait,
        after: i64,
        limit: u64,
    ) -> Result<Rows, DatasetError> {
        let number = self.version.number;
        match self
            .layout
            .page(db, number, &self.columns, after, limit)
            .await
        {
            Ok(rows) => Ok(rows),
            // Its table went between reading the version and its rows.
            Err(error) if self.table_gone(db).await => {
                tracing::info!(%error, "a dataset version's table went during a read");
                Err(gone(&self.dataset, number))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Up to `limit` rows after row `after`, and whether more follow.
    pub async fn page_and_more(
        &self,
        db: &impl ConnectionTrait,
        after: i64,
        limit: u64,
    ) -> Result<(Rows, bool), DatasetError> {
        let mut rows = self.page(db, after, limit.saturating_add(1)).await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok((rows, more))
    }

    async fn table_gone(&self, db: &impl ConnectionTrait) -> bool {
        let current = datasets::Entity::find_by_id(self.dataset.id).one(db).await;
        !matches!(current, Ok(Some(dataset)) if dataset.current_version_id == Some(self.version.id))
    }
}
