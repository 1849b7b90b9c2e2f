//! Loading a confirmed version: every row read as its column's type (the first
//! value that does not fit fails the version, naming its row and column), into
//! the version's own table, then published in one transaction with the
//! dataset's pointer, the version's state and the notification of the change.
//! Whatever stops it — a bad value, the database, a panic, shutdown — the table
//! is dropped, the version is `failed` with the reason, and the version served
//! before is served still.

use super::column_type::Cell;
use super::csv_file::{self, Visitor};
use super::table::Layout;
use super::version::{columns_of, current};
use super::writer::Writer;
use super::{Column, DatasetError, DatasetLimits};
use crate::store::{Key, Store};
use entities::dataset_versions::{self, DatasetVersionState as State};
use entities::datasets;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, TransactionTrait};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Rows handed from the reading thread at a time.
const BATCH: usize = 2000;
/// How often progress (`rows_done`, and `updated_at` as the heartbeat) is saved.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

type Batch = Vec<Vec<Option<Cell>>>;

/// Reads rows as their types and passes them on in batches.
struct Typed {
    columns: Vec<Column>,
    batch: Batch,
    tx: mpsc::Sender<Batch>,
}

impl Typed {
    fn send(&mut self) -> Result<(), String> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx
            .blocking_send(batch)
            .map_err(|_| "stopped: the load ended before the file did".to_owned())
    }
}

impl Visitor for Typed {
    fn header(&mut self, columns: &[String]) -> Result<(), String> {
        let confirmed: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        if columns
            .iter()
            .map(String::as_str)
            .ne(confirmed.iter().copied())
        {
            return Err(format!(
                "header row: the file's columns ({}) are not the confirmed ones ({})",
                columns.join(", "),
                confirmed.join(", ")
            ));
        }
        Ok(())
    }

    fn row(&mut self, line: u64, fields: &csv::StringRecord) -> Result<(), String> {
        let mut cells = Vec::with_capacity(fields.len());
        for (column, field) in self.columns.iter().zip(fields) {
            if field.is_empty() {
                cells.push(None);
                continue;
            }
            match column.kind.read(field) {
                Some(cell) => cells.push(Some(cell)),
                None => {
                    let shown: String = field.chars().take(60).collect();
                    return Err(format!(
                        "row {line}, column {}: {shown:?} is not {}",
                        column.name,
                        column.kind.article()
                    ));
                }
            }
        }
        self.batch.push(cells);
        if self.batch.len() >= BATCH {
            self.send()?;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), String> {
        if self.batch.is_empty() {
            return Ok(());
        }
        self.send()
    }
}

/// Loads a `processing` version to its end; the version as it ended
/// (`completed`, or `failed` with the reason).
#[tracing::instrument(name = "dataset.load", skip_all, fields(version = %version.id))]
pub async fn process(
    db: &DatabaseConnection,
    store: &Store,
    version: dataset_versions::Model,
    limits: &DatasetLimits,
) -> Result<dataset_versions::Model, DatasetError> {
    let dataset = datasets::Entity::find_by_id(version.dataset_id)
        .one(db)
        .await?
        .ok_or_else(|| DatasetError::NotFound(format!("no dataset {}", version.dataset_id)))?;
    let layout = Layout::new(
        db.get_database_backend(),
        &dataset.organisation,
        &dataset.dataset,
    );
    let started = Instant::now();
    let outcome = crate::jobs::guarded(load(db, store, &dataset, &layout, &version, limits))
        .await
        .unwrap_or_else(Err);
    match outcome {
        Ok(done) => {
            tracing::info!(
                rows = done.rows_done,
                secs = started.elapsed().as_secs_f64(),
                "dataset version completed"
            );
            Ok(done)
        }
        Err(reason) => {
            tracing::warn!(%reason, "dataset version failed");
            if let Err(error) = layout.drop(db, version.number).await {
                tracing::warn!(%error, "dropping a failed version's table");
            }
            let mut row: dataset_versions::ActiveModel = version.into();
            row.state = Set(State::Failed);
            row.error_message = Set(Some(reason));
            row.finished_at = Set(Some(crate::stamp::now()));
            row.updated_at = Set(crate::stamp::now());
            Ok(row.update(db).await?)
        }
    }
}

async fn load(
    db: &DatabaseConnection,
    store: &Store,
    dataset: &datasets::Model,
    layout: &Layout,
    version: &dataset_versions::Model,
    limits: &DatasetLimits,
) -> Result<dataset_versions::Model, String> {
    let columns = columns_of(version);
    if columns.is_empty() {
        return Err("the version has no confirmed columns".into());
    }
    let database = |error: sea_orm::DbErr| format!("database: {error}");
    layout
        .create(db, version.number, &columns)
        .await
        .map_err(database)?;
    let key = Key::parse(&version.object_key).map_err(|error| error.to_string())?;
    let (tx, mut rx) = mpsc::channel::<Batch>(4);
    let typed = Typed {
        columns: columns.clone(),
        batch: Vec::with_capacity(BATCH),
        tx,
    };
    // The visitor (the channel's sender) goes when the file ends, which ends
    // the writing loop.
    let reading = async {
        csv_file::read(store, &key, limits.file, typed)
            .await
            .map(|(_, rows)| rows)
    };
    let writing = async {
        let mut writer = Writer::start(db, layout, version.number, &columns)
            .await
            .map_err(database)?;
        let mut rows: i64 = 0;
        let mut saved = Instant::now();
        while let Some(batch) = rx.recv().await {
            for cells in &batch {
                rows += 1;
                writer.push(rows, cells);
            }
            if let Err(error) = writer.sent_when_full().await {
                writer.abort("a write failed").await;
                return Err(database(error));
            }
            if saved.elapsed() >= PROGRESS_EVERY {
                saved = Instant::now();
                progress(db, version.id, rows).await.map_err(database)?;
            }
        }
        Ok::<_, String>((writer, rows))
    };
    let (read, written) = tokio::join!(reading, writing);
    let (writer, rows) = written?;
    if let Err(problem) = read {
        writer.abort(&problem).await;
        return Err(problem);
    }
    writer.finish().await.map_err(database)?;
    publish(db, dataset, layout, version, &columns, rows)
        .await
        .map_err(database)
}

async fn progress(
    db: &DatabaseConnection,
    id: uuid::Uuid,
    rows: i64,
) -> Result<(), sea_orm::DbErr> {
    dataset_versions::ActiveModel {
        id: Set(id),
        rows_done: Set(rows),
        updated_at: Set(crate::stamp::now()),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Makes the loaded version the dataset's, in one transaction, and drops the
/// tables of versions before the one it replaces.
async fn publish(
    db: &DatabaseConnection,
    dataset: &datasets::Model,
    layout: &Layout,
    version: &dataset_versions::Model,
    columns: &[Column],
    rows: i64,
) -> Result<dataset_versions::Model, sea_orm::DbErr> {
    let replaced = current(db, dataset).await.ok().flatten();
    let now = crate::stamp::now();
    let txn = db.begin().await?;
    layout.publish(&txn, version.number, columns).await?;
    datasets::ActiveModel {
        id: Set(dataset.id),
        current_version_id: Set(Some(version.id)),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let mut row: dataset_versions::ActiveModel = version.clone().into();
    row.state = Set(State::Completed);
    row.rows_done = Set(rows);
    row.rows_total = Set(rows);
    row.finished_at = Set(Some(now));
    row.updated_at = Set(now);
    let done = row.update(&txn).await?;
    crate::notify::record(
        &txn,
        &crate::notify::Change::dataset_version(dataset, &done),
    )
    .await?;
    txn.commit().await?;
    // Readers part-way through a walk of the version just replaced may finish it.
    let mut keep = vec![version.number];
    keep.extend(replaced.map(|replaced| replaced.number));
    if let Err(error) = layout.drop_all_but(db, &keep).await {
        tracing::warn!(%error, "dropping earlier versions' tables");
    }
    Ok(done)
}
