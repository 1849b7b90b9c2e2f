//! The ONS Postcode Directory loader: a stored zip (or bare CSV) of postcodes
//! upserted into `postcodes` in one transaction (the writing is in [`write`]).
//!
//! ONSPD zips carry documentation CSVs beside the data, so the member read is the
//! largest `.csv` whose header has a `pcds` column. The zip is spooled to a
//! temporary file (the format needs seeking) and that member streamed, never
//! unpacked whole; a bare CSV streams straight from the store. Either way the
//! bytes go through [`utf8_reader`] (UTF-8 with or without a BOM, or
//! Windows-1252) and the CSV reader on a blocking thread, which sends batches of
//! [`BATCH_ROWS`] over a channel while the previous one is written: memory stays
//! bounded by a few batches however large the file.
//!
//! Columns are found by name, in any case and order: `pcds` (the postcode, stored
//! upper case without spaces), `lat`, `long` and `doterm` (termination date: set
//! means terminated); others are ignored. ONSPD marks a postcode without a
//! location with `lat` 99.999999 (and `long` 0.000000): both are stored NULL. Any
//! bad row fails the whole file, naming its line and column, so the caller's
//! transaction rolls back and the table is left as it was.

use super::IngestError;
use crate::import::decode::utf8_reader;
use crate::read::near::normalise_postcode;
use crate::store::{Key, Store};
use futures_util::TryStreamExt;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::io::{self, Read};
use tokio::sync::mpsc;
use tokio_util::io::{StreamReader, SyncIoBridge};
use uuid::Uuid;

mod write;

/// Rows per batch the parser hands over (an upsert statement on SQLite, with 6
/// parameters a row).
pub const BATCH_ROWS: usize = 1000;

/// ONSPD's latitude for a postcode it has no location for.
const NO_LOCATION_LAT: f64 = 99.999999;

/// The columns read, by their ONSPD names.
const COLUMNS: [&str; 4] = ["pcds", "lat", "long", "doterm"];

/// One row of the directory, checked.
#[derive(Clone, Debug, PartialEq)]
struct Postcode {
    postcode: String,
    point: Option<(f64, f64)>,
    terminated: bool,
}

type Batch = Result<Vec<Postcode>, IngestError>;

/// Loads the ONSPD file stored at `key` into `postcodes`, recording `source_file`
/// on every row and, when `file` names its registry row, marking that processed
/// in the same transaction; the number of data rows loaded (a postcode the file
/// repeats counts each time, and its last row wins). All or nothing: a bad row,
/// a lost connection or a failed write leaves the table as it was.
pub async fn load_postcodes(
    db: &DatabaseConnection,
    store: Store,
    key: Key,
    source_file: &str,
    file: Option<Uuid>,
) -> Result<u64, IngestError> {
    let (_, body) = store.get(&key).await?;
    let (tx, rx) = mpsc::channel::<Batch>(2);
    let runtime = tokio::runtime::Handle::current();
    let reader = tokio::task::spawn_blocking(move || {
        let body = SyncIoBridge::new_with_handle(
            StreamReader::new(body.map_err(io::Error::other)),
            runtime,
        );
        if let Err(error) = read_file(Box::new(body), &tx) {
            let _ = tx.blocking_send(Err(error));
        }
    });
    let written = if db.get_database_backend() == DatabaseBackend::Postgres {
        write::by_copy(db, rx, source_file, file).await
    } else {
        write::by_batches(db, rx, source_file, file).await
    };
    reader
        .await
        .map_err(|error| IngestError::Load(format!("reading the file: {error}")))?;
    written
}

fn load(message: impl Into<String>) -> IngestError {
    IngestError::Load(message.into())
}

/// On the blocking thread: the stored file, a zip or a bare CSV, parsed into
/// batches sent on `tx`.
fn read_file(mut file: Box<dyn Read + Send>, tx: &mpsc::Sender<Batch>) -> Result<(), IngestError> {
    let mut magic = Vec::with_capacity(4);
    (&mut file)
        .take(4)
        .read_to_end(&mut magic)
        .map_err(|error| load(format!("reading the stored file: {error}")))?;
    let file = Box::new(io::Cursor::new(magic.clone()).chain(file));
    if magic != b"PK\x03\x04" {
        return parse(file, tx);
    }
    let spool_error = |error: io::Error| load(format!("spooling the zip: {error}"));
    let mut spool = tempfile::tempfile().map_err(spool_error)?;
    io::copy(&mut { file }, &mut spool).map_err(spool_error)?;
    io::Seek::rewind(&mut spool).map_err(spool_error)?;
    let mut archive = zip::ZipArchive::new(spool)
        .map_err(|error| load(format!("the file is not a readable zip: {error}")))?;
    let index = pick_member(&mut archive)?;
    // A member borrows the archive, but the decoder wants an owned reader: a
    // scoped thread unpacks the member into a bounded pipe that is parsed here.
    let (pipe, chunks) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(4);
    let archive = &mut archive;
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("postcodes-unzip".into())
            .spawn_scoped(scope, move || {
                if let Err(error) = pump(archive, index, &pipe) {
                    let _ = pipe.send(Err(error));
                }
            })
            .map_err(|error| load(format!("unpacking the zip: {error}")))?;
        let chunk = io::Cursor::new(Vec::new());
        parse(Box::new(Pipe { chunks, chunk }), tx)
    })
}

/// Expansion beyond this factor is taken for a zip bomb (ONSPD's is about 6).
const MAX_RATIO: u64 = 200;

/// Sends member `index` down `pipe` in chunks, until the parser stops taking them.
/// A zip comes from outside: the member is refused when its declared sizes make
/// it a likely bomb, and stopped when it inflates past the size it declared.
fn pump(
    archive: &mut zip::ZipArchive<std::fs::File>,
    index: usize,
    pipe: &std::sync::mpsc::SyncSender<io::Result<Vec<u8>>>,
) -> io::Result<()> {
    let mut member = archive.by_index(index).map_err(io::Error::other)?;
    let (declared, packed) = (member.size(), member.compressed_size().max(1));
    if declared / packed > MAX_RATIO && declared > 1024 * 1024 {
        return Err(io::Error::other(format!(
            "zip member {:?} expands {}-fold: refused as a likely zip bomb",
            member.name(),
            declared / packed
        )));
    }
    let mut inflated = 0u64;
    loop {
        let mut chunk = vec![0u8; 256 * 1024];
        let read = member.read(&mut chunk)?;
        chunk.truncate(read);
        inflated += read as u64;
        if inflated > declared {
            return Err(io::Error::other(format!(
                "zip member {:?} inflates past the {declared} bytes its header declares: refused as a forged archive",
                member.name()
            )));
        }
        if read == 0 || pipe.send(Ok(chunk)).is_err() {
            return Ok(());
        }
    }
}

/// The largest `.csv` member whose header has a `pcds` column.
fn pick_member(archive: &mut zip::ZipArchive<std::fs::File>) -> Result<usize, IngestError> {
    let mut best: Option<(usize, u64)> = None;
    for index in 0..archive.len() {
        let Ok(member) = archive.by_index(index) else {
            continue;
        };
        let name = member.name().to_ascii_lowercase();
        if member.is_dir() || name.starts_with("__macosx/") || !name.ends_with(".csv") {
            continue;
        }
        let size = member.size();
        if best.is_some_and(|(_, largest)| largest >= size) {
            continue;
        }
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(member.take(64 * 1024));
        let mut header = csv::ByteRecord::new();
        if matches!(csv.read_byte_record(&mut header), Ok(true))
            && header.iter().any(|name| column_name(name) == "pcds")
        {
            best = Some((index, size));
        }
    }
    best.map(|(index, _)| index)
        .ok_or_else(|| load("the zip holds no CSV file with a `pcds` column"))
}

/// A header name as matched: trimmed, lower case, without a byte-order mark.
fn column_name(name: &[u8]) -> String {
    String::from_utf8_lossy(name)
        .trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase()
}

/// Chunks from the unzipping thread, read as one stream.
struct Pipe {
    chunks: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: io::Cursor<Vec<u8>>,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let read = self.chunk.read(buf)?;
            if read > 0 || buf.is_empty() {
                return Ok(read);
            }
            match self.chunks.recv() {
                Ok(chunk) => self.chunk = io::Cursor::new(chunk?),
                Err(_) => return Ok(0), // the member is done
            }
        }
    }
}

/// Decodes and parses the CSV, sending full batches; stops quietly when the
/// receiver has gone (the load failed on the database side).
fn parse(file: Box<dyn Read + Send>, tx: &mpsc::Sender<Batch>) -> Result<(), IngestError> {
    let (file, _, _) = utf8_reader(file, None).map_err(load)?;
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file);
    let mut record = csv::ByteRecord::new();
    let read_error = |line: u64, error: csv::Error| load(format!("line {line}: {error}"));
    if !csv
        .read_byte_record(&mut record)
        .map_err(|e| read_error(1, e))?
    {
        return Err(load("the file is empty"));
    }
    let names: Vec<String> = record.iter().map(column_name).collect();
    let mut at = [0usize; 4];
    for (slot, wanted) in at.iter_mut().zip(COLUMNS) {
        *slot = names
            .iter()
            .position(|name| name == wanted)
            .ok_or_else(|| load(format!("the file has no `{wanted}` column")))?;
    }
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    loop {
        let line = csv.position().line();
        if !csv
            .read_byte_record(&mut record)
            .map_err(|e| read_error(line, e))?
        {
            break;
        }
        if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
            continue; // a blank line
        }
        batch.push(read_row(line, &record, at)?);
        if batch.len() == BATCH_ROWS && tx.blocking_send(Ok(std::mem::take(&mut batch))).is_err() {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(Ok(batch));
    }
    Ok(())
}

/// One data row, checked; `at` holds the columns' positions, in [`COLUMNS`] order.
fn read_row(line: u64, record: &csv::ByteRecord, at: [usize; 4]) -> Result<Postcode, IngestError> {
    let fail = |column: usize, message: String| {
        load(format!(
            "line {line}, column {}: {message}",
            COLUMNS[column]
        ))
    };
    let mut fields = [""; 4];
    for (column, field) in fields.iter_mut().enumerate() {
        let bytes = record.get(at[column]).unwrap_or_default();
        *field = std::str::from_utf8(bytes)
            .map_err(|_| fail(column, "is not valid UTF-8".into()))?
            .trim();
    }
    let shown = |text: &str| format!("{:?}", text.chars().take(40).collect::<String>());
    let postcode = normalise_postcode(fields[0]);
    if postcode.is_empty() {
        return Err(fail(0, "the postcode is empty".into()));
    }
    if !postcode.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        return Err(fail(0, format!("{} is not a postcode", shown(fields[0]))));
    }
    let number = |column: usize| {
        let text = fields[column];
        text.parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())
            .ok_or_else(|| fail(column, format!("{} is not a number", shown(text))))
    };
    let (latitude, longitude) = (number(1)?, number(2)?);
    let point = if latitude == NO_LOCATION_LAT {
        None // ONSPD's "no location", whatever `long` says
    } else {
        for (column, value, limit) in [(1, latitude, 90.0), (2, longitude, 180.0)] {
            if !(-limit..=limit).contains(&value) {
                return Err(fail(
                    column,
                    format!("{value} is outside -{limit} to {limit}"),
                ));
            }
        }
        Some((latitude, longitude))
    };
    Ok(Postcode {
        postcode,
        point,
        terminated: !fields[3].is_empty(),
    })
}
