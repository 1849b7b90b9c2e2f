//! Who hears of changes, as the config file's `[dataflow]` and `[[webhooks]]`
//! tables say.
//!
//! ```toml
//! [dataflow]
//! url = "https://dataflow.example.org"
//! hawk_id = "signpost"
//! hawk_key = "…"                        # a secret: never logged
//! [dataflow.dags]
//! "datasets" = "DataUploaderPipeline"   # every dataset
//! "datasets/acme/prices" = "AcmePrices" # one dataset (most specific wins)
//! "directory" = "DirectoryPipeline"     # any import or ingest run changing the directory
//!
//! [[webhooks]]
//! name = "search-index"
//! url = "https://search.example.org/hooks/signpost"
//! secret = "…"
//! events = ["dataset.version.completed", "import.completed"]   # default: every event
//! ```

use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The data-flow pipeline (an Airflow experimental REST API behind HAWK).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataflowConfig {
    /// Base URL; runs are triggered at `{url}/api/experimental/dags/{dag}/dag_runs`.
    pub url: String,
    pub hawk_id: String,
    pub hawk_key: SecretString,
    /// DAG id by what changed: `datasets/<org>/<dataset>`, `datasets/<org>`,
    /// `datasets`, `directory/<record type>`, `directory`; most specific first.
    /// A change nothing matches triggers nothing.
    #[serde(default)]
    pub dags: BTreeMap<String, String>,
    /// How long a run is followed before it counts as failed. Default 6 hours.
    #[serde(default = "defaults::run_timeout_secs")]
    pub timeout_secs: u64,
    /// Between polls of a run's state. Default 30 000.
    #[serde(default = "defaults::poll_ms")]
    pub poll_ms: u64,
    /// Per request. Default 30.
    #[serde(default = "defaults::request_timeout_secs")]
    pub request_timeout_secs: u64,
    /// Trigger attempts before the notification fails (data-flow down). Default 10.
    #[serde(default = "defaults::max_attempts")]
    pub max_attempts: u32,
    /// The first retry's wait; each next one doubles, up to 15 minutes. Default 5000.
    #[serde(default = "defaults::retry_ms")]
    pub retry_ms: u64,
}

impl DataflowConfig {
    /// The DAG for a change in `schema`.`table` (`directory` is the directory).
    pub fn dag_for(&self, schema: &str, table: &str) -> Option<&str> {
        let keys = if schema == crate::export::table::SCHEMA {
            vec![format!("directory/{table}"), "directory".into()]
        } else {
            vec![
                format!("datasets/{schema}/{table}"),
                format!("datasets/{schema}"),
                "datasets".into(),
            ]
        };
        keys.iter()
            .find_map(|key| self.dags.get(key))
            .map(String::as_str)
    }
}

/// A URL told of changes with a signed JSON POST.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub name: String,
    pub url: String,
    /// Signs each body: `X-Signpost-Signature: sha256=<hex HMAC-SHA256>`.
    pub secret: SecretString,
    /// Events sent; `*` (the default) for all.
    #[serde(default = "defaults::all_events")]
    pub events: Vec<String>,
    /// Attempts before a delivery fails. Default 10.
    #[serde(default = "defaults::max_attempts")]
    pub max_attempts: u32,
    /// The first retry's wait, doubling. Default 5000.
    #[serde(default = "defaults::retry_ms")]
    pub retry_ms: u64,
    /// Per request. Default 30.
    #[serde(default = "defaults::request_timeout_secs")]
    pub timeout_secs: u64,
}

impl WebhookConfig {
    pub fn wants(&self, event: &str) -> bool {
        self.events
            .iter()
            .any(|wanted| wanted == "*" || wanted == event)
    }
}

/// Everything the notification worker needs.
#[derive(Clone, Debug, Default)]
pub struct NotifyConfig {
    pub dataflow: Option<DataflowConfig>,
    pub webhooks: Vec<WebhookConfig>,
    /// How often a worker looks for due notifications when idle.
    pub poll_ms: u64,
}

mod defaults {
    pub fn run_timeout_secs() -> u64 {
        6 * 3600
    }
    pub fn poll_ms() -> u64 {
        30_000
    }
    pub fn request_timeout_secs() -> u64 {
        30
    }
    pub fn max_attempts() -> u32 {
        10
    }
    pub fn retry_ms() -> u64 {
        5000
    }
    pub fn all_events() -> Vec<String> {
        vec!["*".into()]
    }
}

/// The wait before attempt `attempts + 1`: `base` doubled per attempt, at most
/// 15 minutes.
pub fn backoff(base_ms: u64, attempts: u32) -> std::time::Duration {
    let factor = 1u64 << attempts.min(20);
    std::time::Duration::from_millis(base_ms.saturating_mul(factor).min(15 * 60 * 1000))
}
