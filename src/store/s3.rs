//! The `s3` backend: the `store-s3` crate's bucket behind the [`ObjectStore`] trait.

use super::{Body, Key, ListPage, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use store_s3::{S3Bucket, S3Error, S3Object};

pub use store_s3::S3Settings;

#[derive(Debug)]
pub struct S3Store {
    bucket: S3Bucket,
    name: String,
    /// Whether leftovers of dead processes' uploads were swept (at the first
    /// successful check, i.e. readiness, rather than at start: S3 may be down then).
    swept: std::sync::atomic::AtomicBool,
}

fn store_error(error: S3Error) -> StoreError {
    match error {
        S3Error::NotFound(key) => StoreError::NotFound(key),
        S3Error::Body(error) => StoreError::io("reading the content", error),
        other => StoreError::Backend(other.to_string()),
    }
}

fn meta(object: S3Object, key: Key) -> ObjectMeta {
    ObjectMeta {
        key,
        size: object.size,
        sha256: object.sha256,
        created: object.last_modified,
    }
}

impl S3Store {
    pub async fn new(settings: &S3Settings) -> Self {
        Self {
            bucket: S3Bucket::new(settings).await,
            name: settings.bucket.clone(),
            swept: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Multipart uploads and temporary objects not (yet) cleaned up.
    pub async fn unfinished_uploads(&self) -> Result<usize, StoreError> {
        self.bucket.unfinished_uploads().await.map_err(store_error)
    }

    /// Creates the bucket if it is missing (tests, first runs on a local server).
    pub async fn create_bucket(&self) -> Result<(), StoreError> {
        self.bucket.create_bucket().await.map_err(store_error)
    }
}

#[async_trait]
impl ObjectStore for S3Store {
    fn kind(&self) -> String {
        "s3".into()
    }

    async fn put(&self, key: &Key, body: Body) -> Result<ObjectMeta, StoreError> {
        let (size, sha256) = self
            .bucket
            .put(key.as_str(), body)
            .await
            .map_err(store_error)?;
        // S3 keeps its own write time; read it back so head and put agree.
        let mut written = self.head(key).await?;
        written.size = size;
        written.sha256 = Some(sha256);
        Ok(written)
    }

    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        let (object, body) = self.bucket.get(key.as_str()).await.map_err(store_error)?;
        Ok((meta(object, key.clone()), body))
    }

    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        let object = self.bucket.head(key.as_str()).await.map_err(store_error)?;
        Ok(meta(object, key.clone()))
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let (objects, truncated) = self
            .bucket
            .list(prefix, after.map(Key::as_str), limit.clamp(1, 1000))
            .await
            .map_err(store_error)?;
        let objects: Vec<ObjectMeta> = objects
            .into_iter()
            .filter_map(|object| {
                let key = Key::parse(&object.key).ok()?;
                Some(meta(object, key))
            })
            .collect();
        let next = if truncated {
            objects.last().map(|meta| meta.key.clone())
        } else {
            None
        };
        Ok(ListPage { objects, next })
    }

    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        self.bucket.delete(key.as_str()).await.map_err(store_error)
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.bucket
            .check()
            .await
            .map_err(|error| StoreError::Backend(format!("bucket {}: {error}", self.name)))?;
        use std::sync::atomic::Ordering;
        if !self.swept.swap(true, Ordering::AcqRel)
            && let Err(error) = self.bucket.sweep_leftovers().await
        {
            tracing::warn!(%error, bucket = %self.name, "could not sweep abandoned uploads");
        }
        Ok(())
    }
}
