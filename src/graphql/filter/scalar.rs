//! Typed operators on scalar fields: every operator given must hold (AND).
//! Text matching (`contains`, `startsWith`) ignores ASCII case on both databases.

use crate::graphql::error::bad_input;
use crate::graphql::scalars::Date;
use crate::read::Frag;
use async_graphql::{ID, InputObject, Result};
use chrono::{DateTime, Utc};
use sea_orm::Value;
use serde::Serialize;
use uuid::Uuid;

/// Values in one `in` / `notIn` list at most.
const MAX_LIST: usize = 1_000;

fn compare(column: &str, op: &str, value: Value) -> Frag {
    Frag::bind(format!("{column} {op} ?"), [value])
}

fn list(path: &str, column: &str, values: Vec<Value>, negate: bool) -> Result<Frag> {
    if values.len() > MAX_LIST {
        return Err(bad_input(path, format!("at most {MAX_LIST} values")));
    }
    let frag = Frag::is_in(column, values);
    Ok(if negate { frag.negate() } else { frag })
}

fn is_null(column: &str, wanted: Option<bool>) -> Option<Frag> {
    wanted.map(|null| {
        Frag::raw(format!(
            "{column} IS {}NULL",
            if null { "" } else { "NOT " }
        ))
    })
}

/// `%` and `_` are literal in what people search for.
fn like_pattern(text: &str, prefix_only: bool) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
        .to_lowercase();
    if prefix_only {
        format!("{escaped}%")
    } else {
        format!("%{escaped}%")
    }
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

impl StringFilter {
    pub fn condition(&self, path: &str, column: &str) -> Result<Frag> {
        let mut parts = Vec::new();
        parts.extend(self.eq.clone().map(|v| compare(column, "=", v.into())));
        parts.extend(self.ne.clone().map(|v| compare(column, "<>", v.into())));
        if let Some(values) = &self.any_of {
            parts.push(list(
                path,
                column,
                values.iter().cloned().map(Value::from).collect(),
                false,
            )?);
        }
        if let Some(values) = &self.not_in {
            parts.push(list(
                path,
                column,
                values.iter().cloned().map(Value::from).collect(),
                true,
            )?);
        }
        for (text, prefix_only) in [(&self.contains, false), (&self.starts_with, true)] {
            if let Some(text) = text {
                parts.push(Frag::bind(
                    format!("lower({column}) LIKE ? ESCAPE '\\'"),
                    [Value::from(like_pattern(text, prefix_only))],
                ));
            }
        }
        parts.extend(is_null(column, self.is_null));
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

impl IntFilter {
    pub fn condition(&self, path: &str, column: &str) -> Result<Frag> {
        let mut parts = ordered(
            column,
            [
                ("=", self.eq),
                ("<>", self.ne),
                ("<", self.lt),
                ("<=", self.lte),
                (">", self.gt),
                (">=", self.gte),
            ],
        );
        if let Some(values) = &self.any_of {
            parts.push(list(
                path,
                column,
                values.iter().copied().map(Value::from).collect(),
                false,
            )?);
        }
        parts.extend(is_null(column, self.is_null));
        Ok(Frag::all(parts))
    }
}

fn ordered<T: Into<Value>>(
    column: &str,
    ops: impl IntoIterator<Item = (&'static str, Option<T>)>,
) -> Vec<Frag> {
    ops.into_iter()
        .filter_map(|(op, value)| value.map(|v| compare(column, op, v.into())))
        .collect()
}

/// Conditions on a decimal amount.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct AmountFilter {
    /// Equal to.
    pub eq: Option<f64>,
    /// Less than.
    pub lt: Option<f64>,
    /// Less than or equal to.
    pub lte: Option<f64>,
    /// Greater than.
    pub gt: Option<f64>,
    /// Greater than or equal to.
    pub gte: Option<f64>,
    /// `true`: has no value; `false`: has one.
    pub is_null: Option<bool>,
}

impl AmountFilter {
    pub fn condition(&self, column: &str) -> Frag {
        let mut parts = ordered(
            column,
            [
                ("=", self.eq),
                ("<", self.lt),
                ("<=", self.lte),
                (">", self.gt),
                (">=", self.gte),
            ],
        );
        parts.extend(is_null(column, self.is_null));
        Frag::all(parts)
    }
}

/// Conditions on a timestamp (RFC 3339).
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DateTimeFilter {
    /// At exactly.
    pub eq: Option<DateTime<Utc>>,
    /// Before.
    pub lt: Option<DateTime<Utc>>,
    /// At or before.
    pub lte: Option<DateTime<Utc>>,
    /// After.
    pub gt: Option<DateTime<Utc>>,
    /// At or after.
    pub gte: Option<DateTime<Utc>>,
    /// `true`: has no value; `false`: has one.
    pub is_null: Option<bool>,
}

impl DateTimeFilter {
    pub fn condition(&self, column: &str) -> Frag {
        let mut parts = ordered(
            column,
            [
                ("=", self.eq),
                ("<", self.lt),
                ("<=", self.lte),
                (">", self.gt),
                (">=", self.gte),
            ],
        );
        parts.extend(is_null(column, self.is_null));
        Frag::all(parts)
    }
}

/// Conditions on a calendar date.
#[derive(InputObject, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct DateFilter {
    /// On.
    pub eq: Option<Date>,
    /// Before.
    pub lt: Option<Date>,
    /// On or before.
    pub lte: Option<Date>,
    /// After.
    pub gt: Option<Date>,
    /// On or after.
    pub gte: Option<Date>,
    /// `true`: has no value; `false`: has one.
    pub is_null: Option<bool>,
}

impl DateFilter {
    pub fn condition(&self, column: &str) -> Frag {
        let date = |value: Option<Date>| value.map(|date| date.0);
        let mut parts = ordered(
            column,
            [
                ("=", date(self.eq)),
                ("<", date(self.lt)),
                ("<=", date(self.lte)),
                (">", date(self.gt)),
                (">=", date(self.gte)),
            ],
        );
        parts.extend(is_null(column, self.is_null));
        Frag::all(parts)
    }
}

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
pub fn parse_id(path: &str, id: &ID) -> Result<Uuid> {
    Uuid::parse_str(id.as_str())
        .map_err(|_| bad_input(path, format!("not a UUID: {:?}", id.as_str())))
}

pub fn parse_ids(path: &str, ids: &[ID]) -> Result<Vec<Value>> {
    ids.iter()
        .map(|id| parse_id(path, id).map(Value::from))
        .collect()
}

impl IdFilter {
    pub fn condition(&self, path: &str, column: &str) -> Result<Frag> {
        let mut parts = Vec::new();
        if let Some(id) = &self.eq {
            parts.push(compare(
                column,
                "=",
                parse_id(&format!("{path}.eq"), id)?.into(),
            ));
        }
        if let Some(id) = &self.ne {
            parts.push(compare(
                column,
                "<>",
                parse_id(&format!("{path}.ne"), id)?.into(),
            ));
        }
        if let Some(ids) = &self.any_of {
            let path = format!("{path}.in");
            parts.push(list(&path, column, parse_ids(&path, ids)?, false)?);
        }
        if let Some(ids) = &self.not_in {
            let path = format!("{path}.notIn");
            parts.push(list(&path, column, parse_ids(&path, ids)?, true)?);
        }
        parts.extend(is_null(column, self.is_null));
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

        impl $name {
            pub fn condition(&self, column: &str) -> $crate::read::Frag {
                use sea_orm::ActiveEnum;
                let stored = |value: &$enum| -> sea_orm::Value {
                    let stored: <$enum as $crate::graphql::filter::scalar::Stored>::Db =
                        (*value).into();
                    stored.to_value().into()
                };
                let mut parts = Vec::new();
                if let Some(value) = &self.eq {
                    parts.push($crate::read::Frag::bind(
                        format!("{column} = ?"),
                        [stored(value)],
                    ));
                }
                if let Some(value) = &self.ne {
                    parts.push($crate::read::Frag::bind(
                        format!("{column} <> ?"),
                        [stored(value)],
                    ));
                }
                if let Some(values) = &self.any_of {
                    parts.push($crate::read::Frag::is_in(column, values.iter().map(stored)));
                }
                if let Some(values) = &self.not_in {
                    parts.push(
                        $crate::read::Frag::is_in(column, values.iter().map(stored)).negate(),
                    );
                }
                $crate::read::Frag::all(parts)
            }
        }
    };
}
pub(crate) use enum_filter;

/// A GraphQL enum mirrored from a stored (database) enum.
pub trait Stored: Copy + Into<Self::Db> {
    type Db: sea_orm::ActiveEnum<Value = String>;
}
