//! Datasets: any CSV kept beside the directory as a named (`organisation`,
//! `dataset`), typed and versioned table, as the Data Store Service kept them.
//!
//! A version goes uploaded (the file stored under `datasets/<org>/<dataset>/<id>`)
//! → verified (previewed: [`infer`] reads every row) → processing (confirmed with
//! column types; [`load`] fills a table of its own) → completed (published in one
//! transaction, [`table`]) or failed with the reason, the current version still
//! served. One version of a dataset processes at a time (a unique index says so
//! to every replica). Restoring an earlier version loads its stored file again as
//! a new version.

pub mod column_type;
pub mod csv_file;
pub mod export;
pub mod infer;
pub mod load;
pub mod name;
pub mod read;
pub mod render;
pub mod table;
pub mod version;
pub mod writer;

pub use column_type::ColumnType;
pub use csv_file::FileLimits;

use crate::store::StoreError;
use sea_orm::DbErr;
use serde::{Deserialize, Serialize};

/// A column of a confirmed version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
}

/// The limits of dataset uploads.
#[derive(Clone, Copy, Debug)]
pub struct DatasetLimits {
    pub max_file_bytes: u64,
    pub file: FileLimits,
}

impl Default for DatasetLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 2 * 1024 * 1024 * 1024,
            file: FileLimits::default(),
        }
    }
}

/// Why a dataset operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// Something the caller can fix; the message names it.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    NotFound(String),
    /// The dataset or version is not in a state that allows it.
    #[error("{0}")]
    Conflict(String),
    #[error("object store: {0}")]
    Store(#[from] StoreError),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

impl From<DatasetError> for crate::error::AppError {
    fn from(error: DatasetError) -> Self {
        use crate::error::{AppError, ErrorCode};
        match error {
            DatasetError::Usage(message) => AppError::user(ErrorCode::BadUserInput, message),
            DatasetError::NotFound(message) => AppError::not_found(message),
            DatasetError::Conflict(message) => AppError::conflict(message),
            DatasetError::Store(error) => AppError::internal(error),
            DatasetError::Db(error) => error.into(),
        }
    }
}
