//! A store in this process's memory: for tests, and as the `caching` wrapper's
//! default cache. Nothing survives a restart and replicas do not share it.

use super::{Body, Digest, Key, ListPage, ObjectMeta, ObjectStore, StoreError, body_of, page_of};
use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::sync::RwLock;

#[derive(Debug, Default)]
pub struct MemoryStore {
    objects: RwLock<BTreeMap<Key, (ObjectMeta, Bytes)>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn poisoned() -> StoreError {
        StoreError::Backend("the memory store's lock was poisoned by a panic".into())
    }
}

#[async_trait]
impl ObjectStore for MemoryStore {
    fn kind(&self) -> String {
        "memory".into()
    }

    async fn put(&self, key: &Key, mut body: Body) -> Result<ObjectMeta, StoreError> {
        let mut content = BytesMut::new();
        let mut digest = Digest::default();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|error| StoreError::io("reading the content", error))?;
            digest.update(&chunk);
            content.extend_from_slice(&chunk);
        }
        let (size, sha256) = digest.finish();
        let meta = ObjectMeta {
            key: key.clone(),
            size,
            sha256: Some(sha256),
            created: crate::stamp::now(),
        };
        self.objects
            .write()
            .map_err(|_| Self::poisoned())?
            .insert(key.clone(), (meta.clone(), content.freeze()));
        Ok(meta)
    }

    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        let objects = self.objects.read().map_err(|_| Self::poisoned())?;
        let (meta, content) = objects
            .get(key)
            .ok_or_else(|| StoreError::NotFound(key.to_string()))?;
        Ok((meta.clone(), body_of(content.clone())))
    }

    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        let objects = self.objects.read().map_err(|_| Self::poisoned())?;
        objects
            .get(key)
            .map(|(meta, _)| meta.clone())
            .ok_or_else(|| StoreError::NotFound(key.to_string()))
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let objects = self.objects.read().map_err(|_| Self::poisoned())?;
        let start = Key(prefix.to_owned());
        let range = match after {
            Some(after) if *after > start => objects.range(after.clone()..),
            _ => objects.range(start..),
        };
        Ok(page_of(
            range.map(|(_, (meta, _))| meta),
            prefix,
            after,
            limit,
        ))
    }

    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        self.objects
            .write()
            .map_err(|_| Self::poisoned())?
            .remove(key);
        Ok(())
    }

    async fn check(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
