//! The `dynamodb` backend: the `store-dynamodb` crate's tables behind the
//! [`ObjectStore`] trait.

use super::{Body, Key, ListPage, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use store_dynamodb::{DynamoError, DynamoObject};

pub use store_dynamodb::{DynamoSettings, DynamoStore};

fn store_error(error: DynamoError) -> StoreError {
    match error {
        DynamoError::NotFound(key) => StoreError::NotFound(key),
        DynamoError::Body(error) => StoreError::io("reading the content", error),
        other => StoreError::Backend(other.to_string()),
    }
}

fn meta(object: DynamoObject) -> Result<ObjectMeta, StoreError> {
    Ok(ObjectMeta {
        key: Key::parse(&object.key)?,
        size: object.size,
        sha256: object.sha256,
        created: object.created,
    })
}

/// The store and the name readiness errors give it.
#[derive(Debug)]
pub struct DynamoDbStore {
    tables: DynamoStore,
    name: String,
}

impl DynamoDbStore {
    pub async fn new(settings: &DynamoSettings) -> Self {
        let name = match &settings.endpoint_url {
            Some(endpoint) => format!("DynamoDB at {endpoint}"),
            None => "DynamoDB".to_owned(),
        };
        Self {
            tables: DynamoStore::new(settings).await,
            name,
        }
    }

    /// Uploads started and not yet finished or cleaned up.
    pub async fn unfinished_uploads(&self) -> Result<usize, StoreError> {
        self.tables.unfinished_uploads().await.map_err(store_error)
    }

    /// The tables that exist under this store's names.
    pub async fn table_names(&self) -> Result<Vec<String>, StoreError> {
        self.tables.table_names().await.map_err(store_error)
    }

    /// Deletes every table of the store (tests).
    pub async fn delete_tables(&self) -> Result<(), StoreError> {
        self.tables.delete_tables().await.map_err(store_error)
    }
}

#[async_trait]
impl ObjectStore for DynamoDbStore {
    fn kind(&self) -> String {
        "dynamodb".into()
    }

    async fn put(&self, key: &Key, body: Body) -> Result<ObjectMeta, StoreError> {
        meta(
            self.tables
                .put(key.as_str(), body)
                .await
                .map_err(store_error)?,
        )
    }

    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        let (object, body) = self.tables.get(key.as_str()).await.map_err(store_error)?;
        Ok((meta(object)?, body))
    }

    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        meta(self.tables.head(key.as_str()).await.map_err(store_error)?)
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let (objects, next) = self
            .tables
            .list(prefix, after.map(Key::as_str), limit.clamp(1, 1000))
            .await
            .map_err(store_error)?;
        Ok(ListPage {
            objects: objects.into_iter().filter_map(|o| meta(o).ok()).collect(),
            next: next.and_then(|key| Key::parse(&key).ok()),
        })
    }

    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        self.tables.delete(key.as_str()).await.map_err(store_error)
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.tables
            .check()
            .await
            .map_err(|error| StoreError::Backend(format!("{}: {error}", self.name)))
    }
}
