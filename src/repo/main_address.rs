//! One address truth for venues, the other way round. A venue's address columns
//! are fed from its main address by database triggers (docs/data-model.md); when a
//! write sets those columns on the venue itself (Signpost's own `venues.csv`,
//! `createVenue`, `updateVenue`), this writes them into the main address (the
//! `addresses` row with the venue's id) in the same transaction, so the triggers
//! feed back the same values and the next address change starts from them.

use crate::stamp::now;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

/// The venue columns an address holds.
pub const ADDRESS_COLUMNS: &[&str] = &[
    "address_1",
    "address_2",
    "city",
    "region",
    "state_province",
    "postal_code",
    "country",
];

/// The `n`th (from 1) bind placeholder of `backend`.
pub fn placeholder(backend: DatabaseBackend, n: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    }
}

/// After a write of venue `id` (`before` it, if it existed, and `after`): when its
/// address columns changed, into its main address.
pub async fn after_venue_write<M: serde::Serialize>(
    txn: &impl ConnectionTrait,
    id: uuid::Uuid,
    before: Option<&M>,
    after: &M,
) -> Result<(), DbErr> {
    let address = |model: &M| {
        let row = serde_json::to_value(model).unwrap_or_default();
        ADDRESS_COLUMNS
            .iter()
            .map(|column| row.get(*column).cloned().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let changed = match before {
        Some(before) => address(before) != address(after),
        None => true,
    };
    if !changed {
        return Ok(());
    }
    let which = format!("v.id = {}", placeholder(txn.get_database_backend(), 1));
    from_venues(txn, &which, vec![Value::from(id)]).await
}

/// Writes the address columns of the live venues `which` selects (an SQL condition
/// on `v`, e.g. `v.id IN (SELECT id FROM stage)`, with its `values`) into their
/// main addresses; a venue left with no address tombstones its main address.
pub async fn from_venues(
    txn: &impl ConnectionTrait,
    which: &str,
    values: Vec<Value>,
) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    let (distinct, at) = match backend {
        DatabaseBackend::Postgres => ("IS DISTINCT FROM", format!("${}", values.len() + 1)),
        _ => ("IS NOT", format!("?{}", values.len() + 1)),
    };
    let columns = ADDRESS_COLUMNS.join(", ");
    let selected: Vec<String> = ADDRESS_COLUMNS.iter().map(|c| format!("v.{c}")).collect();
    let updates: Vec<String> = ADDRESS_COLUMNS
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let changed: Vec<String> = ADDRESS_COLUMNS
        .iter()
        .map(|c| format!("addresses.{c} {distinct} excluded.{c}"))
        .chain(["addresses.deleted_at IS NOT NULL".to_owned()])
        .collect();
    let has_address =
        "(v.address_1 IS NOT NULL OR v.city IS NOT NULL OR v.postal_code IS NOT NULL)";
    let mut bound = values.clone();
    bound.push(Value::from(now()));
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO addresses (id, venue_id, {columns}, address_type, created_at, updated_at, version) \
             SELECT v.id, v.id, {selected}, CASE WHEN v.location_type = 'postal' THEN 'postal' \
             ELSE 'physical' END, {at}, {at}, 1 FROM venues v \
             WHERE v.deleted_at IS NULL AND {has_address} AND ({which}) \
             ON CONFLICT (id) DO UPDATE SET {updates}, updated_at = excluded.updated_at, \
             version = addresses.version + 1, deleted_at = NULL WHERE {changed}",
            selected = selected.join(", "),
            updates = updates.join(", "),
            changed = changed.join(" OR "),
        ),
        bound.clone(),
    ))
    .await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "UPDATE addresses SET deleted_at = {at}, updated_at = {at}, version = version + 1 \
             WHERE deleted_at IS NULL AND id IN (SELECT v.id FROM venues v \
             WHERE NOT {has_address} AND ({which}))"
        ),
        bound,
    ))
    .await?;
    Ok(())
}
