//! Scalars of the schema beyond GraphQL's own: `Date` (a calendar date, ISO 8601
//! `YYYY-MM-DD`). `DateTime` (RFC 3339, UTC) and `Decimal` (a string, exact) come
//! from async-graphql.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;
use serde::Serialize;

/// A calendar date, `YYYY-MM-DD` (ISO 8601).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("not a date (YYYY-MM-DD): {text}"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<Date> for sea_orm::Value {
    fn from(date: Date) -> Self {
        date.0.into()
    }
}
