//! CSV import: a file (or a zip of files) validated in full, previewed, and applied
//! all-or-nothing in one transaction, with its raw bytes kept in the object store
//! under `imports/<id>` and an `imports` row as its history.
//!
//! One pass over the stored file ([`check`]) reads every row — encoding, CSV
//! shape, header, types, rules across columns — and stages the good ones in a
//! temporary table of the import's own database session ([`stage`]); duplicate
//! ids, references to live records or to rows of the same import, and what would
//! be inserted, updated and deleted are then queries over the stage. A dry run
//! stops there and changes nothing. Applying ([`apply`]) is one
//! `INSERT … SELECT` per file inside one transaction, so a failure (or a killed
//! process) leaves nothing visible. Parsing runs on a blocking thread ahead of
//! the staging ([`source`]), so the two overlap, and memory stays bounded by a
//! batch however large the file.

pub mod apply;
pub mod check;
pub mod confirm;
pub mod copy;
pub mod decode;
pub mod header;
pub mod lines;
pub mod process;
pub mod progress;
pub mod row;
pub mod run;
pub mod source;
pub mod spec;
pub mod stage;
pub mod visible;
pub mod zip;

use serde::Serialize;
use std::fmt;

pub use process::process;
pub use run::{ImportOptions, ImportOutcome, Mode, import_file};

/// One thing wrong with (or worth saying about) a file: where, and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file inside a zip, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line the row starts on (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn at(row: u64, column: &str, message: impl Into<String>) -> Self {
        Self {
            file: None,
            row: Some(row),
            column: Some(column.to_owned()),
            message: message.into(),
        }
    }

    pub fn row(row: u64, message: impl Into<String>) -> Self {
        Self {
            file: None,
            row: Some(row),
            column: None,
            message: message.into(),
        }
    }

    pub fn header(message: impl Into<String>) -> Self {
        Self {
            file: None,
            row: Some(1),
            column: None,
            message: message.into(),
        }
    }

    pub fn file(message: impl Into<String>) -> Self {
        Self {
            file: None,
            row: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn in_file(mut self, name: &str) -> Self {
        self.file = Some(name.to_owned());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        match (&self.row, &self.column) {
            (Some(1), None) => f.write_str("header row: ")?,
            (Some(row), Some(column)) => write!(f, "row {row}, column {column}: ")?,
            (Some(row), None) => write!(f, "row {row}: ")?,
            _ => {}
        }
        f.write_str(&self.message)
    }
}
