//! A dataset's stored CSV file, read on a blocking thread: it streams from the
//! object store through the encoding detection the import uses and the CSV
//! reader, row by row, into a [`Visitor`] (inference, or the loader's channel),
//! so memory stays bounded however large the file. Every problem names its row
//! (the line the record starts on; the header is line 1) and column.

use super::name;
use crate::store::{Key, Store};
use futures_util::TryStreamExt;
use tokio_util::io::{StreamReader, SyncIoBridge};

/// Bounds on what a file may hold.
#[derive(Clone, Copy, Debug)]
pub struct FileLimits {
    pub max_field_bytes: usize,
    pub max_columns: usize,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            max_field_bytes: 64 * 1024,
            max_columns: 1000,
        }
    }
}

/// What reads the rows.
pub trait Visitor: Send {
    /// The header's names, normalised ([`name::columns`]).
    fn header(&mut self, columns: &[String]) -> Result<(), String>;
    /// One row, as many fields as the header, with the line it starts on.
    fn row(&mut self, line: u64, fields: &csv::StringRecord) -> Result<(), String>;
    /// After the last row.
    fn end(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// Reads `key` to its end into `visitor` on a blocking thread; the visitor and
/// the rows read, or the first problem (a visitor's error stops the reading).
pub async fn read<V: Visitor + 'static>(
    store: &Store,
    key: &Key,
    limits: FileLimits,
    mut visitor: V,
) -> Result<(V, u64), String> {
    let runtime = tokio::runtime::Handle::current();
    let store = store.clone();
    let key = key.clone();
    tokio::task::spawn_blocking(move || {
        crate::jobs::catch_panic_blocking(|| {
            read_blocking(&runtime, &store, &key, limits, &mut visitor)
        })
        .unwrap_or_else(|panic| Err(format!("reading the file {panic}")))
        .map(|rows| (visitor, rows))
    })
    .await
    .unwrap_or_else(|error| Err(format!("reading the file stopped: {error}")))
}

fn read_blocking(
    runtime: &tokio::runtime::Handle,
    store: &Store,
    key: &Key,
    limits: FileLimits,
    visitor: &mut dyn Visitor,
) -> Result<u64, String> {
    let (_, body) = runtime
        .block_on(store.get(key))
        .map_err(|error| format!("reading the stored file: {error}"))?;
    let reader = SyncIoBridge::new_with_handle(
        StreamReader::new(body.map_err(std::io::Error::other)),
        runtime.clone(),
    );
    let (file, _, _) = crate::import::decode::utf8_reader(Box::new(reader), None)?;
    let mut file = std::io::BufReader::with_capacity(256 * 1024, file);
    let delimiter = match std::io::BufRead::fill_buf(&mut file) {
        Ok(head) => crate::import::source::sniff_delimiter(head),
        Err(error) => return Err(format!("reading the file: {error}")),
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(file);
    let mut record = csv::StringRecord::new();
    let line = |error: &csv::Error| error.position().map(|p| p.line()).unwrap_or(0);
    let read_error = |error: csv::Error| match error.kind() {
        csv::ErrorKind::Utf8 { .. } => format!(
            "row {}: not UTF-8 (save the file as UTF-8 CSV)",
            line(&error)
        ),
        _ => format!("row {}: {error}", line(&error)),
    };
    if !csv.read_record(&mut record).map_err(read_error)? {
        return Err("the file is empty".into());
    }
    let raw: Vec<String> = record.iter().map(str::to_owned).collect();
    if raw.len() > limits.max_columns {
        return Err(format!(
            "the header has {} columns; the limit is {}",
            raw.len(),
            limits.max_columns
        ));
    }
    let columns =
        name::columns(&raw).map_err(|problems| format!("header row: {}", problems.join("; ")))?;
    visitor.header(&columns)?;
    let mut rows = 0u64;
    while csv.read_record(&mut record).map_err(read_error)? {
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.len() == 1 && record.get(0) == Some("") {
            continue; // a blank line
        }
        if record.len() != columns.len() {
            return Err(format!(
                "row {line} has {} fields; the header has {}",
                record.len(),
                columns.len()
            ));
        }
        if let Some((at, _)) = record
            .iter()
            .enumerate()
            .find(|(_, field)| field.len() > limits.max_field_bytes)
        {
            return Err(format!(
                "row {line}, column {}: longer than {} bytes",
                columns[at], limits.max_field_bytes
            ));
        }
        visitor.row(line, &record)?;
        rows += 1;
    }
    visitor.end()?;
    Ok(rows)
}
