//! DynamoDB (and DynamoDB-compatible servers: DynamoDB Local, moto) as Signpost's
//! object store.
//!
//! An item holds at most 400 KB, so an object is a *manifest* item (size, SHA-256,
//! time, and the content itself when it fits) plus, for larger objects, *chunk*
//! items under the upload's own id. A put writes every chunk first and then the
//! manifest in one `PutItem`, which replaces the old manifest atomically: a
//! reader sees the old object or the new one, and a failed or cancelled put
//! leaves the old one (its chunks are deleted; a crashed process's are swept
//! through a *pending* marker written before the first chunk).
//!
//! Items of one table, by partition key `pk` and sort key `sk`:
//!
//! | item | `pk` | `sk` |
//! |---|---|---|
//! | manifest | `o#<first key segment>` | the key |
//! | chunk | `c#<upload id>` | sequence number, zero-padded |
//! | pending upload | `p#` | upload id |
//! | segment registry (catalog table only) | `s#` | first key segment |
//!
//! Listings must come in byte order of keys, as S3's do: DynamoDB sorts string
//! sort keys by their UTF-8 bytes within a partition, and the partitions of the
//! segments a prefix can match are merged.
//!
//! In single-table mode everything is in `<prefix>objects`; otherwise each first
//! key segment (`imports`, `ingest`, …) has a table `<prefix>objects_<segment>`
//! and `<prefix>objects` keeps only the segment registry.

mod layout;
mod tables;

pub use layout::DynamoObject;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{Credentials, Region};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use layout::{Item, chunk_pk, manifest_pk, segment_of};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io;
use std::pin::Pin;

// Items are at most 400 KB. DynamoDB counts a binary attribute by its bytes, but
// some compatible servers (moto) count its base64 form, a third larger: both sizes
// below stay under the limit either way.
/// The content of a manifest that holds it, at most.
const INLINE_MAX: usize = 256 * 1024;
/// The content of one chunk item.
const CHUNK: usize = 288 * 1024;
/// Attempts per call (the first and two retries), with the SDK's backoff.
const MAX_ATTEMPTS: u32 = 3;

/// Where the tables are and how to reach them.
#[derive(Clone, Debug, Default)]
pub struct DynamoSettings {
    /// Default: the SDK's chain (`AWS_REGION`, profile), else `us-east-1`.
    pub region: Option<String>,
    /// A DynamoDB-compatible server, e.g. `http://127.0.0.1:8000`.
    pub endpoint_url: Option<String>,
    /// Static credentials; without them the SDK's default chain is used.
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub single_table: bool,
    pub table_prefix: String,
    /// Create a missing table on first use (else it is an error naming it).
    pub create_tables: bool,
    /// Longest wait for one attempt of a call.
    pub timeout: std::time::Duration,
}

/// Why a DynamoDB call failed.
#[derive(Debug, thiserror::Error)]
pub enum DynamoError {
    #[error("no object has key {0:?}")]
    NotFound(String),
    #[error("DynamoDB {operation} failed: {message}")]
    Service {
        operation: &'static str,
        message: String,
    },
    #[error("reading the content to upload failed: {0}")]
    Body(#[source] io::Error),
    #[error("DynamoDB item {0}")]
    Corrupt(String),
}

pub(crate) fn service(operation: &'static str, error: impl std::error::Error) -> DynamoError {
    // The SDK's Display is terse ("service error"); the source chain says what happened.
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    DynamoError::Service { operation, message }
}

/// A stream of an object's bytes.
pub type Body = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// The store: a client and the tables it has seen exist.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    tables: tables::Tables,
}

impl DynamoStore {
    /// A client (no request is made until the first call).
    pub async fn new(settings: &DynamoSettings) -> Self {
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let timeout = if settings.timeout.is_zero() {
            std::time::Duration::from_secs(30)
        } else {
            settings.timeout
        };
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(https)
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
        let shared = loader.load().await;
        let mut config = aws_sdk_dynamodb::config::Builder::from(&shared);
        if shared.region().is_none() {
            config = config.region(Region::new("us-east-1"));
        }
        if let Some(endpoint) = &settings.endpoint_url {
            config = config.endpoint_url(endpoint.clone());
        }
        let client = Client::from_conf(config.build());
        Self {
            tables: tables::Tables::new(client.clone(), settings),
            client,
        }
    }

    /// Whether the catalog table is there (created if configured), and abandoned
    /// uploads swept, the first time it succeeds.
    pub async fn check(&self) -> Result<(), DynamoError> {
        self.tables.ready(self).await
    }

    /// Writes `body` under `key`, replacing the object there once it is complete.
    pub async fn put(&self, key: &str, body: Body) -> Result<DynamoObject, DynamoError> {
        self.check().await?;
        let segment = segment_of(key);
        let table = self.tables.for_segment(segment).await?;
        let upload = uuid::Uuid::now_v7().to_string();
        let mut incoming = Incoming::new(body);
        // Until the content outgrows one item, nothing is written.
        let mut ended = false;
        while incoming.buffer.len() <= INLINE_MAX {
            if !incoming.more().await? {
                ended = true;
                break;
            }
        }
        // Armed while chunks exist that no manifest points to.
        let mut pending = None;
        let mut chunks = 0u32;
        if !ended {
            pending = Some(layout::Pending::start(self, &table, key, &upload).await?);
            loop {
                while incoming.buffer.len() >= CHUNK {
                    let piece = incoming.buffer.split_to(CHUNK).freeze();
                    self.write_chunk(&table, &upload, chunks, piece).await?;
                    chunks += 1;
                }
                if !incoming.more().await? {
                    break;
                }
            }
            if !incoming.buffer.is_empty() {
                let rest = incoming.buffer.split().freeze();
                self.write_chunk(&table, &upload, chunks, rest).await?;
                chunks += 1;
            }
        }
        let Incoming {
            hasher,
            size,
            buffer,
            ..
        } = incoming;
        let mut manifest = Item::manifest(key, size, &upload);
        if ended {
            manifest.set("d", AttributeValue::B(Blob::new(buffer.to_vec())));
        } else {
            manifest.set("c", AttributeValue::N(chunks.to_string()));
        }
        manifest.set("h", AttributeValue::S(hex::encode(hasher.finalize())));
        let object = manifest.object()?;
        let replaced = self
            .client
            .put_item()
            .table_name(&table)
            .set_item(Some(manifest.into_map()))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|error| service("PutItem", error))?;
        if let Some(pending) = pending {
            pending.finish().await;
        }
        if let Some(old) = replaced.attributes {
            self.drop_chunks_of(&table, &Item::from(old)).await;
        }
        Ok(object)
    }

    async fn write_chunk(
        &self,
        table: &str,
        upload: &str,
        seq: u32,
        data: Bytes,
    ) -> Result<(), DynamoError> {
        self.client
            .put_item()
            .table_name(table)
            .item("pk", AttributeValue::S(chunk_pk(upload)))
            .item("sk", AttributeValue::S(format!("{seq:010}")))
            .item("d", AttributeValue::B(Blob::new(data.to_vec())))
            .send()
            .await
            .map_err(|error| service("PutItem", error))?;
        Ok(())
    }

    /// The chunks of a replaced or deleted manifest, deleted (a failure leaves
    /// them unreachable, never wrong).
    async fn drop_chunks_of(&self, table: &str, old: &Item) {
        if let Some(upload) = old.string("u").filter(|_| old.get("d").is_none())
            && let Err(error) = self.tables.delete_partition(table, &chunk_pk(upload)).await
        {
            tracing::warn!(%error, table, "could not delete the chunks of a replaced object");
        }
    }

    async fn manifest(&self, key: &str) -> Result<(String, Item), DynamoError> {
        self.check().await?;
        self.find_manifest(key).await
    }

    /// The upload id of `key`'s current manifest (for the sweep, which runs
    /// inside [`DynamoStore::check`]).
    pub(crate) async fn manifest_upload(&self, key: &str) -> Result<Option<String>, DynamoError> {
        match self.find_manifest(key).await {
            Ok((_, item)) => Ok(item.string("u").map(str::to_owned)),
            Err(DynamoError::NotFound(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn find_manifest(&self, key: &str) -> Result<(String, Item), DynamoError> {
        let segment = segment_of(key);
        let Some(table) = self.tables.existing_for_segment(segment).await? else {
            return Err(DynamoError::NotFound(key.to_owned()));
        };
        let found = self
            .client
            .get_item()
            .table_name(&table)
            .key("pk", AttributeValue::S(manifest_pk(segment)))
            .key("sk", AttributeValue::S(key.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| service("GetItem", error))?;
        match found.item {
            Some(item) => Ok((table, Item::from(item))),
            None => Err(DynamoError::NotFound(key.to_owned())),
        }
    }

    /// What the store knows of `key`.
    pub async fn head(&self, key: &str) -> Result<DynamoObject, DynamoError> {
        self.manifest(key).await?.1.object()
    }

    /// The object and its content, streamed chunk by chunk.
    pub async fn get(&self, key: &str) -> Result<(DynamoObject, Body), DynamoError> {
        let (table, mut manifest) = self.manifest(key).await?;
        let object = manifest.object()?;
        if let Some(AttributeValue::B(data)) = manifest.take("d") {
            let bytes = Bytes::from(data.into_inner());
            return Ok((
                object,
                Box::pin(futures_util::stream::once(async { Ok(bytes) })),
            ));
        }
        let chunks = manifest.number("c").unwrap_or_default();
        let upload = manifest
            .string("u")
            .ok_or_else(|| DynamoError::Corrupt(format!("{key}: a manifest without its upload")))?
            .to_owned();
        let (client, key) = (self.client.clone(), key.to_owned());
        let stream = futures_util::stream::unfold(0u64, move |seq| {
            let (client, table, upload, key) =
                (client.clone(), table.clone(), upload.clone(), key.clone());
            async move {
                if seq >= chunks {
                    return None;
                }
                let found = client
                    .get_item()
                    .table_name(&table)
                    .key("pk", AttributeValue::S(chunk_pk(&upload)))
                    .key("sk", AttributeValue::S(format!("{seq:010}")))
                    .consistent_read(true)
                    .send()
                    .await;
                let data = match found {
                    Ok(found) => match found.item.and_then(|mut item| item.remove("d")) {
                        Some(AttributeValue::B(data)) => Ok(Bytes::from(data.into_inner())),
                        _ => Err(io::Error::other(format!(
                            "object {key} changed or was deleted while being read"
                        ))),
                    },
                    Err(error) => Err(io::Error::other(service("GetItem", error))),
                };
                // After an error the stream ends.
                let next = if data.is_ok() { seq + 1 } else { chunks };
                Some((data, next))
            }
        });
        Ok((object, Box::pin(stream)))
    }

    /// Up to `limit` objects whose keys start with `prefix`, after `after`, in
    /// byte order; and the key to continue after, when there are more.
    pub async fn list(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<DynamoObject>, Option<String>), DynamoError> {
        self.check().await?;
        let limit = limit.max(1);
        let mut found = Vec::new();
        for segment in self.tables.segments_matching(prefix).await? {
            let Some(table) = self.tables.existing_for_segment(&segment).await? else {
                continue;
            };
            found.extend(
                self.tables
                    .manifests(&table, &segment, prefix, after, limit + 1)
                    .await?,
            );
        }
        found.sort_by(|a: &DynamoObject, b| a.key.as_bytes().cmp(b.key.as_bytes()));
        found.truncate(limit + 1);
        let next = if found.len() > limit {
            found.truncate(limit);
            found.last().map(|object| object.key.clone())
        } else {
            None
        };
        Ok((found, next))
    }

    /// Removes the object; no error when there is none.
    pub async fn delete(&self, key: &str) -> Result<(), DynamoError> {
        self.check().await?;
        let segment = segment_of(key);
        let Some(table) = self.tables.existing_for_segment(segment).await? else {
            return Ok(());
        };
        let removed = self
            .client
            .delete_item()
            .table_name(&table)
            .key("pk", AttributeValue::S(manifest_pk(segment)))
            .key("sk", AttributeValue::S(key.to_owned()))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|error| service("DeleteItem", error))?;
        if let Some(old) = removed.attributes {
            self.drop_chunks_of(&table, &Item::from(old)).await;
        }
        Ok(())
    }

    /// Uploads started and not yet finished or cleaned up (tests, diagnostics).
    pub async fn unfinished_uploads(&self) -> Result<usize, DynamoError> {
        self.tables.pending().await
    }

    /// The tables that exist under this store's names.
    pub async fn table_names(&self) -> Result<Vec<String>, DynamoError> {
        self.tables.names().await
    }

    /// Every table this store uses, deleted (tests).
    pub async fn delete_tables(&self) -> Result<(), DynamoError> {
        self.tables.delete_all().await
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) fn tables(&self) -> &tables::Tables {
        &self.tables
    }
}

/// The content of a put as it arrives: what is buffered, its size and hash so far.
struct Incoming {
    body: Body,
    hasher: Sha256,
    size: u64,
    buffer: BytesMut,
}

impl Incoming {
    fn new(body: Body) -> Self {
        Self {
            body,
            hasher: Sha256::new(),
            size: 0,
            buffer: BytesMut::new(),
        }
    }

    /// Buffers the next piece of the body; false once it has ended.
    async fn more(&mut self) -> Result<bool, DynamoError> {
        match self.body.next().await {
            Some(chunk) => {
                let chunk = chunk.map_err(DynamoError::Body)?;
                self.hasher.update(&chunk);
                self.size += chunk.len() as u64;
                self.buffer.extend_from_slice(&chunk);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Attribute maps as the SDK returns them.
pub(crate) type Attributes = HashMap<String, AttributeValue>;
