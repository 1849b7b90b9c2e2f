//! The six types a dataset column can have, how a CSV value is read as each, and
//! what each is in SQL. One parser per type serves both inference and loading, so
//! a type the preview offers is exactly a type the file loads as.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Numeric,
    Boolean,
    Date,
    Timestamp,
    Text,
}

/// A value read as its column's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Integer(i64),
    /// Canonical decimal text (a JSON number).
    Numeric(String),
    Boolean(bool),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
    Text(String),
}

impl ColumnType {
    /// Most specific first: inference picks the first every value fits.
    pub const ALL: [ColumnType; 6] = [
        Self::Integer,
        Self::Numeric,
        Self::Boolean,
        Self::Date,
        Self::Timestamp,
        Self::Text,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Numeric => "numeric",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::Timestamp => "timestamp",
            Self::Text => "text",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// This type's bit in a set of types ([`fits_mask`]).
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// `text` (not empty: empty is NULL in every type) as this type.
    pub fn read(self, text: &str) -> Option<Cell> {
        match self {
            Self::Integer => integer(text).map(Cell::Integer),
            Self::Numeric => decimal(text).then(|| Cell::Numeric(text.to_owned())),
            Self::Boolean => boolean(text).map(Cell::Boolean),
            Self::Date => date(text).map(Cell::Date),
            Self::Timestamp => timestamp(text).map(Cell::Timestamp),
            Self::Text => Some(Cell::Text(text.to_owned())),
        }
    }

    /// The column type in PostgreSQL.
    pub fn postgres(self) -> &'static str {
        match self {
            Self::Integer => "BIGINT",
            Self::Numeric => "NUMERIC",
            Self::Boolean => "BOOLEAN",
            Self::Date => "DATE",
            Self::Timestamp => "TIMESTAMPTZ",
            Self::Text => "TEXT",
        }
    }

    /// The column type in SQLite (dates and timestamps as ISO 8601 text, which
    /// sorts as time does).
    pub fn sqlite(self) -> &'static str {
        match self {
            Self::Integer | Self::Boolean => "INTEGER",
            Self::Numeric => "NUMERIC",
            Self::Date | Self::Timestamp | Self::Text => "TEXT",
        }
    }

    /// A pretty phrase for errors: "an integer", "a date".
    pub fn article(self) -> &'static str {
        match self {
            Self::Integer => "an integer",
            Self::Numeric => "a number",
            Self::Boolean => "a boolean (true/false, yes/no)",
            Self::Date => "a date (YYYY-MM-DD)",
            Self::Timestamp => "a timestamp (ISO 8601)",
            Self::Text => "text",
        }
    }
}

/// The set of types `text` fits, as bits.
pub fn fits_mask(text: &str) -> u8 {
    ColumnType::ALL
        .into_iter()
        .filter(|kind| kind.read(text).is_some())
        .fold(0, |mask, kind| mask | kind.bit())
}

/// Digits without a leading zero ("007" stays text: codes keep their zeros).
fn integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    text.parse().ok()
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: a JSON number.
fn decimal(text: &str) -> bool {
    let bytes = text.strip_prefix('-').unwrap_or(text).as_bytes();
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let whole = digits(0);
    if whole == 0 || (whole > 1 && bytes[0] == b'0') {
        return false;
    }
    let mut at = whole;
    if bytes.get(at) == Some(&b'.') {
        let fraction = digits(at + 1);
        if fraction == 0 {
            return false;
        }
        at += 1 + fraction;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exponent = digits(at);
        if exponent == 0 {
            return false;
        }
        at += exponent;
    }
    at == bytes.len()
}

fn boolean(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "t" | "y" => Some(true),
        "false" | "no" | "f" | "n" => Some(false),
        _ => None,
    }
}

fn date(text: &str) -> Option<NaiveDate> {
    (text.len() == 10)
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

/// RFC 3339 (a space may stand for the `T`), or a date and time without an offset
/// (UTC), or a date alone (its midnight, UTC).
fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    if text.len() < 10 {
        return None;
    }
    if let Some(day) = date(text) {
        return day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    let normalised;
    let text = if text.as_bytes().get(10) == Some(&b' ') {
        normalised = format!("{}T{}", &text[..10], &text[11..]);
        normalised.as_str()
    } else {
        text
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|at| at.and_utc())
}

/// A timestamp as datasets serve it: RFC 3339 in UTC, `Z`, fractions only when set.
pub fn timestamp_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A stored timestamp read back (PostgreSQL's `to_json` text or SQLite's), served
/// as [`timestamp_text`].
pub fn stored_timestamp(text: &str) -> String {
    timestamp(text)
        .map(|at| timestamp_text(&at))
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnType::*;

    fn fits(text: &str) -> Vec<ColumnType> {
        let mask = fits_mask(text);
        ColumnType::ALL
            .into_iter()
            .filter(|kind| mask & kind.bit() != 0)
            .collect()
    }

    #[test]
    fn each_value_fits_the_types_it_reads_as() {
        assert_eq!(fits("42"), vec![Integer, Numeric, Text]);
        assert_eq!(fits("-0"), vec![Integer, Numeric, Text]);
        assert_eq!(fits("007"), vec![Text]);
        assert_eq!(fits("1.50"), vec![Numeric, Text]);
        assert_eq!(fits("6.02e23"), vec![Numeric, Text]);
        assert_eq!(fits("1."), vec![Text]);
        assert_eq!(fits("NaN"), vec![Text]);
        assert_eq!(fits("Yes"), vec![Boolean, Text]);
        assert_eq!(fits("2024-02-29"), vec![Date, Timestamp, Text]);
        assert_eq!(fits("2023-02-29"), vec![Text]);
        assert_eq!(fits("2024-02-29 10:30"), vec![Timestamp, Text]);
        assert_eq!(fits("2024-02-29T10:30:00+01:00"), vec![Timestamp, Text]);
        assert_eq!(fits("99999999999999999999"), vec![Numeric, Text]);
    }

    #[test]
    fn timestamps_are_served_in_utc() {
        let at = Timestamp.read("2024-02-29 10:30:00.250+01:00");
        let Some(Cell::Timestamp(at)) = at else {
            panic!("not read: {at:?}");
        };
        assert_eq!(timestamp_text(&at), "2024-02-29T09:30:00.250Z");
        assert_eq!(
            stored_timestamp("2024-02-29T09:30:00+00:00"),
            "2024-02-29T09:30:00Z"
        );
    }
}
