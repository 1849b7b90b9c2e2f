//! Typed operators on scalar fields: every operator given must hold (AND). Each
//! input checks its values, naming the field at fault, and hands them to
//! [`crate::read::filter`] for the SQL. Text matching (`contains`, `startsWith`)
//! ignores ASCII case on both databases.

use super::FieldPath;
use crate::error::{ApiResult, AppError};
use crate::graphql::scalars::Date;
use crate::read::Frag;
use crate::read::filter::{self, Cmp};
use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};
use sea_orm::Value;
use serde::Serialize;
use uuid::Uuid;

/// An input that constrains one column.
pub trait ColumnFilter {
    /// The condition on `column` (qualified by its table's alias); errors name `at`.
    fn condition(&self, at: &FieldPath<'_>, column: &str) -> ApiResult<Frag>;
}

/// A flag column equal to the value given (`published: true`).
impl ColumnFilter for bool {
    fn condition(&self, _: &FieldPath<'_>, column: &str) -> ApiResult<Frag> {
        Ok(filter::compare(column, Cmp::Eq, *self))
    }
}

/// The comparisons given, each against its value.
fn compared<T: Into<Value> + Clone>(column: &str, ops: &[(Cmp, &Option<T>)]) -> Vec<Frag> {
    ops.iter()
        .filter_map(|(cmp, value)| {
            value
                .as_ref()
                .map(|v| filter::compare(column, *cmp, v.clone()))
        })
        .collect()
}

fn list(
    at: &FieldPath<'_>,
    name: &str,
    column: &str,
    values: Vec<Value>,
    negate: bool,
) -> ApiResult<Frag> {
    filter::one_of(column, values, negate).map_err(|e| AppError::bad_input(&at.child(name), e))
}

/// Conditions on a text field.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct StringFilter {
    /// Equal to (exact, case-sensitive).
    pub eq: Option<String>,
    /// Not equal to.
    pub ne: Option<String>,
    /// Equal to one of.
    #[graphql(name = "in")]
    #[serde(rename = "in")]
    pub any_of: Option<Vec<String>>,
    /// Equal to none of.
    pub not_in: Option<Vec<String>>,
    /// Contains this text, ignoring ASCII case.
    pub contains: Option<String>,
    /// Starts with this text, ignoring ASCII case.
    pub starts_with: Option<String>,
    /// `true`: has no value; `false`: has one.
    pub is_null: Option<bool>,
}

impl ColumnFilter for StringFilter {
    fn condition(&self, at: &FieldPath<'_>, column: &str) -> ApiResult<Frag> {
        let mut parts = compared(column, &[(Cmp::Eq, &self.eq), (Cmp::Ne, &self.ne)]);
        let texts = |values: &Vec<String>| values.iter().cloned().map(Value::from).collect();
        if let Some(values) = &self.any_of {
            parts.push(list(at, "in", column, texts(values), false)?);
        }
        if let Some(values) = &self.not_in {
            parts.push(list(at, "notIn", column, texts(values), true)?);
        }
        parts.extend(
            self.contains
                .as_ref()
                .map(|text| filter::text_match(column, text, false)),
        );
        parts.extend(
            self.starts_with
                .as_ref()
                .map(|text| filter::text_match(column, text, true)),
        );
        parts.extend(self.is_null.map(|null| filter::is_null(column, null)));
        Ok(Frag::all(parts))
    }
}

/// Conditions on a whole-number field.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct IntFilter {
    /// Equal to.
    pub eq: Option<i32>,
    /// Not equal to.
    pub ne: Option<i32>,
    /// Less than.
    pub lt: Option<i32>,
    /// Less than or equal to.
    pub lte: Option<i32>,
    /// Greater than.
    pub gt: Option<i32>,
    /// Greater than or equal to.
    pub gte: Option<i32>,
    /// Equal to one of.
    #[graphql(name = "in")]
    #[serde(rename = "in")]
    pub any_of: Option<Vec<i32>>,
    /// `true`: has no value; `false`: has one.
    pub is_null: Option<bool>,
}

impl ColumnFilter for IntFilter {
    fn condition(&self, at: &FieldPath<'_>, column: &str) -> ApiResult<Frag> {
        let mut parts = compared(
            column,
            &[
                (Cmp::Eq, &self.eq),
                (Cmp::Ne, &self.ne),
                (Cmp::Lt, &self.lt),
                (Cmp::Lte, &self.lte),
                (Cmp::Gt, &self.gt),
                (Cmp::Gte, &self.gte),
            ],
        );
        if let Some(values) = &self.any_of {
            let values = values.iter().copied().map(Value::from).collect();
            parts.push(list(at, "in", column, values, false)?);
        }
        parts.extend(self.is_null.map(|null| filter::is_null(column, null)));
        Ok(Frag::all(parts))
    }
}

/// Declares an input of ordered comparisons (`eq`, `lt`, `lte`, `gt`, `gte`,
/// `isNull`) over one value type.
macro_rules! ordered_filter {
    ($name:ident, $value:ty, $doc:literal, [$eq:literal, $lt:literal, $lte:literal, $gt:literal, $gte:literal]) => {
        #[doc = $doc]
        #[derive(InputObject, Serialize, Clone, Debug, Default)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[doc = $eq]
            pub eq: Option<$value>,
            #[doc = $lt]
            pub lt: Option<$value>,
            #[doc = $lte]
            pub lte: Option<$value>,
            #[doc = $gt]
            pub gt: Option<$value>,
            #[doc = $gte]
            pub gte: Option<$value>,
            /// `true`: has no value; `false`: has one.
            pub is_null: Option<bool>,
        }

        impl ColumnFilter for $name {
            fn condition(&self, _: &FieldPath<'_>, column: &str) -> ApiResult<Frag> {
                let mut parts = compared(
                    column,
                    &[
                        (Cmp::Eq, &self.eq),
                        (Cmp::Lt, &self.lt),
                        (Cmp::Lte, &self.lte),
                        (Cmp::Gt, &self.gt),
                        (Cmp::Gte, &self.gte),
                    ],
                );
                parts.extend(self.is_null.map(|null| filter::is_null(column, null)));
                Ok(Frag::all(parts))
            }
        }
    };
}

ordered_filter!(
    AmountFilter,
    f64,
    "Conditions on a decimal amount.",
    [
        "Equal to.",
        "Less than.",
        "Less than or equal to.",
        "Greater than.",
        "Greater than or equal to."
    ]
);
ordered_filter!(
    DateTimeFilter,
    DateTime<Utc>,
    "Conditions on a timestamp (RFC 3339).",
    [
        "At exactly.",
        "Before.",
        "At or before.",
        "After.",
        "At or after."
    ]
);
ordered_filter!(
    DateFilter,
    Date,
    "Conditions on a calendar date.",
    ["On.", "Before.", "On or before.", "After.", "On or after."]
);

/// Conditions on a record id (a UUID).
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct IdFilter {
    /// Equal to.
    pub eq: Option<ID>,
    /// Not equal to.
    pub ne: Option<ID>,
    /// Equal to one of.
    #[graphql(name = "in")]
    #[serde(rename = "in")]
    pub any_of: Option<Vec<ID>>,
    /// Equal to none of.
    pub not_in: Option<Vec<ID>>,
    /// `true`: has no value; `false`: has one.
    pub is_null: Option<bool>,
}

/// A record id from a client: a UUID, or `BAD_USER_INPUT` naming where it was.
pub fn parse_id(path: &str, id: &ID) -> ApiResult<Uuid> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| AppError::bad_input(path, format!("not a UUID: {:?}", id.as_str())))
}

pub fn parse_ids(path: &str, ids: &[ID]) -> ApiResult<Vec<Uuid>> {
    ids.iter().map(|id| parse_id(path, id)).collect()
}

impl ColumnFilter for IdFilter {
    fn condition(&self, at: &FieldPath<'_>, column: &str) -> ApiResult<Frag> {
        let mut parts = Vec::new();
        for (name, cmp, id) in [("eq", Cmp::Eq, &self.eq), ("ne", Cmp::Ne, &self.ne)] {
            if let Some(id) = id {
                parts.push(filter::compare(column, cmp, parse_id(&at.child(name), id)?));
            }
        }
        for (name, ids, negate) in [("in", &self.any_of, false), ("notIn", &self.not_in, true)] {
            if let Some(ids) = ids {
                let values = parse_ids(&at.child(name), ids)?
                    .into_iter()
                    .map(Value::from)
                    .collect();
                parts.push(list(at, name, column, values, negate)?);
            }
        }
        parts.extend(self.is_null.map(|null| filter::is_null(column, null)));
        Ok(Frag::all(parts))
    }
}

/// Declares an enum's filter (`eq`, `ne`, `in`, `notIn`) over its stored strings.
macro_rules! enum_filter {
    ($name:ident, $enum:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(async_graphql::InputObject, serde::Serialize, Clone, Debug, Default)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// Equal to.
            pub eq: Option<$enum>,
            /// Not equal to.
            pub ne: Option<$enum>,
            /// One of.
            #[graphql(name = "in")]
            #[serde(rename = "in")]
            pub any_of: Option<Vec<$enum>>,
            /// None of.
            pub not_in: Option<Vec<$enum>>,
        }

        impl $crate::graphql::filter::scalar::ColumnFilter for $name {
            fn condition(
                &self,
                at: &$crate::graphql::filter::FieldPath<'_>,
                column: &str,
            ) -> $crate::error::ApiResult<$crate::read::Frag> {
                use sea_orm::ActiveEnum;
                use $crate::read::filter::{Cmp, compare, one_of};
                let stored = |value: &$enum| -> sea_orm::Value {
                    let stored: <$enum as $crate::graphql::filter::scalar::Stored>::Db =
                        (*value).into();
                    stored.to_value().into()
                };
                let mut parts = Vec::new();
                parts.extend(
                    self.eq
                        .as_ref()
                        .map(|v| compare(column, Cmp::Eq, stored(v))),
                );
                parts.extend(
                    self.ne
                        .as_ref()
                        .map(|v| compare(column, Cmp::Ne, stored(v))),
                );
                for (name, values, negate) in
                    [("in", &self.any_of, false), ("notIn", &self.not_in, true)]
                {
                    if let Some(values) = values {
                        let frag = one_of(column, values.iter().map(stored).collect(), negate)
                            .map_err(|e| $crate::error::AppError::bad_input(&at.child(name), e))?;
                        parts.push(frag);
                    }
                }
                Ok($crate::read::Frag::all(parts))
            }
        }
    };
}
pub(crate) use enum_filter;

/// A GraphQL enum mirrored from a stored (database) enum.
pub trait Stored: Copy + Into<Self::Db> {
    type Db: sea_orm::ActiveEnum<Value = String>;
}
