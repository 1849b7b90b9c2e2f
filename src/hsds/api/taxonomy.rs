//! `/taxonomies` and `/taxonomy_terms`: vocabularies and their terms, which every
//! caller sees (docs/data-model.md), tombstones excepted. Lists are in id order,
//! the order terms are created in.

use super::ApiError;
use super::page::PageRequest;
use super::read::{one_of, page_of, parse_id};
use crate::repo::{RecordType, taxonomies, taxonomy_terms};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use uuid::Uuid;

/// The fields HSDS requires of both objects.
const REQUIRED: &[&str] = &["id", "name", "description"];

/// `GET /taxonomies`.
pub async fn taxonomies(
    db: &impl ConnectionTrait,
    request: PageRequest,
) -> Result<Value, ApiError> {
    let query = taxonomies::Entity::find()
        .filter(taxonomies::Column::DeletedAt.is_null())
        .order_by_asc(taxonomies::Column::Id);
    page_of(db, RecordType::Taxonomies, query, request, REQUIRED).await
}

/// `GET /taxonomies/{id}`.
pub async fn taxonomy(db: &impl ConnectionTrait, id: &str) -> Result<Value, ApiError> {
    let query = taxonomies::Entity::find_by_id(parse_id("id", id)?)
        .filter(taxonomies::Column::DeletedAt.is_null());
    one_of(
        db,
        RecordType::Taxonomies,
        query,
        ("taxonomy", id),
        REQUIRED,
    )
    .await
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
    page_of(db, RecordType::TaxonomyTerms, query, request, REQUIRED).await
}

/// `GET /taxonomy_terms/{id}`.
pub async fn term(db: &impl ConnectionTrait, id: &str) -> Result<Value, ApiError> {
    let query = taxonomy_terms::Entity::find_by_id(parse_id("id", id)?)
        .filter(taxonomy_terms::Column::DeletedAt.is_null());
    one_of(
        db,
        RecordType::TaxonomyTerms,
        query,
        ("taxonomy term", id),
        REQUIRED,
    )
    .await
}
