//! Listing a source's files and downloading one into the object store.
//!
//! A listing is an HTML index page (every `href` matching the source's
//! `link_regex`), a JSON manifest, or a fixed list of URLs; each file gets a
//! name that is safe as the last part of an object key (never empty, `.`, `..`,
//! or holding a separator or control character), since it ends up in
//! `sources/<name>/<file>` and the registry.
//!
//! A download streams the response straight into `store.put`, so a 2 GB file is
//! never in memory. Partial content must never look like a finished file, so this
//! relies on every store's put being atomic (a body that fails leaves the key as
//! it was: temp file + rename, an uncommitted row, an aborted upload): the body
//! fails as soon as the connection does, when it passes `max_bytes`, or when it
//! ends short of its `Content-Length`. Network failures, timeouts, 5xx and 429
//! are retried with exponential backoff; other 4xx are not, as asking again will
//! not change the answer. Header values are secrets: marked sensitive, never in
//! an error message.

use super::{IngestError, Listing, SourceConfig};
use crate::store::{Body, Key, ObjectMeta, Store};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use url::Url;

/// The most read of an index page or manifest.
const LISTING_LIMIT: u64 = 16 * 1024 * 1024;
/// The longest file name kept (a file system's limit for one name).
const NAME_LIMIT: usize = 255;

/// One file a source offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteFile {
    /// A safe file name: the URL's last path segment, decoded, or the manifest's.
    pub name: String,
    pub url: Url,
}

/// A client sending the source's headers (as sensitive values), with its timeout.
pub fn client(source: &SourceConfig) -> Result<reqwest::Client, IngestError> {
    crate::install_tls_provider();
    let name = &source.name;
    let mut headers = HeaderMap::new();
    for (header, value) in &source.headers {
        let bad = |what| IngestError::Source(format!("source {name}: header {header}: {what}"));
        let header = HeaderName::from_bytes(header.as_bytes()).map_err(|_| bad("bad name"))?;
        // The value is a secret: the error does not show it.
        let mut value =
            HeaderValue::from_str(value.expose_secret()).map_err(|_| bad("bad value"))?;
        value.set_sensitive(true);
        headers.insert(header, value);
    }
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(source.timeout_secs))
        .user_agent("signpost-ingest")
        .build()
        .map_err(|error| IngestError::Source(format!("source {name}: client: {}", net(error))))
}

/// The source's files, one per name (the first listed wins), sorted by name.
pub async fn list_files(
    client: &reqwest::Client,
    source: &SourceConfig,
) -> Result<Vec<RemoteFile>, IngestError> {
    let found = listed(client, &source.list)
        .await
        .map_err(|error| IngestError::Source(format!("source {}: {error}", source.name)))?;
    let mut files = BTreeMap::new();
    for (name, url) in found {
        if !matches!(url.scheme(), "http" | "https") {
            tracing::warn!(source = %source.name, %url, "ingest: skipping a link that is not http(s)");
            continue;
        }
        let name = name.or_else(|| {
            let last = url.path_segments()?.next_back()?;
            let decoded = percent_encoding::percent_decode_str(last)
                .decode_utf8()
                .ok()?;
            Some(decoded.into_owned())
        });
        match name.filter(|name| safe_name(name)) {
            Some(name) => {
                files
                    .entry(name.clone())
                    .or_insert(RemoteFile { name, url });
            }
            None => {
                tracing::warn!(source = %source.name, %url, "ingest: skipping a file without a safe name")
            }
        }
    }
    Ok(files.into_values().collect())
}

/// Every URL the listing names, with the name the manifest gives it.
async fn listed(
    client: &reqwest::Client,
    list: &Listing,
) -> Result<Vec<(Option<String>, Url)>, String> {
    match list {
        Listing::Index { url, link_regex } => {
            let wanted = regex::Regex::new(link_regex)
                .map_err(|error| format!("link_regex {link_regex:?}: {error}"))?;
            let href = regex::Regex::new(r#"(?i)\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')"#)
                .map_err(|error| error.to_string())?;
            let (page_url, page) = get_listing(client, url).await?;
            let page = String::from_utf8_lossy(&page);
            let links = href.captures_iter(&page).filter_map(|found| {
                let raw = found
                    .get(1)
                    .or_else(|| found.get(2))?
                    .as_str()
                    .trim()
                    .replace("&amp;", "&");
                let absolute = page_url.join(&raw).ok()?;
                (wanted.is_match(absolute.as_str()) || wanted.is_match(&raw))
                    .then_some((None, absolute))
            });
            Ok(links.collect())
        }
        Listing::Manifest { url } => {
            #[derive(Deserialize)]
            #[serde(untagged)]
            enum Entry {
                Url(String),
                File { url: String, name: Option<String> },
            }
            let (manifest_url, body) = get_listing(client, url).await?;
            let entries: Vec<Entry> = serde_json::from_slice(&body).map_err(|error| {
                format!("listing {url}: not a JSON array of URLs or of {{\"url\", \"name\"}} objects: {error}")
            })?;
            let resolve = |raw: &str| {
                manifest_url
                    .join(raw)
                    .map_err(|error| format!("listing {url}: {raw:?}: {error}"))
            };
            entries
                .into_iter()
                .map(|entry| match entry {
                    Entry::Url(raw) => Ok((None, resolve(&raw)?)),
                    Entry::File { url, name } => Ok((name, resolve(&url)?)),
                })
                .collect()
        }
        Listing::Urls { urls } => urls
            .iter()
            .map(|raw| {
                Url::parse(raw)
                    .map(|url| (None, url))
                    .map_err(|error| format!("URL {raw:?}: {error}"))
            })
            .collect(),
        // Paged by the runner itself (see `super::hsds`).
        Listing::HsdsApi { url, .. } => Err(format!(
            "{url} is an HSDS API: its pages are fetched by the run, not listed"
        )),
    }
}

/// Usable as the last part of an object key and as a file name.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= NAME_LIMIT
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
}

/// The (final, after redirects) URL and body of an index page or manifest.
async fn get_listing(client: &reqwest::Client, url: &str) -> Result<(Url, Vec<u8>), String> {
    let fetched = async {
        let mut response = client
            .get(Url::parse(url).map_err(|e| e.to_string())?)
            .send()
            .await
            .map_err(net)?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        let final_url = response.url().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(net)? {
            if (body.len() + chunk.len()) as u64 > LISTING_LIMIT {
                return Err(format!("larger than {LISTING_LIMIT} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((final_url, body))
    };
    fetched
        .await
        .map_err(|error| format!("listing {url}: {error}"))
}

/// Why a download attempt (or its body) failed, and whether another might work.
#[derive(Clone)]
struct Failure {
    message: String,
    retry: bool,
    /// The server answered 404 or 410: there is no such file.
    gone: bool,
}

fn failure(retry: bool, message: String) -> Failure {
    Failure {
        message,
        retry,
        gone: false,
    }
}

/// Downloads `file` into `store` under `key`: all of it, or nothing.
pub async fn download(
    client: &reqwest::Client,
    source: &SourceConfig,
    file: &RemoteFile,
    store: &Store,
    key: &Key,
) -> Result<ObjectMeta, IngestError> {
    fetch_into(client, source, file, store, key).await?
}

/// Like [`download`], but `None` when the server says there is no such file
/// (404 or 410), which a caller paging through an API takes for the end.
pub async fn download_unless_gone(
    client: &reqwest::Client,
    source: &SourceConfig,
    file: &RemoteFile,
    store: &Store,
    key: &Key,
) -> Result<Option<ObjectMeta>, IngestError> {
    Ok(fetch_into(client, source, file, store, key).await?.ok())
}

/// The stored file, or (inside) why the server says there is none.
async fn fetch_into(
    client: &reqwest::Client,
    source: &SourceConfig,
    file: &RemoteFile,
    store: &Store,
    key: &Key,
) -> Result<Result<ObjectMeta, IngestError>, IngestError> {
    let mut attempt = 0u32;
    loop {
        let Failure {
            message,
            retry,
            gone,
        } = match attempt_download(client, source, file, store, key).await {
            Ok(meta) => return Ok(Ok(meta)),
            Err(failure) => failure,
        };
        if !retry || attempt >= source.retries {
            let tries = if attempt > 0 {
                format!(" (after {} attempts)", attempt + 1)
            } else {
                String::new()
            };
            let (name, url) = (&file.name, &file.url);
            let error = IngestError::Source(format!(
                "source {}: file {name} ({url}): {message}{tries}",
                source.name
            ));
            return if gone { Ok(Err(error)) } else { Err(error) };
        }
        let wait = backoff(attempt);
        attempt += 1;
        tracing::warn!(source = %source.name, file = %file.name, url = %file.url, attempt,
            retry_in_ms = wait.as_millis() as u64, error = %message, "ingest: download failed, retrying");
        tokio::time::sleep(wait).await;
    }
}

/// 250 ms, 500 ms, 1 s, … at most 10 s.
fn backoff(attempt: u32) -> Duration {
    let millis = 250u64.saturating_mul(1u64 << attempt.min(16));
    Duration::from_millis(millis).min(Duration::from_secs(10))
}

async fn attempt_download(
    client: &reqwest::Client,
    source: &SourceConfig,
    file: &RemoteFile,
    store: &Store,
    key: &Key,
) -> Result<ObjectMeta, Failure> {
    let response = client
        .get(file.url.clone())
        .send()
        .await
        .map_err(|error| failure(!(error.is_builder() || error.is_redirect()), net(error)))?;
    let status = response.status();
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(failure(true, format!("HTTP {status}")));
    }
    if !status.is_success() {
        return Err(Failure {
            gone: matches!(status.as_u16(), 404 | 410),
            ..failure(false, format!("HTTP {status}"))
        });
    }
    let max = source.max_bytes;
    let expected = response.content_length();
    if let Some(length) = expected.filter(|length| *length > max) {
        let message = format!("{length} bytes, larger than max_bytes ({max})");
        return Err(failure(false, message));
    }
    let broke = Arc::new(OnceLock::new());
    let stored = store
        .put(key, body_of(response, expected, max, broke.clone()))
        .await;
    match (stored, broke.get().cloned()) {
        (Ok(meta), None) => Ok(meta),
        (Err(error), None) => {
            let message = format!("storing it under {key}: {}", describe(&error));
            Err(failure(false, message))
        }
        (stored, Some(failure)) => {
            if stored.is_ok() {
                // A store must refuse a failing body; one that did not keeps nothing.
                let _ = store.delete(key).await;
            }
            Err(failure)
        }
    }
}

/// The response's bytes as a store body that fails, recording why in `broke`,
/// when the connection does, past `max` bytes, or short of `expected`.
fn body_of(
    response: reqwest::Response,
    expected: Option<u64>,
    max: u64,
    broke: Arc<OnceLock<Failure>>,
) -> Body {
    // `None` once the body has ended or failed.
    let state = Some((response, 0u64));
    Box::pin(futures_util::stream::unfold(state, move |state| {
        let broke = broke.clone();
        async move {
            let (mut response, seen) = state?;
            let (message, retry) = match response.chunk().await {
                Ok(Some(chunk)) if seen + chunk.len() as u64 <= max => {
                    let seen = seen + chunk.len() as u64;
                    return Some((Ok(chunk), Some((response, seen))));
                }
                Ok(Some(_)) => (format!("larger than max_bytes ({max})"), false),
                Ok(None) => match expected {
                    Some(expected) if seen != expected => (
                        format!("the body ended after {seen} of {expected} bytes"),
                        true,
                    ),
                    _ => return None,
                },
                Err(error) => (net(error), true),
            };
            let error = io::Error::other(message.clone());
            let _ = broke.set(failure(retry, message));
            Some((Err(error), None))
        }
    }))
}

/// A request's error and its causes, without the URL (the caller names it).
fn net(error: reqwest::Error) -> String {
    describe(&error.without_url())
}

/// An error and its causes.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = inner.source();
    }
    message
}
