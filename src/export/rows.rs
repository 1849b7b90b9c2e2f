//! One keyset page of any record type's rows — every column, references as ids —
//! handed to a [`RowSink`] that writes them in its own format.

use crate::repo::RecordType;
use crate::repo::record::Record;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ConnectionTrait, DbErr, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

/// Calls the generic function `f::<Entity>(args)` for the entity of `kind`.
macro_rules! for_kind {
    ($kind:expr, $f:ident ( $($arg:expr),* ) $(. $await:ident)?) => {{
        use crate::repo::*;
        match $kind {
            RecordType::Providers => $f::<providers::Entity>($($arg),*)$(.$await)?,
            RecordType::Services => $f::<services::Entity>($($arg),*)$(.$await)?,
            RecordType::Venues => $f::<venues::Entity>($($arg),*)$(.$await)?,
            RecordType::ServiceVenues => $f::<service_venues::Entity>($($arg),*)$(.$await)?,
            RecordType::Contacts => $f::<contacts::Entity>($($arg),*)$(.$await)?,
            RecordType::Eligibilities => $f::<eligibilities::Entity>($($arg),*)$(.$await)?,
            RecordType::ServiceEligibilities => $f::<service_eligibilities::Entity>($($arg),*)$(.$await)?,
            RecordType::CostOptions => $f::<cost_options::Entity>($($arg),*)$(.$await)?,
            RecordType::Events => $f::<events::Entity>($($arg),*)$(.$await)?,
            RecordType::Taxonomies => $f::<taxonomies::Entity>($($arg),*)$(.$await)?,
            RecordType::TaxonomyTerms => $f::<taxonomy_terms::Entity>($($arg),*)$(.$await)?,
            RecordType::TaxonomyRefs => $f::<taxonomy_refs::Entity>($($arg),*)$(.$await)?,
            RecordType::Programs => $f::<programs::Entity>($($arg),*)$(.$await)?,
            RecordType::Phones => $f::<phones::Entity>($($arg),*)$(.$await)?,
            RecordType::Schedules => $f::<schedules::Entity>($($arg),*)$(.$await)?,
            RecordType::Addresses => $f::<addresses::Entity>($($arg),*)$(.$await)?,
            RecordType::Languages => $f::<languages::Entity>($($arg),*)$(.$await)?,
            RecordType::Accessibility => $f::<accessibility::Entity>($($arg),*)$(.$await)?,
            RecordType::ServiceAreas => $f::<service_areas::Entity>($($arg),*)$(.$await)?,
            RecordType::Funding => $f::<funding::Entity>($($arg),*)$(.$await)?,
            RecordType::RequiredDocuments => $f::<required_documents::Entity>($($arg),*)$(.$await)?,
            RecordType::OrganizationIdentifiers => $f::<organization_identifiers::Entity>($($arg),*)$(.$await)?,
            RecordType::MetaTableDescriptions => $f::<meta_table_descriptions::Entity>($($arg),*)$(.$await)?,
            RecordType::Metadata => $f::<metadata::Entity>($($arg),*)$(.$await)?,
        }
    }};
}

pub(crate) use for_kind;

/// Where a page starts: after this row of the ordering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    /// Set when the ordering is `(updated_at, id)`.
    #[serde(rename = "u", skip_serializing_if = "Option::is_none", default)]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(rename = "i")]
    pub id: Uuid,
}

/// Which rows, in which order.
#[derive(Clone, Copy, Debug)]
pub enum Order {
    /// Live rows by id: a full copy.
    Full,
    /// Every row (tombstones included) changed at or after `since`, by
    /// `(updated_at, id)`.
    ChangedSince(DateTime<Utc>),
    /// Every row, tombstones included, by id (the compatibility routes).
    AllById,
}

/// Where a page's rows go: each consumer writes them straight into its own
/// output (JSON text, CSV, GraphQL values), with no intermediate per-row map.
pub trait RowSink {
    /// One row (a sea-orm model, whose fields are the table's columns) and
    /// whether it is a tombstone.
    fn row<M: Serialize>(&mut self, model: &M, deleted: bool);
}

/// A row as the export query and NDJSON show it: its columns and `deleted`.
#[derive(Serialize)]
pub struct Exported<'a, M> {
    #[serde(flatten)]
    pub row: &'a M,
    pub deleted: bool,
}

/// What one page read.
#[derive(Debug, Default)]
pub struct Fetched {
    pub rows: usize,
    /// The position of the page's last row.
    pub last: Option<Position>,
    /// More rows follow.
    pub more: bool,
}

/// Up to `limit` rows of `kind` after `after`, into `sink`.
pub async fn after<S: RowSink + Send>(
    db: &impl ConnectionTrait,
    kind: RecordType,
    order: Order,
    after: Option<Position>,
    limit: u64,
    sink: &mut S,
) -> Result<Fetched, DbErr> {
    for_kind!(kind, page(db, order, after, limit, sink).await)
}

/// The columns of `kind`'s table with their PostgreSQL type names, in table
/// order (the generated search column aside).
pub fn columns(kind: RecordType) -> Vec<(String, &'static str)> {
    for_kind!(kind, columns_of())
}

fn columns_of<E: Record>() -> Vec<(String, &'static str)> {
    use sea_orm::sea_query::ColumnType as T;
    use sea_orm::{ColumnTrait, IdenStatic, Iterable};
    E::Column::iter()
        .map(|column| {
            let name = match column.def().get_column_type() {
                T::Uuid => "UUID",
                T::Integer => "INTEGER",
                T::BigInteger => "BIGINT",
                T::SmallInteger => "SMALLINT",
                T::Boolean => "BOOLEAN",
                T::Date => "DATE",
                T::TimestampWithTimeZone => "TIMESTAMP WITH TIME ZONE",
                T::DateTime | T::Timestamp => "TIMESTAMP WITHOUT TIME ZONE",
                T::Decimal(_) | T::Money(_) => "NUMERIC",
                T::Double => "DOUBLE PRECISION",
                T::Float => "REAL",
                T::Json | T::JsonBinary => "JSONB",
                _ => "TEXT",
            };
            (column.as_str().to_owned(), name)
        })
        .collect()
}

fn col<E: Record>(name: &'static str) -> Expr {
    Expr::col((E::TABLE, name))
}

fn column<E: Record>(name: &'static str) -> Result<E::Column, DbErr> {
    use std::str::FromStr;
    E::Column::from_str(name).map_err(|_| DbErr::Custom(format!("{} has no {name}", E::TABLE)))
}

async fn page<E: Record>(
    db: &impl ConnectionTrait,
    order: Order,
    after: Option<Position>,
    limit: u64,
    sink: &mut (impl RowSink + Send),
) -> Result<Fetched, DbErr>
where
    E::Model: Serialize,
{
    use sea_orm::{ModelTrait, Value as V};
    let mut query = E::find();
    match order {
        Order::Full | Order::AllById => {
            if matches!(order, Order::Full) {
                query = query.filter(col::<E>("deleted_at").is_null());
            }
            if let Some(after) = after {
                query = query.filter(col::<E>("id").gt(after.id));
            }
            query = query.order_by_asc(col::<E>("id"));
        }
        Order::ChangedSince(since) => {
            query = query.filter(col::<E>("updated_at").gte(since));
            if let Some(Position {
                updated_at: Some(at),
                id,
            }) = after
            {
                query = query.filter(
                    col::<E>("updated_at")
                        .gt(at)
                        .or(col::<E>("updated_at").eq(at).and(col::<E>("id").gt(id))),
                );
            }
            query = query
                .order_by_asc(col::<E>("updated_at"))
                .order_by_asc(col::<E>("id"));
        }
    }
    let mut models = query.limit(limit + 1).all(db).await?;
    let more = models.len() as u64 > limit;
    models.truncate(limit as usize);
    let (id, updated_at, deleted_at) = (
        column::<E>("id")?,
        column::<E>("updated_at")?,
        column::<E>("deleted_at")?,
    );
    for model in &models {
        let deleted = !matches!(model.get(deleted_at), V::ChronoDateTimeUtc(None));
        sink.row(model, deleted);
    }
    let last = match models.last() {
        None => None,
        Some(model) => {
            let V::Uuid(Some(last_id)) = model.get(id) else {
                return Err(DbErr::Custom(format!("{} row without an id", E::TABLE)));
            };
            let at = match (order, model.get(updated_at)) {
                (Order::ChangedSince(_), V::ChronoDateTimeUtc(Some(at))) => Some(at),
                (Order::ChangedSince(_), _) => {
                    return Err(DbErr::Custom(format!(
                        "{} row without updated_at",
                        E::TABLE
                    )));
                }
                _ => None,
            };
            Some(Position {
                updated_at: at,
                id: last_id,
            })
        }
    };
    Ok(Fetched {
        rows: models.len(),
        last,
        more,
    })
}
