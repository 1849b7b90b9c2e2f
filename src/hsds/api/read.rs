//! What every route's read shares: parameters parsed with their names, a page of
//! a query's records as HSDS objects, and one record by id.

use super::ApiError;
use super::object::hsds_object;
use super::page::{PageRequest, page};
use crate::repo::RecordType;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QuerySelect, Select};
use serde_json::Value;
use uuid::Uuid;

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

/// A record as the HSDS object of `kind`, with `required` text fields never absent.
fn object(
    kind: RecordType,
    row: &impl serde::Serialize,
    required: &[&str],
) -> Result<Value, ApiError> {
    let model = serde_json::to_value(row)
        .map_err(|error| ApiError::Db(sea_orm::DbErr::Custom(error.to_string())))?;
    Ok(hsds_object(kind, &model, required))
}

/// A page of `query`'s records (already ordered) as HSDS objects.
pub async fn page_of<E>(
    db: &impl ConnectionTrait,
    kind: RecordType,
    query: Select<E>,
    request: PageRequest,
    required: &[&str],
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
        .map(|row| object(kind, row, required))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page(request, total, contents))
}

/// The one record `query` finds, as an HSDS object; `NotFound` naming `what` and
/// `id` when there is none.
pub async fn one_of<E>(
    db: &impl ConnectionTrait,
    kind: RecordType,
    query: Select<E>,
    (what, id): (&'static str, &str),
    required: &[&str],
) -> Result<Value, ApiError>
where
    E: EntityTrait,
    E::Model: serde::Serialize + Sync,
{
    match query.one(db).await? {
        Some(row) => object(kind, &row, required),
        None => Err(ApiError::NotFound {
            kind: what,
            id: id.to_owned(),
        }),
    }
}
