//! One keyset page of any record type's rows as JSON objects: every column
//! (references as ids), plus `deleted`.

use crate::repo::RecordType;
use crate::repo::record::Record;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ConnectionTrait, DbErr, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::{Map, Value};
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
        }
    }};
}

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

/// One exported row and its position in the ordering.
pub struct ExportRow {
    pub object: Map<String, Value>,
    pub position: Position,
}

/// Up to `limit` rows of `kind` after `after`.
pub async fn after(
    db: &impl ConnectionTrait,
    kind: RecordType,
    order: Order,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<ExportRow>, DbErr> {
    for_kind!(kind, page(db, order, after, limit).await)
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

async fn page<E: Record>(
    db: &impl ConnectionTrait,
    order: Order,
    after: Option<Position>,
    limit: u64,
) -> Result<Vec<ExportRow>, DbErr>
where
    E::Model: Serialize,
{
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
    let models = query.limit(limit).all(db).await?;
    let incremental = matches!(order, Order::ChangedSince(_));
    models
        .into_iter()
        .map(|model| {
            let Value::Object(mut object) = serde_json::to_value(&model)
                .map_err(|error| DbErr::Custom(format!("exporting a row: {error}")))?
            else {
                return Err(DbErr::Custom("a row is not a JSON object".into()));
            };
            let position = position_of(&object, incremental)?;
            let deleted = object.get("deleted_at").is_some_and(|at| !at.is_null());
            object.insert("deleted".into(), Value::Bool(deleted));
            Ok(ExportRow { object, position })
        })
        .collect()
}

fn position_of(object: &Map<String, Value>, incremental: bool) -> Result<Position, DbErr> {
    let text = |name: &str| object.get(name).and_then(Value::as_str).unwrap_or_default();
    let id = text("id")
        .parse()
        .map_err(|_| DbErr::Custom("an exported row has no id".into()))?;
    let updated_at = if incremental {
        Some(
            text("updated_at")
                .parse()
                .map_err(|_| DbErr::Custom("an exported row has no updated_at".into()))?,
        )
    } else {
        None
    };
    Ok(Position { updated_at, id })
}
