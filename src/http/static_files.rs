//! Pages and assets compiled into the binary (the GraphiQL explorer, the admin
//! console), served with the headers both need: a strict Content-Security-Policy,
//! `nosniff`, and no referrer, so a token in a URL never leaves the page.
//!
//! Files come from `include_bytes!`, so the server needs nothing beside its binary
//! and works on an air-gapped network.

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// One file the server ships.
pub struct StaticFile {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

fn security_headers(policy: HeaderValue) -> [(HeaderName, HeaderValue); 3] {
    [
        (CONTENT_SECURITY_POLICY, policy),
        (
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ),
        (
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ),
    ]
}

/// An HTML page, revalidated on every load so a new binary's page is seen at once.
pub fn page(bytes: &'static [u8], policy: HeaderValue) -> Response {
    (
        security_headers(policy),
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        bytes,
    )
        .into_response()
}

/// The file called `name` among `files`, or 404.
pub fn asset(files: &[StaticFile], name: &str, policy: HeaderValue) -> Response {
    match files.iter().find(|file| file.name == name) {
        Some(file) => (
            security_headers(policy),
            [
                (CONTENT_TYPE, HeaderValue::from_static(file.content_type)),
                // Names do not change with their contents, so a cached copy lives
                // only an hour past a new binary.
                (
                    CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            file.bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
