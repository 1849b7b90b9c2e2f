//! Sources, as the config file's `[[ingest.sources]]` tables describe them.
//!
//! ```toml
//! [[ingest.sources]]
//! name = "onspd"
//! list = { kind = "index", url = "https://example.org/onspd/", link_regex = 'ONSPD_[A-Z]{3}_\d{4}\.zip' }
//! loader = { kind = "postcodes" }
//! max_bytes = 2_000_000_000
//! timeout_secs = 900
//! headers = { Authorization = "Bearer …" }   # values are secrets: never logged
//! ```

use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The `[ingest]` section.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    pub sources: Vec<SourceConfig>,
}

impl IngestConfig {
    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|source| source.name == name)
    }
}

/// One external source.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Names the source in `data_files`, `ingest_runs` and `sources/<name>/`.
    pub name: String,
    /// How to find its files.
    pub list: Listing,
    /// How to load a file.
    pub loader: Loader,
    /// Request headers sent with every request to the source (credentials).
    #[serde(default)]
    pub headers: BTreeMap<String, SecretString>,
    /// The largest file downloaded. Default 2 GiB.
    #[serde(default = "default_max_bytes")]
    pub max_bytes: u64,
    /// Per request. Default 300.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Attempts after the first for a download that fails on the network or with
    /// a 5xx. Default 3.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Publish the providers and services its files write (HSDS has no
    /// `published` flag). Default false: they wait for an editor.
    #[serde(default)]
    pub publish: bool,
    /// A cron pattern (UTC, five fields, e.g. `"0 3 * * *"`): the server runs the
    /// source then. One replica runs each occurrence.
    #[serde(default)]
    pub schedule: Option<String>,
}

fn default_max_bytes() -> u64 {
    2 * 1024 * 1024 * 1024
}

fn default_timeout_secs() -> u64 {
    300
}

fn default_retries() -> u32 {
    3
}

/// How a source lists its files.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Listing {
    /// An HTML index page: every link whose URL matches `link_regex`.
    Index { url: String, link_regex: String },
    /// A JSON manifest: an array of URLs, or of `{"url": …, "name": …}` objects.
    Manifest { url: String },
    /// A fixed list of URLs.
    Urls { urls: Vec<String> },
    /// An Open Referral / HSDS 3.0 API at `url`: every page of
    /// `/services?page=N` and `/services/{id}` for every service listed, stored
    /// as the run's files (see `super::hsds` for the bounds of a run). Use with
    /// the `hsds` loader. After a run that completed, the next lists only
    /// services modified since it started, less `overlap_secs` (default 900) for
    /// the two clocks and for writes committed after they were stamped.
    HsdsApi {
        url: String,
        #[serde(default = "default_overlap_secs")]
        overlap_secs: u64,
    },
}

fn default_overlap_secs() -> u64 {
    900
}

/// How a file of the source is loaded.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Loader {
    /// Directory records: a CSV named after its type, or a zip of them, through
    /// the CSV import.
    Directory {
        #[serde(default)]
        replace: bool,
    },
    /// The ONS Postcode Directory: a zip holding a CSV with `pcds`, `lat`, `long`
    /// and `doterm`, into `postcodes`.
    Postcodes,
    /// HSDS 3.0 JSON: each full service (`service_full`) with every object
    /// nested in it, as HSDS tabular files through the CSV import; pages of the
    /// list load nothing.
    Hsds,
    /// Any CSV, as a new version of the dataset `organisation`/`dataset` (made
    /// when missing): each column keeps the type it had where every value still
    /// fits it, and takes the inferred type otherwise.
    Dataset {
        organisation: String,
        dataset: String,
    },
}
