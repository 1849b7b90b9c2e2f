//! Writes of a record given as named fields (a GraphQL input of an HSDS object),
//! checked by the very rules that check a row of its CSV file
//! ([`crate::import::row`]): a phone made in the console and a phone in
//! `phones.csv` cannot disagree on what is valid, and a new rule is written once.
//!
//! The fields become one CSV-shaped row: every column of the record type, the
//! record's current values under an update's patch. Its problems are named by the
//! GraphQL field (`serviceId`, `opensAt`), all of them at once.

use super::{Actor, FieldProblem, Writable, WriteError};
use crate::import::header::read_header;
use crate::import::row::{Cell, read_row};
use crate::import::spec::{self, Kind};
use crate::repo::{Record, RecordType, RepoError};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

/// Named fields: a column of the record type and its text (`None`: null).
pub type Fields = Vec<(&'static str, Option<String>)>;

/// Creates a record of `kind` (table `E`) from `fields`; unnamed columns take
/// their defaults.
pub async fn create<E, C>(
    db: &C,
    kind: RecordType,
    fields: Fields,
    actor: Actor<'_>,
) -> Result<E::Model, WriteError>
where
    E: Writable,
    C: ConnectionTrait + TransactionTrait,
{
    let written: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
    let row = checked_row(db, kind, Vec::new(), fields).await?;
    let model = active_model::<E>(db, kind, &row, |name| {
        name != "id" && (written.contains(&name) || has_default(kind, name))
    })?;
    super::create::<E, C>(db, model, actor).await
}

/// Changes the fields named in `patch` of the record `id` at `expected_version`;
/// the whole record as it would be after the change is checked.
pub async fn update<E, C>(
    db: &C,
    kind: RecordType,
    id: Uuid,
    expected_version: i32,
    patch: Fields,
    actor: Actor<'_>,
) -> Result<E::Model, WriteError>
where
    E: Writable,
    C: ConnectionTrait + TransactionTrait,
{
    let current = super::fetch::<E>(db, id).await?;
    let current = current_fields(kind, &current)?;
    let patched: Vec<&str> = patch.iter().map(|(name, _)| *name).collect();
    let row = checked_row(db, kind, current, patch).await?;
    let changes = active_model::<E>(db, kind, &row, |name| patched.contains(&name))?;
    super::update::<E, C>(db, id, expected_version, changes, actor).await
}

/// A column's GraphQL field name: `service_id` → `serviceId`, `address_1` → `address1`.
pub fn field_name(column: &str) -> String {
    let mut name = String::with_capacity(column.len());
    for (index, part) in column.split('_').enumerate() {
        let mut chars = part.chars();
        match chars.next() {
            Some(first) if index > 0 => {
                name.extend(first.to_uppercase());
                name.push_str(chars.as_str());
            }
            _ => name.push_str(part),
        }
    }
    name
}

fn has_default(kind: RecordType, name: &str) -> bool {
    spec::columns(kind)
        .iter()
        .any(|column| column.name == name && column.default.is_some())
}

/// `base` (every column's current text) under `patch`, read as one row of the
/// record type's file and checked; live references are checked too.
async fn checked_row(
    db: &impl ConnectionTrait,
    kind: RecordType,
    base: Fields,
    patch: Fields,
) -> Result<Vec<(&'static spec::Column, Cell)>, WriteError> {
    let columns = spec::columns(kind);
    let text_of = |name: &str| {
        patch
            .iter()
            .chain(base.iter())
            .find(|(column, _)| *column == name)
            .and_then(|(_, text)| text.clone())
            .unwrap_or_default()
    };
    let names: Vec<&str> = columns.iter().map(|column| column.name).collect();
    let values: Vec<String> = names.iter().map(|name| text_of(name)).collect();
    let (mut header, _) =
        read_header(kind, &csv::StringRecord::from(names), true, false).map_err(|problems| {
            RepoError::Invalid(format!(
                "{kind} cannot be written from fields: {}",
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ))
        })?;
    // Problems name the caller's fields, not the file's columns.
    header.names = header.names.iter().map(|name| field_name(name)).collect();
    let (row, problems) = read_row(&header, 1, &csv::StringRecord::from(values));
    let mut problems: Vec<FieldProblem> = problems
        .into_iter()
        .map(|problem| FieldProblem {
            field: problem.column.unwrap_or_default(),
            message: problem.message,
        })
        .collect();
    let cells: Vec<(&'static spec::Column, Cell)> = header
        .present
        .iter()
        .zip(row.cells)
        .map(|(&(spec_index, _), cell)| (&columns[spec_index], cell))
        .collect();
    for (column, cell) in cells.iter().skip(1) {
        if let (Kind::Ref(target), Cell::Uuid(id)) = (column.kind, cell)
            && !is_live(db, target, *id).await?
        {
            problems.push(FieldProblem {
                field: field_name(column.name),
                message: format!("no live {} has id {id}", target.singular()),
            });
        }
    }
    if problems.is_empty() {
        Ok(cells)
    } else {
        Err(WriteError::Invalid(problems))
    }
}

/// Whether a live record of `table` has `id`.
pub async fn is_live(
    db: &impl ConnectionTrait,
    table: RecordType,
    id: Uuid,
) -> Result<bool, RepoError> {
    let query = Query::select()
        .expr_as(Expr::col("id").count(), Alias::new("n"))
        .from(Alias::new(table.name()))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("deleted_at").is_null())
        .to_owned();
    let count: i64 = match db.query_one(&query).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(count > 0)
}

/// The record's current values as the text a CSV cell of each column would hold.
fn current_fields<M: Serialize>(kind: RecordType, model: &M) -> Result<Fields, RepoError> {
    let json = serde_json::to_value(model)
        .map_err(|error| RepoError::Invalid(format!("{kind} does not serialise: {error}")))?;
    Ok(spec::columns(kind)
        .iter()
        .map(|column| {
            let text = match json.get(column.name) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(text)) => Some(text.clone()),
                Some(other) => Some(other.to_string()),
            };
            (column.name, text)
        })
        .collect())
}

/// The checked cells of the columns `wanted` keeps, as an active model.
fn active_model<E>(
    db: &impl ConnectionTrait,
    kind: RecordType,
    cells: &[(&'static spec::Column, Cell)],
    wanted: impl Fn(&str) -> bool,
) -> Result<E::ActiveModel, RepoError>
where
    E: Record,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    let mut model = <E::ActiveModel as ActiveModelTrait>::default();
    for (column, cell) in cells.iter().filter(|(column, _)| wanted(column.name)) {
        let target: E::Column = column
            .name
            .parse()
            .map_err(|_| RepoError::Invalid(format!("{kind} has no column {}", column.name)))?;
        model.try_set(target, cell.to_value(column.kind, postgres))?;
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::field_name;

    #[test]
    fn columns_are_named_as_graphql_names_them() {
        assert_eq!(field_name("service_id"), "serviceId");
        assert_eq!(field_name("address_1"), "address1");
        assert_eq!(field_name("type"), "type");
        assert_eq!(field_name("service_venue_id"), "serviceVenueId");
    }
}
