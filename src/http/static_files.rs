//! Pages and assets compiled into the binary (the GraphiQL explorer, the admin
//! console), served with the headers both need: a strict Content-Security-Policy,
//! `nosniff`, and no referrer, so a token in a URL never leaves the page.
//!
//! Files come from `include_bytes!`, so the server needs nothing beside its binary
//! and works on an air-gapped network.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

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

/// The file called `name` among `files`, or 404. Names stay the same from one
/// release to the next, so browsers revalidate every time (`no-cache`) and a
/// matching `If-None-Match` costs a 304: a new binary's files are seen at once.
pub fn asset(
    files: &[StaticFile],
    name: &str,
    policy: HeaderValue,
    request: &HeaderMap,
) -> Response {
    let Some(file) = files.iter().find(|file| file.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let tag = etag(file.bytes);
    let cached = request
        .get(IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|candidate| candidate.trim() == tag));
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static(file.content_type)),
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            ETAG,
            HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"0\"")),
        ),
    ];
    if cached {
        return (StatusCode::NOT_MODIFIED, security_headers(policy), headers).into_response();
    }
    (security_headers(policy), headers, file.bytes).into_response()
}

/// A strong validator of `bytes` (the first 128 bits of its SHA-256), worked out
/// once per file and process.
fn etag(bytes: &'static [u8]) -> String {
    static TAGS: LazyLock<Mutex<HashMap<(usize, usize), String>>> = LazyLock::new(Default::default);
    let id = (bytes.as_ptr() as usize, bytes.len());
    let mut tags = TAGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    tags.entry(id)
        .or_insert_with(|| {
            let digest = Sha256::digest(bytes);
            format!("\"{}\"", hex::encode(&digest[..16]))
        })
        .clone()
}
