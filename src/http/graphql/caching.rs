//! HTTP caching of query answers sent over GET.
//!
//! A GET query is a URL, so browsers and CDNs can keep its answer too. Every
//! successful GET answer carries a strong `ETag` (a digest of the body: the same on
//! every replica) and `Vary: Accept, Authorization`. When the server's own cache
//! kept the answer, `Cache-Control` allows keeping it for the rest of its TTL:
//! `public` for anonymous callers, `private` for a signed-in reader, whose answer
//! a shared cache must not hand to anyone else. Otherwise it is `no-cache`: keep
//! it, but ask again, and a matching `If-None-Match` is answered `304` without a
//! body.

use crate::read::viewer::Role;
use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The validators a GET request sent.
#[derive(Clone, Debug, Default)]
pub struct Conditional {
    if_none_match: Option<HeaderValue>,
}

impl Conditional {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        Self {
            if_none_match: headers.get(IF_NONE_MATCH).cloned(),
        }
    }

    /// Whether the caller already holds the body tagged `etag` (RFC 9110 §13.1.2:
    /// weak comparison, a list, or `*`).
    fn holds(&self, etag: &str) -> bool {
        let Some(value) = self.if_none_match.as_ref().and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
        value
            .split(',')
            .any(|tag| tag.trim() == "*" || bare(tag) == bare(etag))
    }
}

/// How long others may keep an answer.
#[derive(Clone, Copy, Debug)]
pub enum Freshness {
    /// The server's cache keeps it this many more seconds, for callers of this role.
    For(u64, Role),
    /// Not kept: revalidate every time.
    Revalidate,
}

/// Adds the validators to a GET answer, or turns it into a `304` when the caller
/// holds it already.
pub fn validated(
    mut response: Response,
    etag: &str,
    freshness: Freshness,
    conditional: &Conditional,
) -> Response {
    let cache_control = match freshness {
        Freshness::For(seconds, Role::Anonymous) => format!("public, max-age={seconds}"),
        Freshness::For(seconds, _) => format!("private, max-age={seconds}"),
        Freshness::Revalidate => "no-cache".to_owned(),
    };
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        headers.insert(CACHE_CONTROL, value);
    }
    headers.insert(VARY, HeaderValue::from_static("Accept, Authorization"));
    if conditional.holds(etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    response.headers_mut().extend(headers);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(value: &str) -> Conditional {
        Conditional {
            if_none_match: Some(HeaderValue::from_str(value).unwrap()),
        }
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        assert!(asking("\"a\"").holds("\"a\""));
        assert!(asking("W/\"a\"").holds("\"a\""));
        assert!(asking("\"b\", \"a\"").holds("\"a\""));
        assert!(asking("*").holds("\"a\""));
        assert!(!asking("\"b\"").holds("\"a\""));
        assert!(!Conditional::default().holds("\"a\""));
    }
}
