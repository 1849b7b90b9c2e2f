//! Datasets on the copy-out routes: `/api/v1/table-structure/<org>/<dataset>`
//! and `/api/v1/table-data/<org>/<dataset>` (the Data Store Service's shape, as
//! for the directory's `directory` schema; `next` links carry the version, so a
//! walk reads one version) and `/export/datasets/<org>/<dataset>.csv|.ndjson`.
//! The caller was checked by [`super::export`].

use crate::dataset::DatasetError;
use crate::dataset::export::{data_page, download, structure};
use crate::dataset::read::reading;
use crate::export::stream::Format;
use crate::export::table::Orientation;
use crate::state::AppState;
use axum::body::Body;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// 404 (an empty object, as the directory's routes answer), 409 for a walk
/// whose version went, 500 otherwise.
fn refused(error: DatasetError) -> Response {
    match error {
        DatasetError::NotFound(_) => json(StatusCode::NOT_FOUND, b"{}".to_vec()),
        DatasetError::Conflict(message) | DatasetError::Usage(message) => json(
            StatusCode::CONFLICT,
            serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default(),
        ),
        other => {
            tracing::error!(error = %other, "dataset route");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn table_structure(state: &AppState, organisation: &str, dataset: &str) -> Response {
    match reading(&state.db, organisation, dataset, None).await {
        Ok(reading) => json(
            StatusCode::OK,
            serde_json::to_vec(&structure(&reading)).unwrap_or_default(),
        ),
        Err(error) => refused(error),
    }
}

/// One page after row `after` of version `version` (the current one when a walk
/// begins).
pub async fn table_data(
    state: &AppState,
    organisation: &str,
    dataset: &str,
    orientation: Orientation,
    after: i64,
    version: Option<i32>,
) -> Response {
    let reading = match reading(&state.db, organisation, dataset, version).await {
        Ok(reading) => reading,
        Err(error) => return refused(error),
    };
    let size = state.config.export_table_page_size.max(1);
    let (rows, more) = match reading.page_and_more(&state.db, after, size).await {
        Ok(page) => page,
        Err(error) => return refused(error),
    };
    let next = more
        .then(|| rows.last().map(|(row, _)| *row))
        .flatten()
        .map(|row| {
            format!(
                "{}/api/v1/table-data/{}/{}?orientation={}&next-id={row}&version={}",
                super::export::public_base(state),
                reading.dataset.organisation,
                reading.dataset.dataset,
                match orientation {
                    Orientation::Records => "records",
                    Orientation::Tabular => "tabular",
                },
                reading.version.number
            )
        });
    json(
        StatusCode::OK,
        data_page(&reading, &rows, orientation, next),
    )
}

/// `GET /export/datasets/<org>/<dataset>.csv|.ndjson`: the current version.
pub async fn export_file(state: &AppState, organisation: &str, file: &str) -> Response {
    let Some((dataset, format)) = file.rsplit_once('.').and_then(|(dataset, extension)| {
        let format = match extension {
            "csv" => Format::Csv,
            "ndjson" => Format::Ndjson,
            _ => return None,
        };
        Some((dataset, format))
    }) else {
        return json(StatusCode::NOT_FOUND, b"{}".to_vec());
    };
    let reading = match reading(&state.db, organisation, dataset, None).await {
        Ok(reading) => reading,
        Err(error) => return refused(error),
    };
    let disposition = format!(
        "attachment; filename=\"{}-{}-v{}.{}\"",
        reading.dataset.organisation,
        reading.dataset.dataset,
        reading.version.number,
        if format == Format::Csv {
            "csv"
        } else {
            "ndjson"
        }
    );
    let mut response =
        Body::from_stream(download(state.db.clone(), reading, format)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}
