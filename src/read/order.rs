//! Orderings and the opaque keyset cursors that continue them.
//!
//! A cursor holds the sort values of a row and its id, plus a signature of the query
//! it came from (record type or relation, ordering, filter). A cursor presented to a
//! different query is refused instead of silently landing somewhere arbitrary.

use super::sql::Frag;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::{QueryResult, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The type of a sort value: how it is read from a row and bound again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Text,
    Time,
    Float,
}

/// One sort value carried in a cursor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum KeyValue {
    #[serde(rename = "s")]
    Text(String),
    #[serde(rename = "t")]
    Time(DateTime<Utc>),
    #[serde(rename = "f")]
    Float(f64),
}

impl KeyValue {
    fn kind(&self) -> KeyKind {
        match self {
            KeyValue::Text(_) => KeyKind::Text,
            KeyValue::Time(_) => KeyKind::Time,
            KeyValue::Float(_) => KeyKind::Float,
        }
    }

    fn to_value(&self) -> Value {
        match self {
            KeyValue::Text(text) => Value::from(text.clone()),
            KeyValue::Time(time) => Value::from(*time),
            KeyValue::Float(number) => Value::from(*number),
        }
    }
}

/// One sort expression (over the listed table's alias) and its direction.
#[derive(Clone, Debug)]
pub struct SortTerm {
    pub expr: String,
    pub descending: bool,
    pub kind: KeyKind,
}

/// A full ordering: sort terms, then the id, so every row has one place.
#[derive(Clone, Debug)]
pub struct Ordering {
    /// Stable name for cursor signatures, e.g. `NAME_ASC`.
    pub name: String,
    pub terms: Vec<SortTerm>,
    /// The id column, e.g. `services.id`.
    pub id_expr: String,
    /// Ids follow the first term's direction, so a reversed ordering is the exact
    /// reverse of the original.
    pub id_descending: bool,
}

impl Ordering {
    /// By `column` then id, of `alias`.
    pub fn by_column(alias: &str, column: &str, kind: KeyKind, descending: bool) -> Self {
        Self {
            name: format!("{column}_{}", if descending { "desc" } else { "asc" }),
            terms: vec![SortTerm {
                expr: format!("{alias}.{column}"),
                descending,
                kind,
            }],
            id_expr: format!("{alias}.id"),
            id_descending: descending,
        }
    }

    /// `ORDER BY` items (without the keywords), reversed for `last` pages.
    pub fn order_by(&self, reversed: bool) -> String {
        let direction = |descending: bool| {
            if descending != reversed {
                "DESC"
            } else {
                "ASC"
            }
        };
        self.terms
            .iter()
            .map(|term| format!("{} {}", term.expr, direction(term.descending)))
            .chain([format!(
                "{} {}",
                self.id_expr,
                direction(self.id_descending)
            )])
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `expr AS sort_0, ...` to read the sort values back.
    pub fn select_keys(&self) -> String {
        self.terms
            .iter()
            .enumerate()
            .map(|(index, term)| format!(", {} AS sort_{index}", term.expr))
            .collect()
    }

    /// Rows strictly after (`after == true`) or before `cursor` in this ordering.
    pub fn beyond(&self, cursor: &Cursor, after: bool) -> Frag {
        let comparisons: Vec<(&str, bool, Value)> = self
            .terms
            .iter()
            .zip(&cursor.keys)
            .map(|(term, key)| (term.expr.as_str(), term.descending, key.to_value()))
            .chain([(
                self.id_expr.as_str(),
                self.id_descending,
                Value::from(cursor.id),
            )])
            .collect();
        // One direction throughout: a row-value comparison, which both databases turn
        // into an index range (the OR form below makes PostgreSQL filter every row
        // before the cursor, so deep pages got slower with depth).
        if comparisons.len() > 1
            && comparisons
                .iter()
                .all(|(_, descending, _)| *descending == self.id_descending)
        {
            let op = if self.id_descending != after {
                ">"
            } else {
                "<"
            };
            let exprs: Vec<&str> = comparisons.iter().map(|(expr, _, _)| *expr).collect();
            let marks = vec!["?"; comparisons.len()].join(", ");
            return Frag::bind(
                format!("({}) {op} ({marks})", exprs.join(", ")),
                comparisons.into_iter().map(|(_, _, value)| value),
            );
        }
        let mut alternatives = Vec::with_capacity(comparisons.len());
        for (index, (expr, descending, value)) in comparisons.iter().enumerate() {
            let mut parts: Vec<Frag> = comparisons[..index]
                .iter()
                .map(|(expr, _, value)| Frag::bind(format!("{expr} = ?"), [value.clone()]))
                .collect();
            let op = if *descending != after { ">" } else { "<" };
            parts.push(Frag::bind(format!("{expr} {op} ?"), [value.clone()]));
            alternatives.push(Frag::all(parts));
        }
        Frag::any(alternatives)
    }

    /// The cursor of a row read with [`Ordering::select_keys`].
    ///
    /// The sort keys are read by position: [`Ordering::select_keys`] puts them right
    /// after the record's `columns` columns, in order (by name would cost a formatted
    /// name and a lookup per key per row).
    pub fn cursor_of(
        &self,
        row: &QueryResult,
        columns: usize,
        id: Uuid,
    ) -> Result<Cursor, sea_orm::DbErr> {
        let mut keys = Vec::with_capacity(self.terms.len());
        for (index, term) in self.terms.iter().enumerate() {
            let at = columns + index;
            keys.push(match term.kind {
                KeyKind::Text => KeyValue::Text(row.try_get_by_index(at)?),
                KeyKind::Time => KeyValue::Time(row.try_get_by_index(at)?),
                KeyKind::Float => KeyValue::Float(row.try_get_by_index(at)?),
            });
        }
        Ok(Cursor { keys, id })
    }

    /// Whether a decoded cursor has the shape of this ordering's.
    fn fits(&self, cursor: &Cursor) -> bool {
        cursor.keys.len() == self.terms.len()
            && cursor
                .keys
                .iter()
                .zip(&self.terms)
                .all(|(key, term)| key.kind() == term.kind)
    }
}

/// A position in an ordering.
#[derive(Clone, Debug, PartialEq)]
pub struct Cursor {
    pub keys: Vec<KeyValue>,
    pub id: Uuid,
}

#[derive(Serialize, Deserialize)]
struct CursorWire {
    #[serde(rename = "q")]
    query: String,
    #[serde(rename = "k")]
    keys: Vec<KeyValue>,
    #[serde(rename = "i")]
    id: Uuid,
}

/// Why a cursor was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CursorError {
    #[error("the cursor is not one this server issued")]
    Malformed,
    #[error("the cursor belongs to another query (a different type, ordering or filter)")]
    Foreign,
}

/// Identifies a query for cursor binding: the same inputs give the same signature
/// on every replica and across restarts.
pub fn signature(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl Cursor {
    /// The opaque string handed to clients.
    pub fn encode(&self, signature: &str) -> String {
        let wire = CursorWire {
            query: signature.to_owned(),
            keys: self.keys.clone(),
            id: self.id,
        };
        // Serialising plain data to a Vec cannot fail.
        let json = serde_json::to_vec(&wire).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads a cursor issued for the query with `signature` in `ordering`.
    pub fn decode(text: &str, signature: &str, ordering: &Ordering) -> Result<Self, CursorError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| CursorError::Malformed)?;
        let wire: CursorWire =
            serde_json::from_slice(&bytes).map_err(|_| CursorError::Malformed)?;
        let cursor = Cursor {
            keys: wire.keys,
            id: wire.id,
        };
        if wire.query != signature || !ordering.fits(&cursor) {
            return Err(CursorError::Foreign);
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_name() -> Ordering {
        Ordering::by_column("services", "name", KeyKind::Text, false)
    }

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_query() {
        let cursor = Cursor {
            keys: vec![KeyValue::Text("Café \"7\"".into())],
            id: Uuid::now_v7(),
        };
        let sig = signature(&["services", "NAME_ASC", "{}"]);
        let text = cursor.encode(&sig);
        assert_eq!(Cursor::decode(&text, &sig, &by_name()), Ok(cursor));
        let other = signature(&["providers", "NAME_ASC", "{}"]);
        assert_eq!(
            Cursor::decode(&text, &other, &by_name()),
            Err(CursorError::Foreign)
        );
        assert_eq!(
            Cursor::decode("not a cursor", &sig, &by_name()),
            Err(CursorError::Malformed)
        );
    }

    #[test]
    fn keyset_condition_is_a_row_comparison_in_one_direction() {
        let cursor = Cursor {
            keys: vec![KeyValue::Text("a".into())],
            id: Uuid::nil(),
        };
        let after = by_name().beyond(&cursor, true);
        assert_eq!(after.sql, "(services.name, services.id) > (?, ?)");
        assert_eq!(after.values.len(), 2);
        let before = by_name().beyond(&cursor, false);
        assert_eq!(before.sql, "(services.name, services.id) < (?, ?)");
    }

    #[test]
    fn keyset_condition_expands_ties_when_directions_mix() {
        let cursor = Cursor {
            keys: vec![KeyValue::Text("a".into())],
            id: Uuid::nil(),
        };
        // Best rank first, then the id ascending (as RELEVANCE orders): no single
        // row comparison fits.
        let mut mixed = Ordering::by_column("services", "name", KeyKind::Text, true);
        mixed.id_descending = false;
        assert_eq!(
            mixed.beyond(&cursor, true).sql,
            "((services.name < ?)) OR ((services.name = ?) AND (services.id > ?))"
        );
        assert!(
            mixed
                .beyond(&cursor, false)
                .sql
                .starts_with("((services.name > ?))")
        );
    }
}
