//! `signpost hawk-request URL`: a HAWK-signed request for operators, as a pipeline
//! would make it; prints the status and body and checks the response signature.
//!
//! The key comes from `SIGNPOST_HAWK_KEY` or, for a client configured on this
//! machine, from `hawk_clients`. `--sign-for` signs for another base URL than the
//! one connected to (a server behind a proxy validates against its public URL).

use crate::auth::hawk::payload_hash;
use crate::config::Config;
use anyhow::Context;
use hawk::{Credentials, DigestAlgorithm, Header, Key, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};
use std::str::FromStr;

#[derive(Debug, clap::Args)]
pub struct HawkRequestArgs {
    /// The URL to request.
    pub url: String,
    /// The HAWK client id.
    #[arg(long, env = "SIGNPOST_HAWK_ID")]
    pub id: String,
    /// HTTP method.
    #[arg(long, short = 'X', default_value = "GET")]
    pub method: String,
    /// Request body; `@FILE` reads it from a file.
    #[arg(long, short = 'd')]
    pub data: Option<String>,
    /// Content type of the body.
    #[arg(long, default_value = "application/json")]
    pub content_type: String,
    /// Sign for this base URL (scheme, host, port) instead of the one connected to.
    #[arg(long, value_name = "BASE_URL")]
    pub sign_for: Option<String>,
}

/// Sends the request; fails on a status other than 2xx or a response whose
/// signature does not verify.
pub async fn run(config: &Config, args: HawkRequestArgs) -> anyhow::Result<()> {
    crate::install_tls_provider();
    let key = match std::env::var("SIGNPOST_HAWK_KEY") {
        Ok(key) => SecretString::from(key),
        Err(_) => config
            .hawk_clients
            .get(&args.id)
            .map(|client| client.key.clone())
            .with_context(|| {
                format!(
                    "no key for {:?}: set SIGNPOST_HAWK_KEY or configure the client",
                    args.id
                )
            })?,
    };
    let credentials = Credentials {
        id: args.id.clone(),
        key: Key::new(key.expose_secret().as_bytes(), DigestAlgorithm::Sha256)
            .map_err(|e| anyhow::anyhow!("bad key: {e}"))?,
    };
    let url = url::Url::parse(&args.url).with_context(|| format!("{:?} is not a URL", args.url))?;
    let signed_url = match &args.sign_for {
        Some(base) => url::Url::parse(base)
            .and_then(|base| base.join(&url[url::Position::BeforePath..]))
            .with_context(|| format!("--sign-for {base:?} is not a URL"))?,
        None => url.clone(),
    };
    let host = signed_url.host_str().context("the URL has no host")?;
    let port = signed_url
        .port_or_known_default()
        .context("the URL has no port")?;
    let path = &signed_url[url::Position::BeforePath..url::Position::AfterQuery];
    let body = match &args.data {
        Some(data) => match data.strip_prefix('@') {
            Some(file) => std::fs::read(file).with_context(|| format!("cannot read {file}"))?,
            None => data.clone().into_bytes(),
        },
        None => Vec::new(),
    };
    let content_type = if args.data.is_some() {
        args.content_type.as_str()
    } else {
        ""
    };
    let hash = payload_hash(Some(content_type), &body)
        .map_err(|failure| anyhow::anyhow!(failure.reason))?;
    let method = args.method.to_ascii_uppercase();
    let request = RequestBuilder::new(&method, host, port, path)
        .hash(&hash[..])
        .request();
    let header = request
        .make_header(&credentials)
        .map_err(|e| anyhow::anyhow!("cannot sign: {e}"))?;

    let client = reqwest::Client::new();
    let mut outgoing = client
        .request(reqwest::Method::from_str(&method)?, url.as_str())
        .header("authorization", format!("Hawk {header}"));
    if args.data.is_some() {
        outgoing = outgoing.header("content-type", content_type).body(body);
    }
    let response = outgoing.send().await.context("request failed")?;
    let status = response.status();
    let signature = response
        .headers()
        .get("server-authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response.bytes().await?;
    println!("{status}");
    println!("{}", String::from_utf8_lossy(&bytes));
    anyhow::ensure!(status.is_success(), "the server answered {status}");
    let signature = signature.context("the response has no Server-Authorization")?;
    let signed = Header::from_str(signature.trim_start_matches("Hawk "))
        .map_err(|e| anyhow::anyhow!("malformed Server-Authorization: {e}"))?;
    let response_hash = payload_hash(response_type.as_deref(), &bytes)
        .map_err(|failure| anyhow::anyhow!(failure.reason))?;
    let verified = request
        .make_response_builder(&header)
        .hash(&response_hash[..])
        .response()
        .validate_header(&signed, &credentials.key);
    anyhow::ensure!(verified, "the response signature does not verify");
    eprintln!("Server-Authorization verified");
    Ok(())
}
