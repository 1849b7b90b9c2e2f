//! Every object-store call in a span of its own (`store.put{key}` …), whatever the
//! backend: the configured store is wrapped once, where it is opened, so a slow S3
//! call or a stuck filesystem shows in traces under the request or job that made it.

use super::{Body, Key, ListPage, ObjectMeta, ObjectStore, Store, StoreError};
use async_trait::async_trait;
use std::sync::Arc;

/// The configured store, traced.
#[derive(Debug)]
pub struct Traced(pub Store);

/// Wraps `store` so each call is traced.
pub fn traced(store: Store) -> Store {
    Arc::new(Traced(store))
}

#[async_trait]
impl ObjectStore for Traced {
    fn kind(&self) -> String {
        self.0.kind()
    }

    #[tracing::instrument(name = "store.put", skip_all, fields(key = %key))]
    async fn put(&self, key: &Key, body: Body) -> Result<ObjectMeta, StoreError> {
        self.0.put(key, body).await
    }

    #[tracing::instrument(name = "store.get", skip_all, fields(key = %key))]
    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        self.0.get(key).await
    }

    #[tracing::instrument(name = "store.head", skip_all, fields(key = %key))]
    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        self.0.head(key).await
    }

    #[tracing::instrument(name = "store.list", skip(self, after))]
    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        self.0.list(prefix, after, limit).await
    }

    #[tracing::instrument(name = "store.delete", skip_all, fields(key = %key))]
    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        self.0.delete(key).await
    }

    #[tracing::instrument(name = "store.check", skip_all)]
    async fn check(&self) -> Result<(), StoreError> {
        self.0.check().await
    }
}
