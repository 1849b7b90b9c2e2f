//! The GraphQL multipart request (file uploads, used by `importCsv`): async-graphql
//! parses it and spools each file to a temporary file as it arrives, so an upload
//! is never held in memory. Files are limited by `SIGNPOST_IMPORT_MAX_FILE_BYTES`
//! rather than the JSON body limit; the request timeout still bounds the upload.

use futures_util::TryStreamExt;

/// Files one request may carry.
const MAX_FILES: usize = 4;

/// Reads a multipart request whose `Content-Type` is `content_type`.
pub async fn receive(
    body: axum::body::Body,
    content_type: &str,
    max_file_bytes: u64,
) -> Result<async_graphql::Request, String> {
    let reader = body
        .into_data_stream()
        .map_err(std::io::Error::other)
        .into_async_read();
    let options = async_graphql::http::MultipartOptions::default()
        .max_file_size(usize::try_from(max_file_bytes).unwrap_or(usize::MAX))
        .max_num_files(MAX_FILES);
    async_graphql::http::receive_body(Some(content_type), reader, options)
        .await
        .map_err(|error| format!("the multipart request cannot be read: {error}"))
}
