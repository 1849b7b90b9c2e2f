//! Reading one CSV row into typed cells: each column's text checked against its
//! [`Kind`], then the rules that span columns (ages in order, coordinates in
//! pairs, a contact's parent, a reference's single target). Every problem is
//! reported with its row and column; nothing stops at the first.

use super::Problem;
use super::header::Header;
use super::spec::{Column, Kind};
use crate::repo::RecordType;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

/// A typed value, ready to bind.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Text(String),
    Uuid(Uuid),
    Int(i32),
    Money(Decimal),
    Float(f64),
    Date(NaiveDate),
    Timestamp(DateTime<Utc>),
    Bool(bool),
}

/// A row read and checked: one cell per column of the header's record type that
/// the file carries (in [`Header::present`] order), and the row's id.
#[derive(Clone, Debug)]
pub struct Row {
    pub line: u64,
    pub id: Option<Uuid>,
    pub cells: Vec<Cell>,
}

impl Row {
    /// The cell of column `name`, if the file carries it.
    pub fn get(&self, header: &Header, name: &str) -> Option<&Cell> {
        header.position(name).map(|index| &self.cells[index])
    }
}

fn normalise(text: &str) -> String {
    text.trim().to_ascii_lowercase().replace(['_', '-'], " ")
}

/// The typed value of `text` in `column`, or why it is not one.
pub fn cell(column: &Column, text: &str) -> Result<Cell, String> {
    let text = text.trim();
    let text = if text.is_empty() {
        match column.default {
            Some(default) => default,
            None if column.required => return Err("is required".into()),
            None => return Ok(Cell::Null),
        }
    } else {
        text
    };
    match column.kind {
        Kind::Text => Ok(Cell::Text(text.to_owned())),
        Kind::Ref(_) => Uuid::parse_str(text)
            .map(Cell::Uuid)
            .map_err(|_| format!("{text:?} is not a UUID")),
        Kind::Int => match text.parse::<i32>() {
            Ok(n) if n >= 0 => Ok(Cell::Int(n)),
            _ => Err(format!("{text:?} is not a whole number of 0 or more")),
        },
        Kind::Money => match text.trim_start_matches('£').parse::<Decimal>() {
            Ok(amount) if amount.is_sign_negative() => Err(format!("{text:?} is below zero")),
            Ok(amount) if amount.scale() > 2 => Err(format!("{text:?} has more than two decimals")),
            Ok(amount) => Ok(Cell::Money(amount)),
            Err(_) => Err(format!("{text:?} is not an amount")),
        },
        Kind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Cell::Date)
            .map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD)")),
        Kind::Timestamp => timestamp(text).map(Cell::Timestamp).ok_or_else(|| {
            format!("{text:?} is not a timestamp (RFC 3339, or YYYY-MM-DD HH:MM:SS in UTC)")
        }),
        Kind::Bool => match text.to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "1" => Ok(Cell::Bool(true)),
            "false" | "f" | "no" | "n" | "0" => Ok(Cell::Bool(false)),
            _ => Err(format!("{text:?} is not true or false")),
        },
        Kind::Enum(values) => {
            let wanted = normalise(text);
            values
                .iter()
                .find(|value| normalise(value) == wanted)
                .map(|value| Cell::Text((*value).to_owned()))
                .ok_or_else(|| format!("{text:?} is not one of {}", values.join(", ")))
        }
        Kind::Email => {
            let mut problems = crate::write::Problems::default();
            problems.email("", Some(text));
            if problems.is_empty() {
                Ok(Cell::Text(text.to_owned()))
            } else {
                Err(format!("{text:?} is not an e-mail address"))
            }
        }
        Kind::Url => match url::Url::parse(text) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                Ok(Cell::Text(text.to_owned()))
            }
            _ => Err(format!("{text:?} is not an http(s) URL")),
        },
        Kind::Latitude | Kind::Longitude => {
            let limit = if column.kind == Kind::Latitude {
                90.0
            } else {
                180.0
            };
            match text.parse::<f64>() {
                Ok(value) if value.is_finite() && value.abs() <= limit => Ok(Cell::Float(value)),
                _ => Err(format!("{text:?} is not a number within -{limit}..{limit}")),
            }
        }
        Kind::Country | Kind::Currency => {
            let length = if column.kind == Kind::Country { 2 } else { 3 };
            if text.len() == length && text.chars().all(|c| c.is_ascii_alphabetic()) {
                Ok(Cell::Text(text.to_ascii_uppercase()))
            } else {
                Err(format!("{text:?} is not a {length}-letter code"))
            }
        }
        Kind::Rrule => Ok(Cell::Text(text.to_owned())),
    }
}

fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc())
}

/// Reads `fields` (one CSV record) as a row of `header`'s record type.
pub fn read_row(header: &Header, line: u64, fields: &csv::StringRecord) -> (Row, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut cells = vec![Cell::Null; header.present.len()];
    for (position, &(spec_index, file_index)) in header.present.iter().enumerate() {
        let column = &header.columns[spec_index];
        let text = file_index.and_then(|i| fields.get(i)).unwrap_or("");
        match cell(column, text) {
            Ok(value) => cells[position] = value,
            Err(message) => problems.push(Problem::at(line, column.name, message)),
        }
    }
    if let Some((link_type, link_id)) = header.attribute_link {
        link_columns(
            header,
            line,
            fields,
            link_type,
            link_id,
            &mut cells,
            &mut problems,
        );
    }
    let id = match cells.first() {
        Some(Cell::Uuid(id)) => Some(*id),
        _ => None,
    };
    let row = Row { line, id, cells };
    across_columns(header, &row, &mut problems);
    (row, problems)
}

/// HSDS `attributes.csv`: `link_type` + `link_id` fill one target column.
fn link_columns(
    header: &Header,
    line: u64,
    fields: &csv::StringRecord,
    link_type: usize,
    link_id: usize,
    cells: &mut [Cell],
    problems: &mut Vec<Problem>,
) {
    let kind = fields.get(link_type).unwrap_or("").trim();
    let id = fields.get(link_id).unwrap_or("").trim();
    if kind.is_empty() && id.is_empty() {
        return;
    }
    let Some(target) = super::spec::attribute_target(kind) else {
        problems.push(Problem::at(
            line,
            "link_type",
            format!("{kind:?} is not service, organization, location or event"),
        ));
        return;
    };
    match (Uuid::parse_str(id), header.position(target)) {
        (Ok(uuid), Some(position)) => cells[position] = Cell::Uuid(uuid),
        (Err(_), _) => problems.push(Problem::at(
            line,
            "link_id",
            format!("{id:?} is not a UUID"),
        )),
        (Ok(_), None) => problems.push(Problem::at(line, "link_type", "cannot be used here")),
    }
}

/// The rules that span columns, on the row's own values.
fn across_columns(header: &Header, row: &Row, problems: &mut Vec<Problem>) {
    let value = |name: &str| row.get(header, name).filter(|cell| **cell != Cell::Null);
    let line = row.line;
    if let (Some(Cell::Int(min)), Some(Cell::Int(max))) =
        (value("minimum_age"), value("maximum_age"))
        && min > max
    {
        problems.push(Problem::at(
            line,
            "maximum_age",
            format!("{max} is below minimum_age ({min})"),
        ));
    }
    if value("latitude").is_some() != value("longitude").is_some()
        && header.position("latitude").is_some()
    {
        problems.push(Problem::at(
            line,
            "longitude",
            "latitude and longitude go together",
        ));
    }
    if let (Some(Cell::Date(from)), Some(Cell::Date(to))) = (value("valid_from"), value("valid_to"))
        && from > to
    {
        problems.push(Problem::at(
            line,
            "valid_to",
            format!("{to} is before valid_from ({from})"),
        ));
    }
    if let (Some(Cell::Timestamp(start)), Some(Cell::Timestamp(end))) =
        (value("starts_at"), value("ends_at"))
        && start > end
    {
        problems.push(Problem::at(line, "ends_at", "is before starts_at"));
    }
    if let Some(Cell::Text(rule)) = value("rrule") {
        match value("starts_at") {
            Some(Cell::Timestamp(start)) => {
                if let Err(reason) = crate::read::events::recurrence(rule, *start) {
                    problems.push(Problem::at(
                        line,
                        "rrule",
                        format!("{rule:?} is not an RRULE: {reason}"),
                    ));
                }
            }
            _ => problems.push(Problem::at(line, "starts_at", "is required with an rrule")),
        }
    }
    let given = |columns: &[&str]| columns.iter().filter(|c| value(c).is_some()).count();
    if header.kind == RecordType::Contacts && given(&["provider_id", "service_id", "venue_id"]) == 0
    {
        problems.push(Problem::at(
            line,
            "provider_id",
            "a contact needs one of provider_id, service_id, venue_id",
        ));
    }
    if header.kind == RecordType::TaxonomyRefs
        && given(&["service_id", "provider_id", "venue_id", "event_id"]) != 1
    {
        problems.push(Problem::at(
            line,
            "service_id",
            "a reference tags exactly one of service_id, provider_id, venue_id, event_id",
        ));
    }
}

impl Cell {
    /// The cell as JSON, for previews.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Cell::Null => J::Null,
            Cell::Text(text) => J::from(text.as_str()),
            Cell::Uuid(id) => J::from(id.to_string()),
            Cell::Int(n) => J::from(*n),
            Cell::Money(amount) => J::from(amount.to_string()),
            Cell::Float(x) => J::from(*x),
            Cell::Date(date) => J::from(date.to_string()),
            Cell::Timestamp(time) => J::from(time.to_rfc3339()),
            Cell::Bool(b) => J::from(*b),
        }
    }

    /// The value to bind for a column of `kind` (typed even when null, which
    /// PostgreSQL needs to infer parameter types).
    pub fn to_value(&self, kind: Kind, postgres: bool) -> sea_orm::Value {
        use sea_orm::Value as V;
        match (self, kind) {
            (Cell::Text(text), _) => V::String(Some(text.clone())),
            (Cell::Uuid(id), _) => V::Uuid(Some(*id)),
            (Cell::Int(n), _) => V::Int(Some(*n)),
            (Cell::Money(amount), _) if postgres => V::Decimal(Some(*amount)),
            (Cell::Money(amount), _) => {
                V::Double(rust_decimal::prelude::ToPrimitive::to_f64(amount))
            }
            (Cell::Float(x), _) => V::Double(Some(*x)),
            (Cell::Date(date), _) => V::ChronoDate(Some(*date)),
            (Cell::Timestamp(time), _) => V::ChronoDateTimeUtc(Some(*time)),
            (Cell::Bool(b), _) => V::Bool(Some(*b)),
            (Cell::Null, Kind::Ref(_)) => V::Uuid(None),
            (Cell::Null, Kind::Int) => V::Int(None),
            (Cell::Null, Kind::Money) if postgres => V::Decimal(None),
            (Cell::Null, Kind::Money | Kind::Latitude | Kind::Longitude) => V::Double(None),
            (Cell::Null, Kind::Date) => V::ChronoDate(None),
            (Cell::Null, Kind::Timestamp) => V::ChronoDateTimeUtc(None),
            (Cell::Null, Kind::Bool) => V::Bool(None),
            (Cell::Null, _) => V::String(None),
        }
    }
}

/// The PostgreSQL type of a column of `kind`, for `unnest($n::type[])`.
pub fn pg_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Ref(_) => "uuid",
        Kind::Int => "int4",
        Kind::Money => "numeric",
        Kind::Latitude | Kind::Longitude => "float8",
        Kind::Date => "date",
        Kind::Timestamp => "timestamptz",
        Kind::Bool => "bool",
        _ => "text",
    }
}

/// A PostgreSQL array literal (`{"a","b",NULL}`) of cells: one bind parameter for
/// a whole column of a batch, which PostgreSQL parses far faster than a
/// placeholder per value.
pub fn pg_array<'a>(cells: impl Iterator<Item = &'a Cell>) -> String {
    let mut out = String::from("{");
    for (index, cell) in cells.enumerate() {
        if index > 0 {
            out.push(',');
        }
        let text = match cell {
            Cell::Null => {
                out.push_str("NULL");
                continue;
            }
            Cell::Text(text) => text.clone(),
            Cell::Uuid(id) => id.to_string(),
            Cell::Int(n) => n.to_string(),
            Cell::Money(amount) => amount.to_string(),
            Cell::Float(x) => x.to_string(),
            Cell::Date(date) => date.format("%Y-%m-%d").to_string(),
            Cell::Timestamp(time) => time.to_rfc3339(),
            Cell::Bool(b) => if *b { "t" } else { "f" }.to_owned(),
        };
        out.push('"');
        for c in text.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::{Cell, pg_array};

    #[test]
    fn array_literals_quote_and_escape() {
        let cells = [
            Cell::Text("a \"quoted\" \\ back, comma".into()),
            Cell::Null,
            Cell::Int(3),
            Cell::Bool(true),
            Cell::Text("NULL".into()),
        ];
        assert_eq!(
            pg_array(cells.iter()),
            r#"{"a \"quoted\" \\ back, comma",NULL,"3","t","NULL"}"#
        );
    }
}
