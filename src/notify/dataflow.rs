//! The data-flow client: `POST {url}/api/experimental/dags/{dag}/dag_runs` with
//! `{"conf": …}` and `GET …/dag_runs/{run_id}`, each HAWK-signed (sha256, with
//! the payload hash) and each answer's `Server-Authorization` verified, so a
//! man in the middle can neither fake a run nor its outcome.

use super::config::DataflowConfig;
use crate::auth::hawk::payload_hash;
use hawk::{Credentials, DigestAlgorithm, Header, Key, RequestBuilder};
use secrecy::ExposeSecret;
use std::str::FromStr;
use std::time::Duration;

/// The largest answer read from data-flow (its answers are a few hundred bytes).
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The body of `response`, refused when it runs past `limit` bytes.
async fn read_at_most(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, CallError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| CallError::Retry(format!("reading data-flow's answer: {error}")))?
    {
        if bytes.len() + chunk.len() > limit {
            return Err(CallError::Refused(format!(
                "data-flow's answer is larger than {limit} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Why a call did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Worth trying again: data-flow unreachable, timing out, or a 5xx.
    #[error("{0}")]
    Retry(String),
    /// Trying again will not help: a 4xx, a bad signature, a body not understood.
    #[error("{0}")]
    Refused(String),
}

/// What data-flow says of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunState {
    Running(String),
    Success,
    Failed(String),
}

pub struct Dataflow<'a> {
    config: &'a DataflowConfig,
    client: reqwest::Client,
}

impl<'a> Dataflow<'a> {
    pub fn new(config: &'a DataflowConfig) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.request_timeout_secs))
            .build()
            .unwrap_or_default();
        Self { config, client }
    }

    fn url(&self, dag: &str, run: Option<&str>) -> String {
        let base = self.config.url.trim_end_matches('/');
        let encode = |part: &str| {
            percent_encoding::utf8_percent_encode(part, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        match run {
            None => format!("{base}/api/experimental/dags/{}/dag_runs", encode(dag)),
            Some(run) => format!(
                "{base}/api/experimental/dags/{}/dag_runs/{}",
                encode(dag),
                encode(run)
            ),
        }
    }

    /// Triggers `dag` with `conf`; the run id data-flow gave.
    pub async fn trigger(&self, dag: &str, conf: &serde_json::Value) -> Result<String, CallError> {
        let body = serde_json::to_vec(&serde_json::json!({ "conf": conf }))
            .map_err(|error| CallError::Refused(error.to_string()))?;
        let answer = self.call("POST", &self.url(dag, None), Some(body)).await?;
        answer
            .get("run_id")
            .or_else(|| answer.get("execution_date"))
            .and_then(|id| id.as_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                CallError::Refused(format!("data-flow's answer names no run_id: {answer}"))
            })
    }

    /// The state of run `run` of `dag`.
    pub async fn state(&self, dag: &str, run: &str) -> Result<RunState, CallError> {
        let answer = self.call("GET", &self.url(dag, Some(run)), None).await?;
        let state = answer
            .get("state")
            .and_then(|state| state.as_str())
            .ok_or_else(|| {
                CallError::Refused(format!("data-flow's answer has no state: {answer}"))
            })?;
        Ok(match state {
            "success" => RunState::Success,
            "failed" | "upstream_failed" => RunState::Failed(state.to_owned()),
            other => RunState::Running(other.to_owned()),
        })
    }

    async fn call(
        &self,
        method: &str,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<serde_json::Value, CallError> {
        let refused = |why: String| CallError::Refused(why);
        let parsed = url::Url::parse(url).map_err(|error| refused(format!("{url}: {error}")))?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let port = parsed.port_or_known_default().unwrap_or(80);
        let path = parsed[url::Position::BeforePath..url::Position::AfterQuery].to_owned();
        let content_type = if body.is_some() {
            "application/json"
        } else {
            ""
        };
        let hash = payload_hash(Some(content_type), body.as_deref().unwrap_or_default())
            .map_err(|failure| refused(failure.reason))?;
        let credentials = Credentials {
            id: self.config.hawk_id.clone(),
            key: Key::new(
                self.config.hawk_key.expose_secret().as_bytes(),
                DigestAlgorithm::Sha256,
            )
            .map_err(|error| refused(format!("dataflow.hawk_key: {error}")))?,
        };
        let request = RequestBuilder::new(method, &host, port, &path)
            .hash(&hash[..])
            .request();
        let header = request
            .make_header(&credentials)
            .map_err(|error| refused(format!("cannot sign: {error}")))?;
        let mut outgoing = match method {
            "POST" => self.client.post(url),
            _ => self.client.get(url),
        }
        .header("authorization", format!("Hawk {header}"));
        if let Some(body) = body {
            outgoing = outgoing.header("content-type", content_type).body(body);
        }
        let response = outgoing
            .send()
            .await
            .map_err(|error| CallError::Retry(format!("data-flow cannot be reached: {error}")))?;
        let status = response.status();
        let signature = response
            .headers()
            .get("server-authorization")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let response_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let bytes = read_at_most(response, MAX_ANSWER_BYTES).await?;
        let shown = || String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        if status.is_server_error() {
            return Err(CallError::Retry(format!(
                "data-flow answered {status}: {}",
                shown()
            )));
        }
        if !status.is_success() {
            return Err(refused(format!("data-flow answered {status}: {}", shown())));
        }
        let signature = signature
            .ok_or_else(|| refused("data-flow's answer has no Server-Authorization".into()))?;
        let signed = Header::from_str(signature.trim_start_matches("Hawk ")).map_err(|error| {
            refused(format!(
                "data-flow's Server-Authorization is malformed: {error}"
            ))
        })?;
        let response_hash = payload_hash(response_type.as_deref(), &bytes)
            .map_err(|failure| refused(failure.reason))?;
        let verified = request
            .make_response_builder(&header)
            .hash(&response_hash[..])
            .response()
            .validate_header(&signed, &credentials.key);
        if !verified {
            return Err(refused(
                "data-flow's Server-Authorization does not verify: the answer was not signed with our key".into(),
            ));
        }
        serde_json::from_slice(&bytes)
            .map_err(|error| refused(format!("data-flow's answer is not JSON: {error}")))
    }
}
