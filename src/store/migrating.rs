//! The `migrating` wrapper, for moving to another store while serving: reads come
//! from `from`; writes and deletes go to both, so nothing written during the move
//! is missed. `signpost store migrate` copies what `to` still lacks; once
//! `--check` reports everything migrated, the configuration can name `to` alone.

use super::tee::tee;
use super::{Body, Key, ListPage, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug)]
pub struct MigratingStore {
    pub from: Arc<dyn ObjectStore>,
    pub to: Arc<dyn ObjectStore>,
}

#[async_trait]
impl ObjectStore for MigratingStore {
    fn kind(&self) -> String {
        format!("migrating from {} to {}", self.from.kind(), self.to.kind())
    }

    async fn put(&self, key: &Key, body: Body) -> Result<ObjectMeta, StoreError> {
        let (left, right) = tee(body);
        let (from, to) = tokio::join!(self.from.put(key, left), self.to.put(key, right));
        let to = to.map_err(|error| StoreError::Backend(format!("migrating store, `to`: {error}")));
        // A write `to` refused is an error for the caller, who may retry; `from`
        // keeps it (deleting it would lose the previous content too), and
        // `signpost store migrate` copies it over later.
        let meta = from?;
        to?;
        Ok(meta)
    }

    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        self.from.get(key).await
    }

    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        self.from.head(key).await
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        self.from.list(prefix, after, limit).await
    }

    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        let (from, to) = tokio::join!(self.from.delete(key), self.to.delete(key));
        from.and(to)
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.from.check().await?;
        self.to.check().await
    }
}
