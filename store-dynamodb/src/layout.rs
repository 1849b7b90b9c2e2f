//! The items of the store's tables: manifests, chunks, pending markers.

use crate::{Attributes, DynamoError, DynamoStore, service};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};

/// What the store says of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamoObject {
    pub key: String,
    pub size: u64,
    pub sha256: Option<String>,
    pub created: DateTime<Utc>,
}

/// The first `/`-separated segment of a key: its logical table.
pub fn segment_of(key: &str) -> &str {
    key.split('/').next().unwrap_or(key)
}

pub fn manifest_pk(segment: &str) -> String {
    format!("o#{segment}")
}

pub fn chunk_pk(upload: &str) -> String {
    format!("c#{upload}")
}

pub const PENDING_PK: &str = "p#";
pub const SEGMENTS_PK: &str = "s#";

/// One item's attributes.
#[derive(Debug, Default)]
pub struct Item(Attributes);

impl From<Attributes> for Item {
    fn from(map: Attributes) -> Self {
        Self(map)
    }
}

impl Item {
    /// A manifest of `key` without its content, chunk count or hash yet.
    pub fn manifest(key: &str, size: u64, upload: &str) -> Self {
        let mut item = Self::default();
        item.set("pk", AttributeValue::S(manifest_pk(segment_of(key))));
        item.set("sk", AttributeValue::S(key.to_owned()));
        item.set("n", AttributeValue::N(size.to_string()));
        item.set("u", AttributeValue::S(upload.to_owned()));
        item.set(
            "t",
            AttributeValue::S(Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)),
        );
        item
    }

    pub fn set(&mut self, name: &str, value: AttributeValue) {
        self.0.insert(name.to_owned(), value);
    }

    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.0.get(name)
    }

    pub fn take(&mut self, name: &str) -> Option<AttributeValue> {
        self.0.remove(name)
    }

    pub fn string(&self, name: &str) -> Option<&str> {
        match self.0.get(name) {
            Some(AttributeValue::S(text)) => Some(text),
            _ => None,
        }
    }

    pub fn number(&self, name: &str) -> Option<u64> {
        match self.0.get(name) {
            Some(AttributeValue::N(number)) => number.parse().ok(),
            _ => None,
        }
    }

    pub fn into_map(self) -> Attributes {
        self.0
    }

    /// The object a manifest describes.
    pub fn object(&self) -> Result<DynamoObject, DynamoError> {
        let key = self
            .string("sk")
            .ok_or_else(|| DynamoError::Corrupt("without a key".into()))?;
        let corrupt = |what: &str| DynamoError::Corrupt(format!("{key}: {what}"));
        let size = self.number("n").ok_or_else(|| corrupt("no size"))?;
        let created = self
            .string("t")
            .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
            .ok_or_else(|| corrupt("no time"))?
            .with_timezone(&Utc);
        Ok(DynamoObject {
            key: key.to_owned(),
            size,
            sha256: self.string("h").map(str::to_owned),
            created,
        })
    }
}

/// An upload whose chunks no manifest points to yet. Dropped before
/// [`Pending::finish`] (an error, a cancelled request), it deletes its chunks in
/// the background; if the process dies, its marker lets a later start do so.
pub struct Pending {
    store: DynamoStore,
    table: String,
    upload: String,
    armed: bool,
}

impl Pending {
    /// Writes the marker (before the first chunk).
    pub async fn start(
        store: &DynamoStore,
        table: &str,
        key: &str,
        upload: &str,
    ) -> Result<Self, DynamoError> {
        store
            .client()
            .put_item()
            .table_name(table)
            .item("pk", AttributeValue::S(PENDING_PK.to_owned()))
            .item("sk", AttributeValue::S(upload.to_owned()))
            .item("k", AttributeValue::S(key.to_owned()))
            .item(
                "t",
                AttributeValue::S(Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)),
            )
            .send()
            .await
            .map_err(|error| service("PutItem", error))?;
        Ok(Self {
            store: store.clone(),
            table: table.to_owned(),
            upload: upload.to_owned(),
            armed: true,
        })
    }

    /// The manifest is written: the chunks are the object's now.
    pub async fn finish(mut self) {
        self.armed = false;
        let _ = remove_marker(&self.store, &self.table, &self.upload).await;
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (store, table, upload) = (self.store.clone(), self.table.clone(), self.upload.clone());
        runtime.spawn(async move { discard(&store, &table, &upload).await });
    }
}

async fn remove_marker(store: &DynamoStore, table: &str, upload: &str) -> Result<(), DynamoError> {
    store
        .client()
        .delete_item()
        .table_name(table)
        .key("pk", AttributeValue::S(PENDING_PK.to_owned()))
        .key("sk", AttributeValue::S(upload.to_owned()))
        .send()
        .await
        .map_err(|error| service("DeleteItem", error))?;
    Ok(())
}

/// Deletes an unfinished upload's chunks, then its marker.
pub async fn discard(store: &DynamoStore, table: &str, upload: &str) {
    let result = async {
        store
            .tables()
            .delete_partition(table, &chunk_pk(upload))
            .await?;
        remove_marker(store, table, upload).await
    }
    .await;
    if let Err(error) = result {
        tracing::warn!(%error, upload, "could not delete an unfinished DynamoDB upload; a later start sweeps it");
    }
}
