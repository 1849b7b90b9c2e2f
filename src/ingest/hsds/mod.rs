//! Open Referral / HSDS 3.0 APIs.
//!
//! A run lists `GET {url}/services?page=N` — each entry a `service_list` item,
//! whatever it carries — and fetches `GET {url}/services/{id}` for every service
//! listed: list entries are never taken for full records. After a complete run,
//! the next lists only `modified_after` that run's start (less an overlap for
//! clocks and long transactions), so it fetches what changed; a forced run, or
//! one after a run that did not complete, lists everything. An API that ignores
//! the parameter is listed whole each time, as before. Pages and services are
//! stored as files of the run (`<stamp>-services-page-NNNN.json`,
//! `<stamp>-service-<id>.json`); only the single-service files load rows.
//!
//! A service file is loaded by turning the `service_full` object, with every
//! object nested in it, into HSDS *tabular* CSVs ([`tabular_zip`]), zipped, through
//! the CSV import — which already knows HSDS's file and column names, checks
//! every row, and applies them in dependency order in one transaction. Each
//! nested object becomes a row of its own file, with the id of the object it is
//! nested in filled in (a phone inside a location gets `location_id`; an
//! attribute gets `link_entity` and `link_id`), and a nested single object (the
//! service's `organization` and `program`, a `service_at_location`'s `location`,
//! an attribute's `taxonomy_term`, a term's `taxonomy_detail`) is named by its
//! parent's `…_id`. Scalar fields stay on the row as they are, so fields Signpost
//! does not store come back as the import's warnings.

use super::IngestError;
use super::config::SourceConfig;
use super::fetch::{RemoteFile, download_unless_gone};
use crate::store::{Key, Store};
use futures_util::StreamExt;
use serde_json::Value;
use std::collections::HashSet;

/// The largest page (or service) read back.
pub const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;
/// Pages listed per run at most.
pub const MAX_PAGES: u32 = 10_000;
/// Services fetched per run at most.
pub const MAX_SERVICES: usize = 100_000;
/// The longest service id fetched (it becomes part of a file name).
const MAX_ID_LENGTH: usize = 200;
/// `/services/{id}` requests in flight at once.
const FETCHES_AT_ONCE: usize = 4;

/// How far one run goes.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub max_pages: u32,
    pub max_services: usize,
    /// List only services changed at or after this (`modified_after`): set
    /// from the last complete run, so a run fetches what changed since.
    pub modified_after: Option<chrono::DateTime<chrono::Utc>>,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            max_pages: MAX_PAGES,
            max_services: MAX_SERVICES,
            modified_after: None,
        }
    }
}

/// What listing an API did, kept as it goes (so a listing that fails half-way
/// still says what it stored).
#[derive(Debug, Default)]
pub struct Listed {
    /// Files stored: pages and services.
    pub stored: u32,
    /// Services listed whose full record could not be fetched, each naming it.
    pub failed: Vec<String>,
    /// Things worth knowing that did not stop the listing.
    pub warnings: Vec<String>,
}

/// An id that is safe in a URL path and a file name.
fn fetchable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LENGTH
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Lists every page of `{base}/services?page=N` into the store and fetches
/// `{base}/services/{id}` for every service listed (each once), recording in
/// `listed` what it stored. A page beyond the last one (404, or no entries)
/// ends the listing, with a warning when `total_pages` promised it; a first
/// page that is not there or any page that is not an HSDS page is an error.
#[allow(clippy::too_many_arguments)]
pub async fn fetch_pages(
    client: &reqwest::Client,
    source: &SourceConfig,
    base: &str,
    store: &Store,
    prefix: &str,
    stamp: &str,
    bounds: Bounds,
    listed: &mut Listed,
) -> Result<(), IngestError> {
    let base = base.trim_end_matches('/');
    let bad_url = |error: url::ParseError| IngestError::Source(format!("{base}: {error}"));
    let since = bounds
        .modified_after
        .map(|at| {
            format!(
                "modified_after={}&",
                at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            )
        })
        .unwrap_or_default();
    let mut seen: HashSet<String> = HashSet::new();
    // The pages the last page read said there are.
    let mut promised: Option<u64> = None;
    let mut page = 1u32;
    loop {
        let more_promised = promised.is_some_and(|total| u64::from(page) <= total);
        if page > bounds.max_pages {
            // Only reached when the last page read did not say it was the last.
            listed.warnings.push(format!(
                "{base}/services: stopped after {} pages, the most read in one run{}",
                bounds.max_pages,
                promised
                    .map(|total| format!(" (total_pages is {total})"))
                    .unwrap_or_default()
            ));
            return Ok(());
        }
        let file = RemoteFile {
            name: format!("{stamp}-services-page-{page:04}.json"),
            url: url::Url::parse(&format!("{base}/services?{since}page={page}"))
                .map_err(bad_url)?,
        };
        let key = Key::parse(&format!("{prefix}{}", file.name))?;
        if download_unless_gone(client, source, &file, store, &key)
            .await?
            .is_none()
        {
            if page == 1 {
                return Err(IngestError::Source(format!(
                    "{}: not found (HTTP 404): is {base} an HSDS API?",
                    file.url
                )));
            }
            if more_promised {
                listed.warnings.push(format!(
                    "{}: not found (HTTP 404) though total_pages is {}: the listing ends at page {}",
                    file.url,
                    promised.unwrap_or_default(),
                    page - 1
                ));
            }
            return Ok(());
        }
        listed.stored += 1;
        let (_, body) = store.get(&key).await?;
        let body = crate::store::read_all(body, MAX_PAGE_BYTES).await?;
        let not_a_page = |why: String| {
            IngestError::Source(format!("{}: not an HSDS page of services: {why}", file.url))
        };
        let json: Value =
            serde_json::from_slice(&body).map_err(|error| not_a_page(error.to_string()))?;
        let Some(contents) = json.get("contents").and_then(Value::as_array) else {
            return Err(not_a_page("it has no `contents` array".into()));
        };
        let total = json.get("total_pages").and_then(Value::as_u64);
        if contents.is_empty() {
            if more_promised || total.is_some_and(|total| total > u64::from(page)) {
                listed.warnings.push(format!(
                    "{}: no services though total_pages is {}: the listing ends at page {}",
                    file.url,
                    promised.or(total).unwrap_or_default(),
                    page - 1
                ));
            }
            return Ok(());
        }
        let mut wanted = Vec::new();
        let mut bad_ids = 0usize;
        let mut new = 0usize;
        for entry in contents {
            let Some(id) = entry
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| fetchable(id))
            else {
                bad_ids += 1;
                continue;
            };
            if seen.contains(id) {
                continue;
            }
            new += 1;
            if seen.len() >= bounds.max_services {
                listed.warnings.push(format!(
                    "{base}/services: stopped at {} services, the most fetched in one run; page {page} and later list more",
                    bounds.max_services
                ));
                fetch_services(client, source, base, store, prefix, stamp, &wanted, listed).await?;
                return Ok(());
            }
            seen.insert(id.to_owned());
            wanted.push(id.to_owned());
        }
        if bad_ids > 0 {
            listed.warnings.push(format!(
                "{}: {bad_ids} entries without an id that can be fetched (letters, digits and `-`, at most {MAX_ID_LENGTH}) were skipped",
                file.url
            ));
        }
        fetch_services(client, source, base, store, prefix, stamp, &wanted, listed).await?;
        let last = json.get("last_page") == Some(&Value::Bool(true));
        match total {
            Some(total) if u64::from(page) >= total => return Ok(()),
            _ if last => return Ok(()),
            // Neither says how many pages there are: an API that ignores `page`
            // gives the same entries again.
            None if new == 0 && promised.is_none() => return Ok(()),
            _ => {}
        }
        promised = total.or(promised);
        page += 1;
    }
}

/// Fetches `{base}/services/{id}` for each id, a few at a time.
#[allow(clippy::too_many_arguments)]
async fn fetch_services(
    client: &reqwest::Client,
    source: &SourceConfig,
    base: &str,
    store: &Store,
    prefix: &str,
    stamp: &str,
    ids: &[String],
    listed: &mut Listed,
) -> Result<(), IngestError> {
    let mut waiting = ids.iter();
    let mut running = futures_util::stream::FuturesUnordered::new();
    loop {
        while running.len() < FETCHES_AT_ONCE {
            let Some(id) = waiting.next() else {
                break;
            };
            running.push(fetch_service(
                client, source, base, store, prefix, stamp, id,
            ));
        }
        let Some(fetched) = running.next().await else {
            return Ok(());
        };
        match fetched? {
            Ok(()) => listed.stored += 1,
            Err(failure) => listed.failed.push(failure),
        }
    }
}

/// Fetches `{base}/services/{id}`; inside, why it could not be when that is the
/// service's own trouble (not there, an error from the server).
async fn fetch_service(
    client: &reqwest::Client,
    source: &SourceConfig,
    base: &str,
    store: &Store,
    prefix: &str,
    stamp: &str,
    id: &str,
) -> Result<Result<(), String>, IngestError> {
    let file = RemoteFile {
        name: format!("{stamp}-service-{id}.json"),
        url: url::Url::parse(&format!("{base}/services/{id}"))
            .map_err(|error| IngestError::Source(format!("{base}: {error}")))?,
    };
    let key = Key::parse(&format!("{prefix}{}", file.name))?;
    Ok(
        match download_unless_gone(client, source, &file, store, &key).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(format!(
                "service {id}: {}: not found (HTTP 404), though the list names it",
                file.url
            )),
            Err(error) => Err(format!("service {id}: {error}")),
        },
    )
}

mod tabular;

pub use tabular::{Tabular, tabular_zip};
