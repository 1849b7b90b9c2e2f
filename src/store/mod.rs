//! Object storage for raw files (imported CSVs, ingested downloads), chosen by
//! configuration: `memory`, `filesystem`, `s3`, `dynamodb`, `sql`, and the
//! `migrating` and `caching` wrappers that nest other stores.
//!
//! Bodies are streams of byte chunks both ways, so a 1 GB file never has to be in
//! memory; every backend computes the SHA-256 while writing. Keys are checked once,
//! here ([`Key`]), so all backends accept and refuse the same keys; a put replaces an
//! object atomically (readers see the old or the new content, never a mix), and a
//! delete of a missing key succeeds, as on S3.

pub mod caching;
pub mod config;
pub mod documented;
#[cfg(feature = "dynamodb")]
pub mod dynamodb;
pub mod filesystem;
pub mod memory;
pub mod migrate;
pub mod migrating;
#[cfg(feature = "s3")]
pub mod s3;
pub mod sql;
mod sql_dialect;
pub mod sql_url;
mod tee;
pub mod traced;

pub use tee::at_most;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;

pub use config::StoreConfig;

/// An object's bytes, as a stream of chunks.
pub type Body = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// A shared object store.
pub type Store = Arc<dyn ObjectStore>;

/// A checked object key: 1 to 1,024 bytes of UTF-8 without control characters,
/// `/`-separated segments that are neither empty nor `.` or `..` (so no key can
/// climb out of a filesystem store's base).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(String);

impl Key {
    pub fn parse(key: &str) -> Result<Self, StoreError> {
        let invalid = |reason: &str| StoreError::InvalidKey {
            key: key.chars().take(200).collect(),
            reason: reason.to_owned(),
        };
        if key.is_empty() || key.len() > 1024 {
            return Err(invalid("a key is 1 to 1,024 bytes long"));
        }
        if key.chars().any(char::is_control) {
            return Err(invalid("a key cannot hold control characters"));
        }
        if key.contains('\\') {
            return Err(invalid("a key cannot hold a backslash"));
        }
        if key
            .split('/')
            .any(|segment| segment.is_empty() || segment == "." || segment == "..")
        {
            return Err(invalid(
                "a key's /-separated parts cannot be empty, `.` or `..`",
            ));
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a store knows of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectMeta {
    pub key: Key,
    pub size: u64,
    /// Hex SHA-256 of the content. Always known after a put through Signpost; absent
    /// in S3 listings and for objects other tools wrote.
    pub sha256: Option<String>,
    /// When this content was written.
    pub created: DateTime<Utc>,
}

/// One page of a listing, in byte order of keys.
#[derive(Clone, Debug, Default)]
pub struct ListPage {
    pub objects: Vec<ObjectMeta>,
    /// Pass as `after` for the next page; `None` on the last one.
    pub next: Option<Key>,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no object has key {0:?}")]
    NotFound(String),
    #[error("invalid object key {key:?}: {reason}")]
    InvalidKey { key: String, reason: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    #[error("{0}")]
    Backend(String),
}

impl StoreError {
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound(_))
    }
}

/// The operations every backend and wrapper offers.
#[async_trait]
pub trait ObjectStore: Send + Sync + fmt::Debug {
    /// Writes `body` under `key`, replacing what was there once it is complete.
    async fn put(&self, key: &Key, body: Body) -> Result<ObjectMeta, StoreError>;

    /// The object's metadata and its content, streamed.
    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError>;

    /// The object's metadata.
    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError>;

    /// Up to `limit` objects whose keys start with `prefix` and sort after `after`.
    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError>;

    /// Removes the object; no error when there is none.
    async fn delete(&self, key: &Key) -> Result<(), StoreError>;

    /// Whether the store is usable (for `/health/ready`).
    async fn check(&self) -> Result<(), StoreError>;

    /// What kind of store this is (`dynamodb`, `migrating from sql to s3`), for
    /// readiness answers: enough to know which store failed, without addresses.
    fn kind(&self) -> String;
}

/// A body holding `bytes`.
pub fn body_of(bytes: impl Into<Bytes>) -> Body {
    let bytes = bytes.into();
    Box::pin(futures_util::stream::once(async move { Ok(bytes) }))
}

/// Reads a whole body into memory, refusing more than `limit` bytes.
pub async fn read_all(mut body: Body, limit: usize) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|error| StoreError::io("reading an object", error))?;
        if out.len() + chunk.len() > limit {
            return Err(StoreError::Backend(format!(
                "the object is larger than {limit} bytes"
            )));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The SHA-256 and length of content as it streams past.
#[derive(Default)]
pub(crate) struct Digest {
    hasher: sha2::Sha256,
    pub size: u64,
}

impl Digest {
    pub fn update(&mut self, chunk: &[u8]) {
        sha2::Digest::update(&mut self.hasher, chunk);
        self.size += chunk.len() as u64;
    }

    pub fn finish(self) -> (u64, String) {
        (self.size, hex::encode(sha2::Digest::finalize(self.hasher)))
    }
}

/// Lists every object under `prefix`, page by page.
pub async fn list_all(
    store: &dyn ObjectStore,
    prefix: &str,
) -> Result<Vec<ObjectMeta>, StoreError> {
    let mut all = Vec::new();
    let mut after: Option<Key> = None;
    loop {
        let page = store.list(prefix, after.as_ref(), 1000).await?;
        all.extend(page.objects);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(all),
        }
    }
}

/// Picks the page of `limit` objects after `after` from objects sorted by key.
pub(crate) fn page_of<'a>(
    sorted: impl IntoIterator<Item = &'a ObjectMeta>,
    prefix: &str,
    after: Option<&Key>,
    limit: usize,
) -> ListPage {
    let limit = limit.max(1);
    let mut objects: Vec<ObjectMeta> = sorted
        .into_iter()
        .filter(|meta| after.is_none_or(|after| meta.key > *after))
        .skip_while(|meta| meta.key.as_str() < prefix)
        .take_while(|meta| meta.key.as_str().starts_with(prefix))
        .take(limit + 1)
        .cloned()
        .collect();
    let next = if objects.len() > limit {
        objects.truncate(limit);
        objects.last().map(|meta| meta.key.clone())
    } else {
        None
    };
    ListPage { objects, next }
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn keys_cannot_escape_or_be_empty() {
        for bad in [
            "", "/abs", "a//b", "a/../b", "..", "./a", "a/", "a\\b", "a\nb",
        ] {
            assert!(Key::parse(bad).is_err(), "{bad:?}");
        }
        for good in [
            "a",
            "imports/0192",
            "odd/ключ ✓ #?&=+%.csv",
            ".hidden/x",
            "a..b",
        ] {
            assert!(Key::parse(good).is_ok(), "{good:?}");
        }
    }
}
