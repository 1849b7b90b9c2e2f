//! `/service_at_locations`: each visible link of a service to a venue, with the
//! `service` and `location` it joins (HSDS `service_at_location_list`), and
//! `/service_at_locations/{id}` with everything nested in it. The filters are
//! those of `/services`, applied to the link's service; pages walk by id, as
//! `/services` does.

use super::ApiError;
use super::filters::{ServiceFilter, services_matching};
use super::page::{PageRequest, page};
use super::read::parse_id;
use super::tree::{self, Depth, ExtraOne};
use crate::hsds::nesting::Object;
use crate::read::hsds_filters::services_among;
use crate::read::visibility::visible;
use crate::read::{Frag, Table, Viewer};
use sea_orm::ConnectionTrait;
use serde_json::Value;

/// The service a link joins, nested at its top.
const SERVICE: &[ExtraOne] = &[("service", Object::Service, "service_id")];

/// Links (aliased `service_venues`) whose service (aliased `services`) meets
/// `conditions`.
fn of_services(conditions: Vec<Frag>) -> Frag {
    let mut sql = Frag::raw(
        "EXISTS (SELECT 1 FROM services WHERE services.id = service_venues.service_id AND ",
    );
    sql.append(Frag::all(conditions)).push(")");
    sql
}

/// `GET /service_at_locations`.
pub async fn service_at_locations(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &ServiceFilter,
    request: PageRequest,
) -> Result<Value, ApiError> {
    let matching = services_matching(db, viewer, filter).await?;
    let mut conditions = matching.conditions;
    if let Some(ranked) = &matching.ranked {
        conditions.push(services_among(db.get_database_backend(), ranked));
    }
    let mut shown = vec![visible(Table::ServiceVenues, "service_venues", viewer)];
    if !conditions.is_empty() {
        shown.push(of_services(conditions));
    }
    let condition = Frag::all(shown);
    let mut count = Frag::raw("SELECT COUNT(*) AS total FROM service_venues WHERE ");
    count.append(condition.clone());
    let total: i64 = match db
        .query_one_raw(count.into_statement(db.get_database_backend()))
        .await?
    {
        Some(row) => row.try_get("", "total")?,
        None => 0,
    };
    let mut paged = condition;
    paged.push(&format!(
        " ORDER BY service_venues.id LIMIT {} OFFSET {}",
        request.size,
        request.offset()
    ));
    // `rows_where` orders by id itself; the limit rides inside its condition.
    let rows = rows_paged(db, paged).await?;
    let depth = if filter.full {
        Depth::Full
    } else {
        Depth::Summary
    };
    let contents = tree::build(db, viewer, Object::ServiceAtLocation, rows, depth, SERVICE).await?;
    Ok(page(request, total.max(0) as u64, contents))
}

async fn rows_paged(db: &impl ConnectionTrait, condition: Frag) -> Result<Vec<Value>, ApiError> {
    let mut ids_sql = Frag::raw("SELECT service_venues.id AS id FROM service_venues WHERE ");
    ids_sql.append(condition);
    let ids: Vec<uuid::Uuid> = db
        .query_all_raw(ids_sql.into_statement(db.get_database_backend()))
        .await?
        .iter()
        .map(|row| row.try_get("", "id"))
        .collect::<Result<_, _>>()?;
    let rows = tree::rows_where::<crate::repo::service_venues::Entity>(
        db,
        Frag::id_in("service_venues.id", &ids, db.get_database_backend()),
    )
    .await?;
    Ok(rows)
}

/// `GET /service_at_locations/{id}`.
pub async fn service_at_location(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: &str,
) -> Result<Value, ApiError> {
    let wanted = parse_id("id", id)?;
    let condition = Frag::all([
        Frag::id_in("service_venues.id", &[wanted], db.get_database_backend()),
        visible(Table::ServiceVenues, "service_venues", viewer),
    ]);
    let rows = tree::rows_where::<crate::repo::service_venues::Entity>(db, condition).await?;
    let mut built = tree::build(
        db,
        viewer,
        Object::ServiceAtLocation,
        rows,
        Depth::Full,
        SERVICE,
    )
    .await?;
    built.pop().ok_or_else(|| ApiError::NotFound {
        kind: "service at location",
        id: id.to_owned(),
    })
}
