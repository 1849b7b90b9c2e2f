//! A stored value (as the text [`super::table::Layout::page`] reads) as JSON or
//! as a CSV field, by its column's type: numbers as JSON numbers, booleans as
//! `true`/`false` on both backends, timestamps as RFC 3339 in UTC.

use super::column_type::{ColumnType, stored_timestamp};
use std::borrow::Cow;

fn boolean(text: &str) -> bool {
    matches!(text, "true" | "t" | "1")
}

/// Appends the JSON of one value.
pub fn write_json(out: &mut Vec<u8>, kind: ColumnType, text: Option<&str>) {
    let Some(text) = text else {
        out.extend_from_slice(b"null");
        return;
    };
    match kind {
        // Loaded through the same parser that admits only JSON numbers, and read
        // back in each database's canonical form.
        ColumnType::Integer | ColumnType::Numeric => {
            match serde_json::from_str::<serde_json::Number>(text) {
                Ok(_) => out.extend_from_slice(text.as_bytes()),
                Err(_) => write_string(out, text),
            }
        }
        ColumnType::Boolean => {
            out.extend_from_slice(if boolean(text) { b"true" } else { b"false" });
        }
        ColumnType::Timestamp => write_string(out, &stored_timestamp(text)),
        ColumnType::Date | ColumnType::Text => write_string(out, text),
    }
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    if serde_json::to_writer(&mut *out, text).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// One value as JSON.
pub fn json_value(kind: ColumnType, text: Option<&str>) -> serde_json::Value {
    let mut out = Vec::with_capacity(32);
    write_json(&mut out, kind, text);
    serde_json::from_slice(&out).unwrap_or(serde_json::Value::Null)
}

/// One value as a CSV field (empty for NULL).
pub fn csv_field(kind: ColumnType, text: Option<&str>) -> Cow<'_, str> {
    let Some(text) = text else {
        return Cow::Borrowed("");
    };
    match kind {
        ColumnType::Boolean => Cow::Borrowed(if boolean(text) { "true" } else { "false" }),
        ColumnType::Timestamp => Cow::Owned(stored_timestamp(text)),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typed_in_json() {
        let json = |kind, text| {
            String::from_utf8({
                let mut out = Vec::new();
                write_json(&mut out, kind, text);
                out
            })
            .unwrap()
        };
        assert_eq!(json(ColumnType::Integer, Some("42")), "42");
        assert_eq!(json(ColumnType::Numeric, Some("1.50")), "1.50");
        assert_eq!(json(ColumnType::Boolean, Some("1")), "true");
        assert_eq!(json(ColumnType::Boolean, Some("false")), "false");
        assert_eq!(json(ColumnType::Text, Some("a \"b\"")), "\"a \\\"b\\\"\"");
        assert_eq!(
            json(ColumnType::Timestamp, Some("2024-01-01T10:00:00+00:00")),
            "\"2024-01-01T10:00:00Z\""
        );
        assert_eq!(json(ColumnType::Date, None), "null");
    }
}
