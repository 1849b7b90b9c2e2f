//! Cross-origin requests from browsers (`SIGNPOST_CORS_ORIGINS`).
//!
//! Directory front ends live on other sites, so by default (`*`) any origin may
//! read anonymously: the origin is echoed, credentials are not allowed. Origins
//! listed by name (`https://admin.example.org`) may also send credentials. With
//! `*` and names together, everyone reads and only the named send credentials.

use axum::http::{HeaderName, HeaderValue, Method, header};
use std::time::Duration;
use tower_http::cors::{AllowCredentials, AllowOrigin, CorsLayer};

/// The CORS layer for the setting, or none when it is empty.
pub fn layer(setting: &str) -> Option<CorsLayer> {
    let entries: Vec<&str> = setting
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    if entries.is_empty() {
        return None;
    }
    let any = entries.contains(&"*");
    let named: Vec<HeaderValue> = entries
        .iter()
        .filter(|entry| **entry != "*")
        .filter_map(|entry| HeaderValue::from_str(entry.trim_end_matches('/')).ok())
        .collect();
    let trusted = named.clone();
    let origins = if any {
        AllowOrigin::mirror_request()
    } else {
        AllowOrigin::list(named)
    };
    Some(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_credentials(AllowCredentials::predicate(move |origin, _| {
                trusted.contains(origin)
            }))
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([
                header::ACCEPT,
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-request-id"),
            ])
            .expose_headers([HeaderName::from_static("x-request-id")])
            .max_age(Duration::from_secs(600)),
    )
}
