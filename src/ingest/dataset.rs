//! The `dataset` loader: a source's file becomes a new version of a dataset,
//! previewed and loaded as an upload would be, confirmed without a person. So
//! that a column does not change type because one day's file happened to hold
//! only whole numbers, each column keeps the type the current version gave it
//! wherever every value still fits that type.

use super::IngestError;
use super::config::SourceConfig;
use crate::dataset::version::{self, columns_of, preview_of};
use crate::dataset::{DatasetError, DatasetLimits, load};
use crate::store::{ObjectMeta, Store};
use entities::dataset_versions::DatasetVersionState as State;
use sea_orm::DatabaseConnection;

fn failed(error: DatasetError) -> IngestError {
    match error {
        DatasetError::Db(error) => IngestError::Db(error),
        DatasetError::Store(error) => IngestError::Store(error),
        other => IngestError::Load(other.to_string()),
    }
}

/// Loads the stored file `name` into `organisation`/`dataset`; the rows loaded.
pub async fn load_file(
    db: &DatabaseConnection,
    store: &Store,
    source: &SourceConfig,
    organisation: &str,
    dataset: &str,
    name: &str,
    meta: &ObjectMeta,
) -> Result<u64, IngestError> {
    let actor = format!("ingest:{}", source.name);
    let found = match version::find(db, organisation, dataset).await {
        Ok(found) => found,
        Err(DatasetError::NotFound(_)) => version::create(db, organisation, dataset, Some(&actor))
            .await
            .map_err(failed)?,
        Err(error) => return Err(failed(error)),
    };
    let limits = DatasetLimits {
        max_file_bytes: source.max_bytes,
        ..DatasetLimits::default()
    };
    let (_, body) = store.get(&meta.key).await?;
    let uploaded = version::upload(db, store, &found, name, body, &limits, Some(&actor))
        .await
        .map_err(failed)?;
    let verified = version::verify(db, store, uploaded, &limits)
        .await
        .map_err(failed)?;
    if verified.state != State::Verified {
        return Err(IngestError::Load(format!(
            "dataset version {}: {}",
            verified.number,
            verified.error_message.unwrap_or_default()
        )));
    }
    let kept = match version::current(db, &found).await.map_err(failed)? {
        Some(current) => columns_of(&current),
        None => Vec::new(),
    };
    let overrides: Vec<(String, String)> = preview_of(&verified)
        .map(|preview| preview.columns)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|column| {
            let earlier = kept.iter().find(|kept| kept.name == column.name)?;
            column
                .fits
                .contains(&earlier.kind)
                .then(|| (column.name, earlier.kind.name().to_owned()))
        })
        .collect();
    let confirmed = version::confirm(db, verified.id, &overrides)
        .await
        .map_err(failed)?;
    let done = load::process(db, store, confirmed, &limits)
        .await
        .map_err(failed)?;
    if done.state != State::Completed {
        return Err(IngestError::Load(format!(
            "dataset version {}: {}",
            done.number,
            done.error_message.unwrap_or_default()
        )));
    }
    Ok(u64::try_from(done.rows_total).unwrap_or(0))
}
