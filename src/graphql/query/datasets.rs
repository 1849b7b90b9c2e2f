//! `datasets`, `dataset(organisation, dataset)` and `datasetVersion(id)`: the
//! datasets kept beside the directory (exporters and admins, who may copy them
//! out through `table-data` too).

use crate::dataset::version;
use crate::error::ApiResult;
use crate::graphql::context::ReadContext;
use crate::graphql::filter::scalar::parse_id;
use crate::graphql::types::dataset::{Dataset, DatasetVersion};
use crate::read::Role;
use async_graphql::{Context, ID, Object};
use entities::datasets;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// The most datasets `datasets` lists.
const MAX_DATASETS: u64 = 1000;

fn reader<'a>(ctx: &'a Context<'_>) -> ApiResult<&'a ReadContext> {
    let read = ctx.data::<ReadContext>()?;
    read.require(Role::Exporter, "only an exporter or admin may see datasets")?;
    Ok(read)
}

#[derive(Default)]
pub struct DatasetQuery;

#[Object]
impl DatasetQuery {
    /// Every dataset (of one organisation, if given), by organisation and name.
    async fn datasets(
        &self,
        ctx: &Context<'_>,
        organisation: Option<String>,
    ) -> ApiResult<Vec<Dataset>> {
        let read = reader(ctx)?;
        let mut query = datasets::Entity::find()
            .order_by_asc(datasets::Column::Organisation)
            .order_by_asc(datasets::Column::Dataset)
            .limit(MAX_DATASETS);
        if let Some(organisation) = organisation {
            // Normalised as names are when made; a name that cannot be one has no datasets.
            let Ok(name) = crate::dataset::name::Name::parse("organisation", &organisation) else {
                return Ok(Vec::new());
            };
            query = query.filter(datasets::Column::Organisation.eq(name.as_str()));
        }
        Ok(query
            .all(&read.db)
            .await?
            .into_iter()
            .map(Dataset)
            .collect())
    }

    /// One dataset by its names.
    async fn dataset(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        dataset: String,
    ) -> ApiResult<Option<Dataset>> {
        let read = reader(ctx)?;
        match version::find(&read.db, &organisation, &dataset).await {
            Ok(found) => Ok(Some(Dataset(found))),
            Err(crate::dataset::DatasetError::NotFound(_)) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// One version by id (its progress, preview, error and data-flow state).
    async fn dataset_version(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<Option<DatasetVersion>> {
        let read = reader(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(entities::dataset_versions::Entity::find_by_id(id)
            .one(&read.db)
            .await?
            .map(DatasetVersion))
    }
}
