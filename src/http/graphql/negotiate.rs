//! Media types of the GraphQL-over-HTTP specification: which response type the
//! client accepts, and whether a POST body's type is one we read.

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT, CONTENT_TYPE};

/// The two response media types, which differ in status codes: under
/// `application/graphql-response+json` a request error (unparsable document,
/// failed validation, bad variables) is a 400, under legacy `application/json` a 200.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseType {
    GraphqlResponseJson,
    Json,
}

impl ResponseType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// The response type for the request's `Accept`: the acceptable type with the
/// highest q-value, `application/graphql-response+json` on a tie. A wildcard, or
/// no `Accept` at all, is a client that predates the specification:
/// `application/json`, as its legacy rules say. `None` when nothing we serve is
/// acceptable (406).
pub fn response_type(headers: &HeaderMap) -> Option<ResponseType> {
    let mut values = headers.get_all(ACCEPT).iter().peekable();
    if values.peek().is_none() {
        return Some(ResponseType::Json);
    }
    let mut best: Option<(f32, ResponseType)> = None;
    for range in values
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
    {
        let Some(accepted) = MediaRange::parse(range) else {
            continue;
        };
        if accepted.quality <= 0.0 || !accepted.charset_is_utf8() {
            continue;
        }
        let offered = match (accepted.kind.as_str(), accepted.subtype.as_str()) {
            ("application", "graphql-response+json") => ResponseType::GraphqlResponseJson,
            ("application", "json") | ("application", "*") | ("*", "*") => ResponseType::Json,
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((quality, kind)) => {
                accepted.quality > quality
                    || (accepted.quality == quality
                        && kind == ResponseType::Json
                        && offered == ResponseType::GraphqlResponseJson)
            }
        };
        if better {
            best = Some((accepted.quality, offered));
        }
    }
    best.map(|(_, kind)| kind)
}

/// What a POST body is, by its `Content-Type`.
#[derive(Debug, PartialEq, Eq)]
pub enum RequestBody {
    /// `application/json` (UTF-8; a missing charset means UTF-8).
    Json,
    /// `multipart/form-data` (the GraphQL multipart request): the whole header.
    Multipart(String),
    /// No `Content-Type` at all.
    Missing,
    /// Anything else, including JSON in another charset (415).
    Unsupported(String),
}

pub fn request_body(headers: &HeaderMap) -> RequestBody {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return RequestBody::Missing;
    };
    let text = value.to_str().unwrap_or_default();
    match MediaRange::parse(text) {
        Some(media)
            if media.kind == "application"
                && media.subtype == "json"
                && media.charset_is_utf8() =>
        {
            RequestBody::Json
        }
        Some(media) if media.kind == "multipart" && media.subtype == "form-data" => {
            RequestBody::Multipart(text.to_owned())
        }
        _ => RequestBody::Unsupported(text.to_owned()),
    }
}

/// One media range of an `Accept` or `Content-Type` header, lower-cased.
struct MediaRange {
    kind: String,
    subtype: String,
    charset: Option<String>,
    quality: f32,
}

impl MediaRange {
    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split(';');
        let essence = parts.next()?.trim().to_ascii_lowercase();
        let (kind, subtype) = essence.split_once('/')?;
        if kind.is_empty() || subtype.is_empty() {
            return None;
        }
        let mut media = Self {
            kind: kind.to_owned(),
            subtype: subtype.to_owned(),
            charset: None,
            quality: 1.0,
        };
        for parameter in parts {
            let Some((name, value)) = parameter.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "q" => media.quality = value.parse().unwrap_or(0.0),
                "charset" => media.charset = Some(value.to_ascii_lowercase()),
                _ => {}
            }
        }
        Some(media)
    }

    fn charset_is_utf8(&self) -> bool {
        matches!(self.charset.as_deref(), None | Some("utf-8" | "utf8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> Option<ResponseType> {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(ACCEPT, value);
        }
        response_type(&headers)
    }

    #[test]
    fn accept_is_negotiated_by_quality_then_preference() {
        use ResponseType::*;
        // Clients that predate the specification get its legacy type.
        assert_eq!(response_type(&HeaderMap::new()), Some(Json));
        assert_eq!(accept("*/*"), Some(Json));
        assert_eq!(
            accept("application/graphql-response+json, */*;q=0.1"),
            Some(GraphqlResponseJson)
        );
        assert_eq!(accept("application/json"), Some(Json));
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Some(GraphqlResponseJson)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(Json)
        );
        assert_eq!(accept("application/json; charset=utf-8"), Some(Json));
        assert_eq!(accept("application/json; charset=iso-8859-1"), None);
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn only_utf8_json_bodies_are_read() {
        let body = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("x/x")),
            );
            request_body(&headers)
        };
        assert_eq!(body("application/json"), RequestBody::Json);
        assert_eq!(body("Application/JSON; charset=UTF-8"), RequestBody::Json);
        assert!(matches!(
            body("application/json; charset=latin1"),
            RequestBody::Unsupported(_)
        ));
        assert!(matches!(body("text/plain"), RequestBody::Unsupported(_)));
        assert_eq!(request_body(&HeaderMap::new()), RequestBody::Missing);
    }
}
