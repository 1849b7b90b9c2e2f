//! Whole-table downloads: every live record of a type as NDJSON (one JSON object a
//! line, the export query's row shape) or CSV (the table's columns, which the CSV
//! import reads back), produced page by page while the response streams, so a
//! million rows never sit in memory.

use super::rows::{self, Exported, Order, Position, RowSink};
use crate::repo::RecordType;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sea_orm::DatabaseConnection;
use serde::Serialize;

/// Rows read per query while streaming.
const ROWS_PER_QUERY: u64 = 5000;

/// A download format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Ndjson => "application/x-ndjson",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// `services.ndjson` → (services, NDJSON).
pub fn parse_file_name(name: &str) -> Option<(RecordType, Format)> {
    let (table, extension) = name.rsplit_once('.')?;
    let format = match extension {
        "ndjson" => Format::Ndjson,
        "csv" => Format::Csv,
        _ => return None,
    };
    Some((RecordType::from_table(table)?, format))
}

/// The file's bytes, a chunk per page. A task reads and formats the pages one
/// ahead of the response, so the database, the formatting and the network
/// overlap; it stops when the client goes away.
pub fn download(
    db: DatabaseConnection,
    kind: RecordType,
    format: Format,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        let mut after: Option<Position> = None;
        let mut out = Vec::new();
        if format == Format::Csv {
            let columns: Vec<String> = rows::columns(kind)
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            out.extend(csv_line(columns.iter().map(String::as_str)));
        }
        loop {
            let fetched = match format {
                Format::Ndjson => {
                    let mut sink = NdjsonRows(&mut out);
                    rows::after(&db, kind, Order::Full, after, ROWS_PER_QUERY, &mut sink).await
                }
                Format::Csv => {
                    let mut sink = CsvRows(csv_writer());
                    let fetched =
                        rows::after(&db, kind, Order::Full, after, ROWS_PER_QUERY, &mut sink).await;
                    out.extend(sink.0.into_inner().unwrap_or_default());
                    fetched
                }
            };
            let fetched = match fetched {
                Ok(fetched) => fetched,
                Err(error) => {
                    // Headers are gone already: cut the body short, so the client
                    // sees a broken download rather than a complete-looking one.
                    tracing::error!(%error, "streaming an export");
                    let _ = tx
                        .send(Err(std::io::Error::other("the export failed")))
                        .await;
                    return;
                }
            };
            let chunk = Bytes::from(std::mem::take(&mut out));
            if tx.send(Ok(chunk)).await.is_err() || !fetched.more {
                return;
            }
            after = fetched.last;
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
    // The compression layer polls once more after the end; `unfold` would panic.
    .fuse()
}

/// NDJSON lines.
struct NdjsonRows<'a>(&'a mut Vec<u8>);

impl RowSink for NdjsonRows<'_> {
    fn row<M: Serialize>(&mut self, model: &M, deleted: bool) {
        let row = Exported {
            row: model,
            deleted,
        };
        if serde_json::to_writer(&mut *self.0, &row).is_ok() {
            self.0.push(b'\n');
        }
    }
}

/// CSV records, in the model's (the table's) column order.
struct CsvRows(csv::Writer<Vec<u8>>);

impl RowSink for CsvRows {
    fn row<M: Serialize>(&mut self, model: &M, _deleted: bool) {
        if let Err(error) = self.0.serialize(model) {
            tracing::error!(%error, "a row cannot be written as CSV");
        }
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

pub(crate) fn csv_line<'a>(fields: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let mut writer = csv_writer();
    let _ = writer.write_record(fields);
    writer.into_inner().unwrap_or_default()
}
