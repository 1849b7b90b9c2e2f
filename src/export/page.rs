//! The paged `export` query: a full copy by id, or the changes since a time by
//! `(updated_at, id)`, with the watermark for the next run fixed when the run's
//! first page is read and carried in its cursors.

use super::rows::{self, Order, Position, RowSink};
use super::watermark::safe_watermark;
use crate::repo::RecordType;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use serde::{Deserialize, Serialize};

/// The most rows a page may hold.
pub const MAX_PAGE_ROWS: u64 = 5000;

/// What a client asks for.
pub struct ExportRequest {
    pub kind: RecordType,
    pub first: u64,
    pub after: Option<ExportCursor>,
    pub updated_since: Option<DateTime<Utc>>,
    /// The watermark's safety lag.
    pub lag: std::time::Duration,
}

/// A position in one run, with the run's watermark (opaque to clients).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportCursor {
    #[serde(rename = "t")]
    table: String,
    #[serde(rename = "p")]
    position: Position,
    #[serde(rename = "w")]
    watermark: DateTime<Utc>,
}

/// Why a cursor was refused.
#[derive(Debug, thiserror::Error)]
pub enum CursorError {
    #[error("`after` is not a cursor this export returned")]
    Malformed,
    #[error("`after` is a cursor of an export of {0}, not of this record type")]
    OtherType(String),
    #[error("`after` is a cursor of a full export; pass no `updatedSince` with it, or start again")]
    NotIncremental,
    #[error("`after` is a cursor of an incremental export; pass its `updatedSince` with it")]
    NotFull,
}

impl ExportCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads a cursor a client sent back for an export of `kind`.
    pub fn decode(text: &str, kind: RecordType) -> Result<Self, CursorError> {
        let cursor: Self = URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(CursorError::Malformed)?;
        if cursor.table != kind.name() {
            return Err(CursorError::OtherType(cursor.table));
        }
        Ok(cursor)
    }
}

/// One page of an export (its rows went to the caller's sink).
#[derive(Debug)]
pub struct ExportPage {
    pub end_cursor: Option<String>,
    pub has_next_page: bool,
    /// The `updatedSince` of the next run.
    pub watermark: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Cursor(#[from] CursorError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Reads one page into `rows`.
#[tracing::instrument(
    name = "export.page",
    skip_all,
    fields(kind = request.kind.name(), first = request.first, incremental = request.updated_since.is_some())
)]
pub async fn export_page(
    db: &impl ConnectionTrait,
    request: ExportRequest,
    rows: &mut (impl RowSink + Send),
) -> Result<ExportPage, ExportError> {
    let order = match request.updated_since {
        Some(since) => Order::ChangedSince(since),
        None => Order::Full,
    };
    if let Some(cursor) = &request.after {
        match (order, cursor.position.updated_at) {
            (Order::ChangedSince(_), None) => return Err(CursorError::NotIncremental.into()),
            (Order::Full, Some(_)) => return Err(CursorError::NotFull.into()),
            _ => {}
        }
    }
    let watermark = match &request.after {
        Some(cursor) => cursor.watermark,
        None => safe_watermark(db, request.lag).await?,
    };
    let first = request.first.clamp(1, MAX_PAGE_ROWS);
    let fetched = rows::after(
        db,
        request.kind,
        order,
        request.after.as_ref().map(|cursor| cursor.position),
        first,
        rows,
    )
    .await?;
    let end_cursor = fetched.last.map(|position| {
        ExportCursor {
            table: request.kind.name().to_owned(),
            position,
            watermark,
        }
        .encode()
    });
    Ok(ExportPage {
        end_cursor,
        has_next_page: fetched.more,
        watermark,
    })
}
