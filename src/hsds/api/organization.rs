//! `/organizations`: providers, as HSDS `organization` objects, under the same
//! visibility rule as GraphQL (`crate::read::visibility`): anonymous callers see
//! published providers, signed-in roles that see unpublished records see those
//! too, and nobody sees tombstones. Lists are in id order.

use super::ApiError;
use super::page::PageRequest;
use super::read::{one_of, page_of, parse_id};
use crate::read::Viewer;
use crate::read::visibility::visible;
use crate::repo::{RecordType, providers};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Select};
use serde_json::Value;

/// The fields HSDS requires of an organization.
const REQUIRED: &[&str] = &["id", "name", "description"];

/// The providers `viewer` may see.
fn seen_by(viewer: &Viewer) -> Result<Select<providers::Entity>, ApiError> {
    // The table's own name is the alias sea-orm queries it by.
    let rule = visible(RecordType::Providers, "providers", viewer);
    if !rule.values.is_empty() {
        // The provider rule is a condition on the row's own columns; one that
        // needs bound values would need binding here first.
        return Err(ApiError::Db(sea_orm::DbErr::Custom(
            "the provider visibility rule takes values".into(),
        )));
    }
    Ok(providers::Entity::find().filter(Expr::cust(rule.sql)))
}

/// `GET /organizations`.
pub async fn organizations(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    request: PageRequest,
) -> Result<Value, ApiError> {
    let query = seen_by(viewer)?.order_by_asc(providers::Column::Id);
    page_of(db, RecordType::Providers, query, request, REQUIRED).await
}

/// `GET /organizations/{id}`.
pub async fn organization(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: &str,
) -> Result<Value, ApiError> {
    let id_value = parse_id("id", id)?;
    let query = seen_by(viewer)?.filter(providers::Column::Id.eq(id_value));
    one_of(
        db,
        RecordType::Providers,
        query,
        ("organization", id),
        REQUIRED,
    )
    .await
}
