//! S3 (and S3-compatible servers: MinIO, moto, Ceph) as Signpost's object store.
//!
//! Plain async methods over bytes streams; the server adapts them to its
//! `ObjectStore` trait. The SDK lives in this crate alone because it is by far the
//! largest dependency: kept apart, it is compiled once and not on every change.
//!
//! Objects up to one part are sent with one `PutObject`; larger ones with a
//! multipart upload (aborted on any failure, so no parts are left behind). The
//! SHA-256 of the content is computed while streaming and kept as the object's
//! `x-amz-meta-sha256`; for a multipart upload it is known only at the end, so the
//! parts go to a temporary key under [`TEMP_PREFIX`] and are copied (server-side)
//! to the real key with that metadata: the object appears whole, with its hash, or
//! not at all, and a failure leaves the old object in place.
//!
//! Every call is bounded ([`S3Settings::timeout`]): the SDK's connect and
//! per-attempt timeouts with its standard retries, and reads of an object's body
//! fail when no bytes arrive for that long, so a stalled server makes a caller
//! fail instead of waiting forever.

use aws_sdk_s3::Client;
use aws_sdk_s3::config::{Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
mod copy;

pub use copy::MAX_SINGLE_COPY;

use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use std::io;
use std::pin::Pin;

/// The metadata key holding an object's SHA-256 (hex).
const SHA256_METADATA: &str = "sha256";

/// Where multipart uploads are assembled before they are copied into place;
/// listings leave these keys out.
pub const TEMP_PREFIX: &str = ".signpost-upload/";

/// Attempts per call (the first and two retries), with the SDK's backoff.
const MAX_ATTEMPTS: u32 = 3;

/// Where the bucket is and how to reach it.
#[derive(Clone, Debug, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// Default: the SDK's chain (`AWS_REGION`, profile), else `us-east-1`.
    pub region: Option<String>,
    /// An S3-compatible server, e.g. `http://127.0.0.1:9000`.
    pub endpoint_url: Option<String>,
    /// `http://host/bucket/key` instead of `http://bucket.host/key` (local servers).
    pub force_path_style: bool,
    /// Static credentials; without them the SDK's default chain is used.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// Bytes per multipart part (S3's minimum is 5 MiB).
    pub part_size: usize,
    /// Longest wait for one attempt of a call (and for the next bytes of a body
    /// being read); a call fails after [`MAX_ATTEMPTS`] attempts. Zero means the
    /// default of 60 s.
    pub timeout: std::time::Duration,
    /// Objects above this many bytes are moved into place by a multipart copy
    /// (zero: S3's own limit for one `CopyObject`, [`MAX_SINGLE_COPY`]); tests
    /// lower it to exercise that path without writing 5 GiB.
    pub max_single_copy: u64,
    /// Bytes per copied part in a multipart copy (zero: 1 GiB; at least 5 MiB).
    pub copy_part: u64,
}

/// Why an S3 call failed.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("no object has key {0:?}")]
    NotFound(String),
    #[error("S3 {operation} failed: {message}")]
    Service {
        operation: &'static str,
        message: String,
    },
    #[error("reading the content to upload failed: {0}")]
    Body(#[source] io::Error),
}

/// The wait per attempt when none is configured.
const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

fn service(operation: &'static str, error: impl std::error::Error) -> S3Error {
    // The SDK's Display is terse ("service error"); the source chain says what happened.
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    S3Error::Service { operation, message }
}

/// What S3 says of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Object {
    pub key: String,
    pub size: u64,
    /// Absent for objects written by other tools.
    pub sha256: Option<String>,
    pub last_modified: DateTime<Utc>,
}

/// A stream of an object's bytes.
pub type Body = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// One bucket.
#[derive(Clone, Debug)]
pub struct S3Bucket {
    client: Client,
    bucket: String,
    part_size: usize,
    timeout: std::time::Duration,
    max_single_copy: u64,
    copy_part: u64,
}

fn timestamp(value: Option<&aws_sdk_s3::primitives::DateTime>) -> DateTime<Utc> {
    value
        .and_then(|time| DateTime::from_timestamp(time.secs(), time.subsec_nanos()))
        .unwrap_or_default()
}

impl S3Bucket {
    /// A client for `settings.bucket` (no request is made).
    pub async fn new(settings: &S3Settings) -> Self {
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader =
            aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https);
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let (Some(id), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            loader = loader.credentials_provider(Credentials::new(
                id.clone(),
                secret.clone(),
                None,
                None,
                "signpost-config",
            ));
        }
        let timeout = if settings.timeout.is_zero() {
            DEFAULT_TIMEOUT
        } else {
            settings.timeout
        };
        loader = loader
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(timeout.min(std::time::Duration::from_secs(10)))
                    .operation_attempt_timeout(timeout)
                    .operation_timeout(timeout * (MAX_ATTEMPTS + 1))
                    .build(),
            )
            .retry_config(
                aws_config::retry::RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS),
            );
        let shared = loader.load().await;
        let mut config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(settings.force_path_style)
            // Local servers do not all speak the newer default checksums.
            .request_checksum_calculation(
                aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
            )
            .response_checksum_validation(
                aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired,
            );
        if shared.region().is_none() {
            config = config.region(Region::new("us-east-1"));
        }
        if let Some(endpoint) = &settings.endpoint_url {
            config = config.endpoint_url(endpoint.clone());
        }
        Self {
            client: Client::from_conf(config.build()),
            bucket: settings.bucket.clone(),
            part_size: settings.part_size.max(5 * 1024 * 1024),
            timeout,
            max_single_copy: match settings.max_single_copy {
                0 => MAX_SINGLE_COPY,
                limit => limit.min(MAX_SINGLE_COPY),
            },
            copy_part: match settings.copy_part {
                0 => 1024 * 1024 * 1024,
                part => part,
            },
        }
    }

    /// Whether the bucket answers.
    pub async fn check(&self) -> Result<(), S3Error> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|error| service("HeadBucket", error))?;
        Ok(())
    }

    /// Creates the bucket (for tests and first runs against a local server).
    pub async fn create_bucket(&self) -> Result<(), S3Error> {
        match self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(error) => {
                let text = format!("{error:?}");
                if text.contains("BucketAlreadyOwnedByYou") || text.contains("BucketAlreadyExists")
                {
                    Ok(())
                } else {
                    Err(service("CreateBucket", error))
                }
            }
        }
    }

    /// Uploads `body` under `key`, replacing any object there; its size and SHA-256.
    pub async fn put(&self, key: &str, body: Body) -> Result<(u64, String), S3Error> {
        // Producers such as `unfold` panic when polled after their end, and the
        // part reader asks once more after a full last part: fuse it.
        let mut body: Body = Box::pin(body.fuse());
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let first = read_part(&mut body, self.part_size, &mut hasher, &mut size).await?;
        if first.len() < self.part_size {
            let sha256 = hex::encode(hasher.finalize());
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .metadata(SHA256_METADATA, &sha256)
                .body(ByteStream::from(first))
                .send()
                .await
                .map_err(|error| service("PutObject", error))?;
            return Ok((size, sha256));
        }
        let temp = format!("{TEMP_PREFIX}{}", unique_suffix());
        let upload = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(&temp)
            .send()
            .await
            .map_err(|error| service("CreateMultipartUpload", error))?;
        let Some(upload_id) = upload.upload_id() else {
            return Err(S3Error::Service {
                operation: "CreateMultipartUpload",
                message: "no upload id in the answer".into(),
            });
        };
        // Whatever happens from here — an error, or the caller giving up — the
        // parts, or the temporary object, do not outlive this put.
        let mut guard = copy::AbortOnDrop::new(self, &temp, upload_id);
        self.upload_parts(&temp, upload_id, first, &mut body, &mut hasher, &mut size)
            .await?;
        guard.completed();
        let sha256 = hex::encode(hasher.finalize());
        let copied = self.copy_into_place(&temp, key, size, &sha256).await;
        let _ = self.delete(&temp).await;
        guard.disarm();
        copied?;
        Ok((size, sha256))
    }

    async fn upload_parts(
        &self,
        key: &str,
        upload_id: &str,
        first: Bytes,
        body: &mut Body,
        hasher: &mut Sha256,
        size: &mut u64,
    ) -> Result<(), S3Error> {
        let mut parts = Vec::new();
        let mut part = first;
        loop {
            let number = i32::try_from(parts.len() + 1).unwrap_or(i32::MAX);
            let answer = self
                .client
                .upload_part()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .body(ByteStream::from(part))
                .send()
                .await
                .map_err(|error| service("UploadPart", error))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(answer.e_tag().map(str::to_owned))
                    .build(),
            );
            part = read_part(body, self.part_size, hasher, size).await?;
            if part.is_empty() {
                break;
            }
        }
        self.complete_upload(key, upload_id, parts).await
    }

    /// Completes a multipart upload of `parts`: the object appears at `key`.
    pub(crate) async fn complete_upload(
        &self,
        key: &str,
        upload_id: &str,
        parts: Vec<CompletedPart>,
    ) -> Result<(), S3Error> {
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(|error| service("CompleteMultipartUpload", error))?;
        Ok(())
    }

    /// The object's metadata, or `NotFound`.
    pub async fn head(&self, key: &str) -> Result<S3Object, S3Error> {
        let answer = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|error| {
                if error.as_service_error().is_some_and(|e| e.is_not_found()) {
                    S3Error::NotFound(key.to_owned())
                } else {
                    service("HeadObject", error)
                }
            })?;
        Ok(S3Object {
            key: key.to_owned(),
            size: answer.content_length().unwrap_or(0).max(0) as u64,
            sha256: answer
                .metadata()
                .and_then(|metadata| metadata.get(SHA256_METADATA).cloned()),
            last_modified: timestamp(answer.last_modified()),
        })
    }

    /// The object's metadata and its bytes, streamed.
    pub async fn get(&self, key: &str) -> Result<(S3Object, Body), S3Error> {
        let answer = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|error| {
                if error.as_service_error().is_some_and(|e| e.is_no_such_key()) {
                    S3Error::NotFound(key.to_owned())
                } else {
                    service("GetObject", error)
                }
            })?;
        let object = S3Object {
            key: key.to_owned(),
            size: answer.content_length().unwrap_or(0).max(0) as u64,
            sha256: answer
                .metadata()
                .and_then(|metadata| metadata.get(SHA256_METADATA).cloned()),
            last_modified: timestamp(answer.last_modified()),
        };
        let timeout = self.timeout;
        // `None` once the body ended or failed.
        let stream = futures_util::stream::unfold(Some(answer.body), move |body| async move {
            let mut body = body?;
            match tokio::time::timeout(timeout, body.next()).await {
                Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(body))),
                Ok(Some(Err(error))) => Some((Err(io::Error::other(error)), None)),
                Ok(None) => None,
                Err(_) => Some((
                    Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("S3 sent no bytes of the object for {} s", timeout.as_secs()),
                    )),
                    None,
                )),
            }
        });
        Ok((object, Box::pin(stream)))
    }

    /// Up to `limit` objects whose keys start with `prefix`, after `start_after`, in
    /// key order; and whether more follow. (The listing carries no SHA-256.)
    pub async fn list(
        &self,
        prefix: &str,
        start_after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<S3Object>, bool), S3Error> {
        let answer = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .set_start_after(start_after.map(str::to_owned))
            .max_keys(i32::try_from(limit.clamp(1, 1000)).unwrap_or(1000))
            .send()
            .await
            .map_err(|error| service("ListObjectsV2", error))?;
        let objects = answer
            .contents()
            .iter()
            .filter(|item| !item.key().is_some_and(|key| key.starts_with(TEMP_PREFIX)))
            .filter_map(|item| {
                Some(S3Object {
                    key: item.key()?.to_owned(),
                    size: item.size().unwrap_or(0).max(0) as u64,
                    sha256: None,
                    last_modified: timestamp(item.last_modified()),
                })
            })
            .collect();
        Ok((objects, answer.is_truncated().unwrap_or(false)))
    }

    /// Deletes the object (S3 does not say whether there was one).
    pub async fn delete(&self, key: &str) -> Result<(), S3Error> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|error| service("DeleteObject", error))?;
        Ok(())
    }
}

/// Reads up to `size` bytes of `body` into one buffer, hashing and counting them.
async fn read_part(
    body: &mut Body,
    size: usize,
    hasher: &mut Sha256,
    total: &mut u64,
) -> Result<Bytes, S3Error> {
    let mut part = BytesMut::with_capacity(size.min(16 * 1024 * 1024));
    while part.len() < size {
        match body.next().await {
            None => break,
            Some(Err(error)) => return Err(S3Error::Body(error)),
            Some(Ok(chunk)) => {
                hasher.update(&chunk);
                *total += chunk.len() as u64;
                part.extend_from_slice(&chunk);
            }
        }
    }
    Ok(part.freeze())
}

/// A name no other upload picks: the time in nanoseconds, the process and a counter.
fn unique_suffix() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!("{nanos:x}-{:x}-{count:x}", std::process::id())
}

/// A key as `CopyObject`'s `x-amz-copy-source` wants it: URL-encoded, `/` kept.
fn encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
