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
    // Free text keeps its spaces (an export gives back what came in); every other
    // kind is read trimmed.
    let raw = text;
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
        Kind::Text if raw.trim().is_empty() => Ok(Cell::Text(text.to_owned())),
        Kind::Text => Ok(Cell::Text(raw.to_owned())),
        Kind::Ref(_) | Kind::Id => Uuid::parse_str(text)
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
        Kind::Number => match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Cell::Float(value)),
            _ => Err(format!("{text:?} is not a number")),
        },
        Kind::Time => match crate::hsds::schedule::parse_time(text) {
            Some(_) => Ok(Cell::Text(text.to_owned())),
            None => Err(format!("{text:?} is not a time of day (HH:MM or HH:MM:SS)")),
        },
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
        let text = match file_index {
            Some(index) => fields.get(index).unwrap_or(""),
            None if header.publish && column.name == "published" => "true",
            None => "",
        };
        match cell(column, text) {
            Ok(value) => cells[position] = value,
            Err(message) => problems.push(Problem::at(line, header.label(column.name), message)),
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

/// HSDS `attributes.csv`: `link_entity` + `link_id` fill one target column.
fn link_columns(
    header: &Header,
    line: u64,
    fields: &csv::StringRecord,
    link_entity: usize,
    link_id: usize,
    cells: &mut [Cell],
    problems: &mut Vec<Problem>,
) {
    let entity_label = header
        .names
        .get(link_entity)
        .map_or("link_entity", String::as_str);
    let entity = fields.get(link_entity).unwrap_or("").trim();
    let id = fields.get(link_id).unwrap_or("").trim();
    if entity.is_empty() && id.is_empty() {
        return;
    }
    let Some(target) = crate::hsds::attribute::target_column(entity) else {
        let known: Vec<&str> = crate::hsds::attribute::LINK_ENTITIES
            .iter()
            .map(|(entity, _)| *entity)
            .collect();
        problems.push(Problem::at(
            line,
            entity_label,
            format!(
                "{entity:?} names no table (expected one of {})",
                known.join(", ")
            ),
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
        (Ok(_), None) => problems.push(Problem::at(line, entity_label, "cannot be used here")),
    }
}

/// The rules that span columns, on the row's own values.
fn across_columns(header: &Header, row: &Row, problems: &mut Vec<Problem>) {
    let value = |name: &str| row.get(header, name).filter(|cell| **cell != Cell::Null);
    let text = |name: &str| match value(name) {
        Some(Cell::Text(text)) => Some(text.as_str()),
        _ => None,
    };
    let line = row.line;
    // A link that could not be read already has its error; "about no record" would
    // only repeat it.
    let link_refused = header.attribute_link.is_some() && !problems.is_empty();
    let mut problem = |column: &str, message: String| {
        problems.push(Problem::at(line, header.label(column), message));
    };
    if let (Some(Cell::Int(min)), Some(Cell::Int(max))) =
        (value("minimum_age"), value("maximum_age"))
        && min > max
    {
        problem("maximum_age", format!("{max} is below minimum_age ({min})"));
    }
    if value("latitude").is_some() != value("longitude").is_some()
        && header.position("latitude").is_some()
    {
        problem("longitude", "latitude and longitude go together".into());
    }
    if let (Some(Cell::Date(from)), Some(Cell::Date(to))) = (value("valid_from"), value("valid_to"))
        && from > to
    {
        problem("valid_to", format!("{to} is before valid_from ({from})"));
    }
    if let (Some(Cell::Timestamp(start)), Some(Cell::Timestamp(end))) =
        (value("starts_at"), value("ends_at"))
        && start > end
    {
        problem("ends_at", "is before starts_at".into());
    }
    if let Some(Cell::Text(rule)) = value("rrule") {
        match value("starts_at") {
            Some(Cell::Timestamp(start)) => {
                if let Err(reason) = crate::read::events::recurrence(rule, *start) {
                    problem("rrule", format!("{rule:?} is not an RRULE: {reason}"));
                }
            }
            _ => problem("starts_at", "is required with an rrule".into()),
        }
    }
    if header.kind == RecordType::Schedules {
        schedule_rules(row, header, &mut problem);
    }
    if let Some(extent) = text("extent") {
        match text("extent_type") {
            Some(extent_type) => {
                if let Err(reason) = crate::hsds::extent::check(extent, extent_type) {
                    problem("extent", reason);
                }
            }
            None => problem("extent_type", "is required with an extent".into()),
        }
    }
    if let Some((columns, exactly_one)) = super::spec::parents(header.kind) {
        let given = columns.iter().filter(|c| value(c).is_some()).count();
        if (given == 0 || (exactly_one && given > 1)) && !link_refused {
            let names: Vec<&str> = columns.iter().map(|c| header.label(c)).collect();
            let (column, what) = if header.attribute_link.is_some() {
                (
                    "link_id",
                    "an attribute is about exactly one record: link_entity and link_id",
                )
            } else if exactly_one {
                (columns[0], "needs exactly one of")
            } else {
                (columns[0], "needs one of")
            };
            let message = if header.attribute_link.is_some() {
                what.to_owned()
            } else {
                format!("a {} {what} {}", header.kind.singular(), names.join(", "))
            };
            problem(column, message);
        }
    }
}

/// A schedule's recurrence parses as one RRULE, and its opening times make sense.
fn schedule_rules(row: &Row, header: &Header, problem: &mut impl FnMut(&str, String)) {
    use crate::hsds::schedule::{Recurrence, check_hours, parse_time};
    let value = |name: &str| row.get(header, name).filter(|cell| **cell != Cell::Null);
    let text = |name: &str| match value(name) {
        Some(Cell::Text(text)) => Some(text.as_str()),
        _ => None,
    };
    let int = |name: &str| match value(name) {
        Some(Cell::Int(n)) => Some(*n),
        _ => None,
    };
    let date = |name: &str| match value(name) {
        Some(Cell::Date(date)) => Some(*date),
        _ => None,
    };
    let recurrence = Recurrence {
        freq: text("freq"),
        interval: int("interval"),
        count: int("count"),
        until: date("until"),
        wkst: text("wkst"),
        byday: text("byday"),
        byweekno: text("byweekno"),
        bymonthday: text("bymonthday"),
        byyearday: text("byyearday"),
        start: date("dtstart").or(date("valid_from")),
    };
    if let Err((column, reason)) = recurrence.check() {
        problem(column, reason);
    }
    if let (Some(opens), Some(closes)) = (
        text("opens_at").and_then(parse_time),
        text("closes_at").and_then(parse_time),
    ) && let Err(reason) = check_hours(opens, closes, recurrence.freq.is_some())
    {
        problem("closes_at", reason);
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
            (Cell::Null, Kind::Ref(_) | Kind::Id) => V::Uuid(None),
            (Cell::Null, Kind::Number) => V::Double(None),
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
        Kind::Ref(_) | Kind::Id => "uuid",
        Kind::Number => "float8",
        Kind::Int => "int4",
        Kind::Money => "numeric",
        Kind::Latitude | Kind::Longitude => "float8",
        Kind::Date => "date",
        Kind::Timestamp => "timestamptz",
        Kind::Bool => "bool",
        _ => "text",
    }
}

impl Cell {
    /// The value as PostgreSQL reads it in text form (arrays, `COPY`); `None` for NULL.
    pub fn pg_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        Some(match self {
            Cell::Null => return None,
            Cell::Text(text) => Cow::Borrowed(text.as_str()),
            Cell::Uuid(id) => Cow::Owned(id.to_string()),
            Cell::Int(n) => Cow::Owned(n.to_string()),
            Cell::Money(amount) => Cow::Owned(amount.to_string()),
            Cell::Float(x) => Cow::Owned(x.to_string()),
            Cell::Date(date) => Cow::Owned(date.format("%Y-%m-%d").to_string()),
            Cell::Timestamp(time) => Cow::Owned(time.to_rfc3339()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "t" } else { "f" }),
        })
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
        let Some(text) = cell.pg_text() else {
            out.push_str("NULL");
            continue;
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
