//! Rows of a stored file, parsed on a blocking thread while the caller works on
//! the previous batch in the database: the file streams from the object store
//! through the decoder and the CSV reader, so memory stays bounded by the batch.

use super::Problem;
use super::decode::{FileEncoding, utf8_reader};
use super::header::{Header, read_header};
use super::row::{Row, read_row};
use crate::repo::RecordType;
use crate::store::{Key, Store};
use futures_util::TryStreamExt;
use tokio::sync::mpsc;
use tokio_util::io::{StreamReader, SyncIoBridge};

/// Rows per batch handed to the database side.
pub const BATCH_ROWS: usize = 1000;

/// How a file is read.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    pub kind: RecordType,
    pub strict: bool,
    pub publish: bool,
    pub encoding: Option<String>,
    pub max_field_bytes: usize,
}

/// What the reading thread sends.
pub enum Parsed {
    /// First: the header, or why the file cannot be read at all.
    Header {
        header: Result<Header, Vec<Problem>>,
        warnings: Vec<Problem>,
        encoding: Option<FileEncoding>,
    },
    /// Then rows, each with its problems.
    Rows(Vec<(Row, Vec<Problem>)>),
    /// Last: the whole file was read. A reader that stops without sending this
    /// did not reach the end, and the rows it sent are not the file.
    End,
    /// The reader stopped on an internal error.
    Failed(Problem),
}

/// Starts reading `key` from `store`; batches arrive on the receiver.
pub fn spawn(store: Store, key: Key, options: ReadOptions) -> mpsc::Receiver<Parsed> {
    let (tx, rx) = mpsc::channel(4);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let stopped = tx.clone();
        if let Err(panic) = crate::jobs::catch_panic_blocking(move || {
            read_stored(&runtime, &store, &key, &options, &tx)
        }) {
            let _ = stopped.blocking_send(Parsed::Failed(Problem::file(format!(
                "reading the file {panic}"
            ))));
        }
    });
    rx
}

fn read_stored(
    runtime: &tokio::runtime::Handle,
    store: &Store,
    key: &Key,
    options: &ReadOptions,
    tx: &mpsc::Sender<Parsed>,
) {
    {
        let body = runtime.block_on(store.get(key));
        let body = match body {
            Ok((_, body)) => body,
            Err(error) => {
                let _ = tx.blocking_send(Parsed::Header {
                    header: Err(vec![Problem::file(format!(
                        "reading the stored file: {error}"
                    ))]),
                    warnings: Vec::new(),
                    encoding: None,
                });
                return;
            }
        };
        let reader = SyncIoBridge::new_with_handle(
            StreamReader::new(body.map_err(std::io::Error::other)),
            runtime.clone(),
        );
        read_all(Box::new(reader), options, tx);
    }
}

fn read_all(file: Box<dyn std::io::Read + Send>, options: &ReadOptions, tx: &mpsc::Sender<Parsed>) {
    let fail = |problem: Problem| {
        let _ = tx.blocking_send(Parsed::Header {
            header: Err(vec![problem]),
            warnings: Vec::new(),
            encoding: None,
        });
    };
    let (file, encoding, guessed) = match utf8_reader(file, options.encoding.as_deref()) {
        Ok(decoded) => decoded,
        Err(message) => return fail(Problem::file(message)),
    };
    let (file, lines) = super::lines::LineCounter::new(file);
    let mut sample = std::io::BufReader::with_capacity(64 * 1024, file);
    let delimiter = match std::io::BufRead::fill_buf(&mut sample) {
        Ok(head) => sniff_delimiter(head),
        Err(error) => return fail(Problem::file(format!("reading the file: {error}"))),
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(sample);
    let mut record = csv::ByteRecord::new();
    let first = match csv.read_byte_record(&mut record) {
        Ok(true) => record.clone(),
        Ok(false) => return fail(Problem::file("the file is empty")),
        Err(error) => {
            return fail(Problem::file(format!(
                "the header row cannot be read: {error}"
            )));
        }
    };
    let names = match csv::StringRecord::from_byte_record(first) {
        Ok(names) => names,
        Err(_) => return fail(Problem::header("the header row is not valid UTF-8")),
    };
    let mut warnings = Vec::new();
    if encoding == FileEncoding::Windows1252 && guessed {
        warnings.push(Problem::file("the file is not UTF-8: read as Windows-1252"));
    }
    let header = match read_header(options.kind, &names, options.strict, options.publish) {
        Ok((header, more)) => {
            warnings.extend(more);
            header
        }
        Err(problems) => {
            let _ = tx.blocking_send(Parsed::Header {
                header: Err(problems),
                warnings,
                encoding: Some(encoding),
            });
            return;
        }
    };
    let column_name = |index: usize| -> String {
        names
            .get(index)
            .map(|name| name.trim().to_owned())
            .unwrap_or_else(|| format!("column {}", index + 1))
    };
    if tx
        .blocking_send(Parsed::Header {
            header: Ok(header.clone()),
            warnings,
            encoding: Some(encoding),
        })
        .is_err()
    {
        return;
    }
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    loop {
        let before = csv.position().byte();
        let line = match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => lines.line_of(record.position().map_or(before, csv::Position::byte)),
            Err(error) => {
                let line = lines.line_of(before + 1);
                let problem = Problem::row(line, format!("cannot be read as CSV: {error}"));
                batch.push((
                    super::row::Row {
                        line,
                        id: None,
                        cells: Vec::new(),
                    },
                    vec![problem],
                ));
                break;
            }
        };
        if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
            continue; // a blank line
        }
        let mut problems = Vec::new();
        if record.len() != header.width {
            problems.push(Problem::row(
                line,
                format!(
                    "has {} fields; the header has {}",
                    record.len(),
                    header.width
                ),
            ));
        }
        if let Some(index) = record
            .iter()
            .position(|field| field.len() > options.max_field_bytes)
        {
            problems.push(Problem::at(
                line,
                &column_name(index),
                format!("is longer than {} bytes", options.max_field_bytes),
            ));
        }
        let row = if problems.is_empty() {
            match csv::StringRecord::from_byte_record(record.clone()) {
                Ok(fields) => {
                    let (row, more) = read_row(&header, line, &fields);
                    problems.extend(more);
                    row
                }
                Err(error) => {
                    let index = error.utf8_error().field();
                    problems.push(Problem::at(
                        line,
                        &column_name(index),
                        "is not valid UTF-8, and the file does not read as Windows-1252 either; \
                         if it is Windows-1252 (or Latin-1), declare it: `signpost import --encoding windows-1252`, \
                         or `encoding: \"windows-1252\"` in importCsv",
                    ));
                    super::row::Row {
                        line,
                        id: None,
                        cells: Vec::new(),
                    }
                }
            }
        } else {
            super::row::Row {
                line,
                id: None,
                cells: Vec::new(),
            }
        };
        batch.push((row, problems));
        if batch.len() == BATCH_ROWS
            && tx
                .blocking_send(Parsed::Rows(std::mem::take(&mut batch)))
                .is_err()
        {
            return;
        }
    }
    if !batch.is_empty() && tx.blocking_send(Parsed::Rows(batch)).is_err() {
        return;
    }
    let _ = tx.blocking_send(Parsed::End);
}

/// `,` unless the header line has more `;` or tabs (European Excel, TSV).
pub(crate) fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap_or(head);
    let count = |wanted: u8| line.iter().filter(|&&b| b == wanted).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&candidate| (count(candidate), candidate == b','))
        .unwrap_or(b',')
}
