//! Rows into models by position, reading only the filled columns.
//!
//! sea-orm decodes a model column by column by name: a hash lookup per column, and
//! for every NULL an error value with the column's name formatted into it (that is how
//! it tells `None` apart). A page of 50 services paid that for all 29 columns of every
//! row, though a projection ([`super::Columns`]) leaves most of them NULL in every row.
//!
//! So the first row of a result is decoded by sea-orm as before, and every later row
//! starts as a copy of that model, with only its filled columns read by index straight
//! from the driver's row and set on it. A column of a type not handled here, or a value
//! the driver will not decode as the model's type, sends that row back to sea-orm:
//! slower, never different. Reads of whole rows (`Columns::ALL`) go through sea-orm
//! alone, which keeps them the reference `tests/api/read_projection.rs` compares with.

use super::Columns;
use crate::repo::Record;
use sea_orm::sqlx::{self, Postgres, Row, Sqlite};
use sea_orm::{DbErr, FromQueryResult, Iterable, ModelTrait, QueryResult, Value};

/// The type of a filled column, as the model holds it.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Uuid,
    Int,
    BigInt,
    Bool,
    Double,
    Timestamp,
    Date,
    /// PostgreSQL only: SQLite's driver has no decimal type, so there such a row
    /// goes to sea-orm, which reads it from text or a float.
    Decimal,
}

impl Kind {
    fn of(value: &Value) -> Option<Kind> {
        Some(match value {
            Value::String(_) => Kind::Text,
            Value::Uuid(_) => Kind::Uuid,
            Value::Int(_) => Kind::Int,
            Value::BigInt(_) => Kind::BigInt,
            Value::Bool(_) => Kind::Bool,
            Value::Double(_) => Kind::Double,
            Value::ChronoDateTimeUtc(_) => Kind::Timestamp,
            Value::ChronoDate(_) => Kind::Date,
            Value::Decimal(_) => Kind::Decimal,
            _ => return None,
        })
    }

    /// The NULL of this kind.
    fn null(self) -> Value {
        match self {
            Kind::Text => Value::String(None),
            Kind::Uuid => Value::Uuid(None),
            Kind::Int => Value::Int(None),
            Kind::BigInt => Value::BigInt(None),
            Kind::Bool => Value::Bool(None),
            Kind::Double => Value::Double(None),
            Kind::Timestamp => Value::ChronoDateTimeUtc(None),
            Kind::Date => Value::ChronoDate(None),
            Kind::Decimal => Value::Decimal(None),
        }
    }

    fn read(self, row: &QueryResult, index: usize) -> Option<Value> {
        Some(match self {
            Kind::Text => Value::String(raw(row, index)?),
            Kind::Uuid => Value::Uuid(raw(row, index)?),
            Kind::Int => Value::Int(raw(row, index)?),
            Kind::BigInt => Value::BigInt(raw(row, index)?),
            Kind::Bool => Value::Bool(raw(row, index)?),
            Kind::Double => Value::Double(raw(row, index)?),
            Kind::Timestamp => Value::ChronoDateTimeUtc(raw(row, index)?),
            Kind::Date => Value::ChronoDate(raw(row, index)?),
            Kind::Decimal => Value::Decimal(
                row.try_as_pg_row()?
                    .try_get::<Option<rust_decimal::Decimal>, _>(index)
                    .ok()?,
            ),
        })
    }
}

/// Column `index` of `row` as the driver decodes it; `None` when it will not.
fn raw<T>(row: &QueryResult, index: usize) -> Option<Option<T>>
where
    T: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
    T: for<'r> sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    if let Some(row) = row.try_as_pg_row() {
        return row.try_get::<Option<T>, _>(index).ok();
    }
    row.try_as_sqlite_row()?.try_get::<Option<T>, _>(index).ok()
}

/// A filled column: which, where in the row, and of what kind.
struct Filled<C> {
    column: C,
    index: usize,
    kind: Kind,
}

/// What later rows start from: the first row's model with its filled columns emptied.
struct Template<E: Record> {
    model: E::Model,
    filled: Vec<Filled<E::Column>>,
}

/// Decodes the rows of one result whose select list is `columns` of `E`, in the
/// entity's column order, from position 0.
pub struct RowDecoder<E: Record> {
    columns: Columns,
    template: Option<Template<E>>,
    by_position: usize,
}

impl<E: Record> RowDecoder<E> {
    pub fn new(columns: Columns) -> Self {
        Self {
            columns,
            template: None,
            by_position: 0,
        }
    }

    /// How many rows were decoded by position (the others went through sea-orm).
    pub fn by_position(&self) -> usize {
        self.by_position
    }

    pub fn decode(&mut self, row: &QueryResult) -> Result<E::Model, DbErr> {
        if self.columns == Columns::ALL {
            return E::Model::from_query_result(row, "");
        }
        if let Some(template) = &self.template
            && let Some(model) = template.decode(row)
        {
            self.by_position += 1;
            return Ok(model);
        }
        let model = E::Model::from_query_result(row, "")?;
        if self.template.is_none() {
            self.template = Template::from_first(&model, self.columns);
        }
        Ok(model)
    }
}

impl<E: Record> Template<E> {
    /// The template of a result whose first row is `first`; `None` if a filled column
    /// is of a kind not handled here.
    fn from_first(first: &E::Model, columns: Columns) -> Option<Self> {
        let filled = E::Column::iter()
            .enumerate()
            .filter(|(index, _)| columns.fills(*index))
            .map(|(index, column)| {
                Kind::of(&first.get(column)).map(|kind| Filled {
                    column,
                    index,
                    kind,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        // Every later row overwrites the filled columns: empty those that can be, so
        // copying the template does not copy the first row's text.
        let mut model = first.clone();
        for filled in &filled {
            let _ = model.try_set(filled.column, filled.kind.null());
        }
        Some(Self { model, filled })
    }

    /// `row` as a model, its filled columns read by position.
    fn decode(&self, row: &QueryResult) -> Option<E::Model> {
        let mut model = self.model.clone();
        for filled in &self.filled {
            let value = filled.kind.read(row, filled.index)?;
            model.try_set(filled.column, value).ok()?;
        }
        Some(model)
    }
}
