//! A dataset's rows as the copy-out routes serve them: pages of the Data Store
//! Service's `table-data` shape, and whole-version downloads as NDJSON or CSV,
//! streamed page by page from one version so a download is never half of two.

use super::read::{Reading, Rows};
use super::render::{csv_field, write_json};
use crate::export::stream::{Format, csv_line};
use crate::export::table::Orientation;
use bytes::Bytes;
use futures_util::Stream;
use sea_orm::DatabaseConnection;

/// Rows read per query while streaming a download.
const ROWS_PER_QUERY: u64 = 5000;

/// `{"columns":[{"name","type"}]}`.
pub fn structure(reading: &Reading) -> serde_json::Value {
    serde_json::json!({ "columns": reading.columns })
}

/// One `table-data` page as its body; `next` is the link to the next page.
pub fn data_page(
    reading: &Reading,
    rows: &Rows,
    orientation: Orientation,
    next: Option<String>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + rows.len() * 64 * reading.columns.len().max(1));
    match orientation {
        Orientation::Records => out.extend_from_slice(b"{\"results\":["),
        Orientation::Tabular => {
            let headers: Vec<&str> = reading.columns.iter().map(|c| c.name.as_str()).collect();
            out.extend_from_slice(b"{\"headers\":");
            out.extend(serde_json::to_vec(&headers).unwrap_or_default());
            out.extend_from_slice(b",\"values\":[");
        }
    }
    for (at, (_, values)) in rows.iter().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        write_row(&mut out, reading, values, orientation);
    }
    out.extend_from_slice(b"],\"next\":");
    out.extend(serde_json::to_vec(&next).unwrap_or_else(|_| b"null".to_vec()));
    out.push(b'}');
    out
}

/// A row as a JSON object (records) or array (tabular).
fn write_row(
    out: &mut Vec<u8>,
    reading: &Reading,
    values: &[Option<String>],
    orientation: Orientation,
) {
    let (open, close) = match orientation {
        Orientation::Records => (b'{', b'}'),
        Orientation::Tabular => (b'[', b']'),
    };
    out.push(open);
    for (at, (column, value)) in reading.columns.iter().zip(values).enumerate() {
        if at > 0 {
            out.push(b',');
        }
        if orientation == Orientation::Records {
            out.extend(serde_json::to_vec(&column.name).unwrap_or_default());
            out.push(b':');
        }
        write_json(out, column.kind, value.as_deref());
    }
    out.push(close);
}

/// The version's rows as a file, a chunk per page. It stops when the client
/// goes away; a read that fails ends the body with an error (a truncated
/// download, not a short file that looks whole).
pub fn download(
    db: DatabaseConnection,
    reading: Reading,
    format: Format,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        let mut out = Vec::new();
        if format == Format::Csv {
            out.extend(csv_line(reading.columns.iter().map(|c| c.name.as_str())));
        }
        let mut after = 0;
        loop {
            let rows = match reading.page(&db, after, ROWS_PER_QUERY).await {
                Ok(rows) => rows,
                Err(error) => {
                    let _ = tx.send(Err(std::io::Error::other(error.to_string()))).await;
                    return;
                }
            };
            for (_, values) in &rows {
                match format {
                    Format::Ndjson => {
                        write_row(&mut out, &reading, values, Orientation::Records);
                        out.push(b'\n');
                    }
                    Format::Csv => out.extend(csv_line(
                        reading
                            .columns
                            .iter()
                            .zip(values)
                            .map(|(column, value)| csv_field(column.kind, value.as_deref()))
                            .collect::<Vec<_>>()
                            .iter()
                            .map(|field| field.as_ref()),
                    )),
                }
            }
            let full = rows.len() as u64 == ROWS_PER_QUERY;
            if let Some((last, _)) = rows.last() {
                after = *last;
            }
            if !out.is_empty()
                && tx
                    .send(Ok(Bytes::from(std::mem::take(&mut out))))
                    .await
                    .is_err()
            {
                return;
            }
            if !full {
                return;
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}
