//! `/taxonomies` and `/taxonomy_terms`: vocabularies and their terms, which every
//! caller sees (docs/data-model.md), tombstones excepted. Lists are in id order,
//! the order terms are created in.

use super::ApiError;
use super::object::hsds_object;
use super::page::{PageRequest, page};
use crate::repo::{RecordType, taxonomies, taxonomy_terms};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde_json::Value;
use uuid::Uuid;

/// The fields HSDS requires of both objects.
const REQUIRED: &[&str] = &["id", "name", "description"];

/// An id from the path or the query, named when it is not one.
pub fn parse_id(parameter: &'static str, text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text.trim())
        .map_err(|_| ApiError::bad(parameter, format!("{text:?} is not an id (a UUID)")))
}

/// Whether a flag parameter is set: `true` or `false`, nothing else.
pub fn parse_flag(parameter: &'static str, text: Option<&str>) -> Result<bool, ApiError> {
    match text.map(str::trim) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ApiError::bad(
            parameter,
            format!("{other:?} is not true or false"),
        )),
    }
}

/// A page of `query`'s records as HSDS objects.
async fn page_of<E>(
    db: &impl ConnectionTrait,
    kind: RecordType,
    query: Select<E>,
    request: PageRequest,
) -> Result<Value, ApiError>
where
    E: EntityTrait,
    E::Model: serde::Serialize + Sync,
{
    let total = query.clone().count(db).await?;
    let rows = query
        .offset(request.offset())
        .limit(request.size)
        .all(db)
        .await?;
    let contents = rows
        .iter()
        .map(|row| object(kind, row))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page(request, total, contents))
}

fn object(kind: RecordType, row: &impl serde::Serialize) -> Result<Value, ApiError> {
    let model = serde_json::to_value(row)
        .map_err(|error| ApiError::Db(sea_orm::DbErr::Custom(error.to_string())))?;
    Ok(hsds_object(kind, &model, REQUIRED))
}

/// `GET /taxonomies`.
pub async fn taxonomies(
    db: &impl ConnectionTrait,
    request: PageRequest,
) -> Result<Value, ApiError> {
    let query = taxonomies::Entity::find()
        .filter(taxonomies::Column::DeletedAt.is_null())
        .order_by_asc(taxonomies::Column::Id);
    page_of(db, RecordType::Taxonomies, query, request).await
}

/// `GET /taxonomies/{id}`.
pub async fn taxonomy(db: &impl ConnectionTrait, id: &str) -> Result<Value, ApiError> {
    let found = taxonomies::Entity::find_by_id(parse_id("id", id)?)
        .filter(taxonomies::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    match found {
        Some(row) => object(RecordType::Taxonomies, &row),
        None => Err(ApiError::NotFound {
            kind: "taxonomy",
            id: id.to_owned(),
        }),
    }
}

/// What `GET /taxonomy_terms` narrows the terms to.
#[derive(Clone, Copy, Debug, Default)]
pub struct TermFilter {
    pub taxonomy_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    /// Only terms without a parent.
    pub top_only: bool,
}

/// `GET /taxonomy_terms`.
pub async fn terms(
    db: &impl ConnectionTrait,
    filter: TermFilter,
    request: PageRequest,
) -> Result<Value, ApiError> {
    use taxonomy_terms::Column;
    let mut query = taxonomy_terms::Entity::find()
        .filter(Column::DeletedAt.is_null())
        .order_by_asc(Column::Id);
    if let Some(taxonomy) = filter.taxonomy_id {
        query = query.filter(Column::TaxonomyId.eq(taxonomy));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(Column::ParentId.eq(parent));
    }
    if filter.top_only {
        query = query.filter(Column::ParentId.is_null());
    }
    page_of(db, RecordType::TaxonomyTerms, query, request).await
}

/// `GET /taxonomy_terms/{id}`.
pub async fn term(db: &impl ConnectionTrait, id: &str) -> Result<Value, ApiError> {
    let found = taxonomy_terms::Entity::find_by_id(parse_id("id", id)?)
        .filter(taxonomy_terms::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    match found {
        Some(row) => object(RecordType::TaxonomyTerms, &row),
        None => Err(ApiError::NotFound {
            kind: "taxonomy term",
            id: id.to_owned(),
        }),
    }
}
