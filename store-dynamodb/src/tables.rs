//! Which table holds which keys, creating tables when configured, and the
//! queries that span a table's partitions: listings, partition deletes, sweeps.

use crate::layout::{self, DynamoObject, Item, PENDING_PK, SEGMENTS_PK, manifest_pk};
use crate::{DynamoError, DynamoSettings, DynamoStore, service};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, DeleteRequest, KeySchemaElement, KeyType,
    ScalarAttributeType, TableStatus, WriteRequest,
};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// A pending upload older than this belongs to a process that died mid-put.
const ABANDONED_AFTER: TimeDelta = TimeDelta::hours(1);
/// Items per `BatchWriteItem`, DynamoDB's limit.
const BATCH: usize = 25;

#[derive(Clone, Debug)]
pub struct Tables {
    client: Client,
    prefix: String,
    single: bool,
    create: bool,
    /// Tables seen to exist, and segments seen registered: facts that never
    /// become false while the store is in use, so caching them per process is safe.
    known: Arc<Mutex<HashSet<String>>>,
    registered: Arc<Mutex<BTreeSet<String>>>,
    ready: Arc<OnceCell<()>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A segment as part of a table name: DynamoDB allows `[A-Za-z0-9_.-]`, so any
/// other byte (and `-` itself) is written `-xx` in hex, which keeps names distinct.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("-{byte:02x}"));
        }
    }
    out
}

impl Tables {
    pub fn new(client: Client, settings: &DynamoSettings) -> Self {
        Self {
            client,
            prefix: settings.table_prefix.clone(),
            single: settings.single_table,
            create: settings.create_tables,
            known: Arc::default(),
            registered: Arc::default(),
            ready: Arc::default(),
        }
    }

    /// The table of every item in single-table mode, else of the registry only.
    pub fn catalog(&self) -> String {
        format!("{}objects", self.prefix)
    }

    fn name_for(&self, segment: &str) -> String {
        if self.single {
            self.catalog()
        } else {
            format!("{}objects_{}", self.prefix, encode(segment))
        }
    }

    /// The catalog exists, and abandoned uploads are swept (once per process).
    pub async fn ready(&self, store: &DynamoStore) -> Result<(), DynamoError> {
        self.ready
            .get_or_try_init(|| async {
                self.ensure(&self.catalog()).await?;
                let mut tables = vec![self.catalog()];
                if !self.single {
                    for segment in self.segments().await? {
                        if let Some(table) = self.existing_for_segment(&segment).await? {
                            tables.push(table);
                        }
                    }
                }
                for table in tables {
                    self.sweep(store, &table).await?;
                }
                Ok(())
            })
            .await
            .map(drop)
    }

    /// The table for new objects of `segment`, created and registered if need be.
    pub async fn for_segment(&self, segment: &str) -> Result<String, DynamoError> {
        let table = self.name_for(segment);
        self.ensure(&table).await?;
        if !lock(&self.registered).contains(segment) {
            self.client
                .put_item()
                .table_name(self.catalog())
                .item("pk", AttributeValue::S(SEGMENTS_PK.to_owned()))
                .item("sk", AttributeValue::S(segment.to_owned()))
                .send()
                .await
                .map_err(|error| service("PutItem", error))?;
            lock(&self.registered).insert(segment.to_owned());
        }
        Ok(table)
    }

    /// The table of `segment` if it exists (never created for a read).
    pub async fn existing_for_segment(&self, segment: &str) -> Result<Option<String>, DynamoError> {
        let table = self.name_for(segment);
        if lock(&self.known).contains(&table) {
            return Ok(Some(table));
        }
        match self.status(&table).await? {
            Some(_) => {
                lock(&self.known).insert(table.clone());
                Ok(Some(table))
            }
            None => Ok(None),
        }
    }

    async fn status(&self, table: &str) -> Result<Option<TableStatus>, DynamoError> {
        match self.client.describe_table().table_name(table).send().await {
            Ok(described) => Ok(Some(
                described
                    .table
                    .and_then(|table| table.table_status)
                    .unwrap_or(TableStatus::Active),
            )),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|error| error.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(error) => Err(service("DescribeTable", error)),
        }
    }

    /// Makes sure `table` exists and is active.
    async fn ensure(&self, table: &str) -> Result<(), DynamoError> {
        if lock(&self.known).contains(table) {
            return Ok(());
        }
        if self.status(table).await?.is_none() {
            if !self.create {
                return Err(DynamoError::Service {
                    operation: "DescribeTable",
                    message: format!("table {table} does not exist and create_tables is off"),
                });
            }
            let attribute = |name: &str| {
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
            };
            let key = |name: &str, kind: KeyType| {
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(kind)
                    .build()
            };
            let built = (|| {
                Ok::<_, aws_sdk_dynamodb::error::BuildError>((
                    attribute("pk")?,
                    attribute("sk")?,
                    key("pk", KeyType::Hash)?,
                    key("sk", KeyType::Range)?,
                ))
            })()
            .map_err(|error| service("CreateTable", error))?;
            let created = self
                .client
                .create_table()
                .table_name(table)
                .attribute_definitions(built.0)
                .attribute_definitions(built.1)
                .key_schema(built.2)
                .key_schema(built.3)
                .billing_mode(BillingMode::PayPerRequest)
                .send()
                .await;
            // Another replica may have created it a moment ago.
            if let Err(error) = created
                && !error
                    .as_service_error()
                    .is_some_and(|error| error.is_resource_in_use_exception())
            {
                return Err(service("CreateTable", error));
            }
        }
        for _ in 0..120 {
            if self.status(table).await? == Some(TableStatus::Active) {
                lock(&self.known).insert(table.to_owned());
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        Err(DynamoError::Service {
            operation: "CreateTable",
            message: format!("table {table} did not become active within a minute"),
        })
    }

    /// Every registered segment, in byte order.
    async fn segments(&self) -> Result<Vec<String>, DynamoError> {
        let items = self
            .query_all(&self.catalog(), SEGMENTS_PK, Some("sk"))
            .await?;
        let segments: Vec<String> = items
            .iter()
            .filter_map(|item| item.string("sk").map(str::to_owned))
            .collect();
        lock(&self.registered).extend(segments.iter().cloned());
        Ok(segments)
    }

    /// The segments whose keys can start with `prefix`.
    pub async fn segments_matching(&self, prefix: &str) -> Result<Vec<String>, DynamoError> {
        let segments = self.segments().await?;
        Ok(match prefix.split_once('/') {
            Some((segment, _)) => segments.into_iter().filter(|s| s == segment).collect(),
            None => segments
                .into_iter()
                .filter(|s| s.starts_with(prefix))
                .collect(),
        })
    }

    /// Up to `want` manifests of `segment` whose keys start with `prefix` and
    /// sort after `after`, in byte order.
    pub async fn manifests(
        &self,
        table: &str,
        segment: &str,
        prefix: &str,
        after: Option<&str>,
        want: usize,
    ) -> Result<Vec<DynamoObject>, DynamoError> {
        let mut query = self
            .client
            .query()
            .table_name(table)
            .consistent_read(true)
            // The content stays behind: a listing reads only what describes it.
            .projection_expression("sk, n, h, t")
            .expression_attribute_values(":pk", AttributeValue::S(manifest_pk(segment)));
        query = match after.filter(|after| *after >= prefix) {
            Some(after) => query
                .key_condition_expression("pk = :pk AND sk > :from")
                .expression_attribute_values(":from", AttributeValue::S(after.to_owned())),
            None if !prefix.is_empty() => query
                .key_condition_expression("pk = :pk AND sk >= :from")
                .expression_attribute_values(":from", AttributeValue::S(prefix.to_owned())),
            None => query.key_condition_expression("pk = :pk"),
        };
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let page = query
                .clone()
                .set_exclusive_start_key(start)
                .limit((want - found.len()).min(1000) as i32)
                .send()
                .await
                .map_err(|error| service("Query", error))?;
            for item in page.items.unwrap_or_default() {
                let object = Item::from(item).object()?;
                // Sorted: the first key past the prefix ends the matches.
                if !object.key.starts_with(prefix) {
                    return Ok(found);
                }
                found.push(object);
            }
            start = page.last_evaluated_key;
            if start.is_none() || found.len() >= want {
                return Ok(found);
            }
        }
    }

    /// Every item of partition `pk`, with only `projection` when given.
    async fn query_all(
        &self,
        table: &str,
        pk: &str,
        projection: Option<&str>,
    ) -> Result<Vec<Item>, DynamoError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(table)
                .consistent_read(true)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
                .set_projection_expression(projection.map(str::to_owned))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|error| service("Query", error))?;
            items.extend(page.items.unwrap_or_default().into_iter().map(Item::from));
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Deletes every item of partition `pk`.
    pub async fn delete_partition(&self, table: &str, pk: &str) -> Result<(), DynamoError> {
        let items = self.query_all(table, pk, Some("pk, sk")).await?;
        for batch in items.chunks(BATCH) {
            let mut requests = Vec::with_capacity(batch.len());
            for item in batch {
                let request = DeleteRequest::builder()
                    .key("pk", AttributeValue::S(pk.to_owned()))
                    .key(
                        "sk",
                        AttributeValue::S(item.string("sk").unwrap_or_default().to_owned()),
                    )
                    .build()
                    .map_err(|error| service("BatchWriteItem", error))?;
                requests.push(WriteRequest::builder().delete_request(request).build());
            }
            // What DynamoDB could not take now is sent again, a bounded number of times.
            for attempt in 0..8 {
                if requests.is_empty() {
                    break;
                }
                let written = self
                    .client
                    .batch_write_item()
                    .request_items(table, requests)
                    .send()
                    .await
                    .map_err(|error| service("BatchWriteItem", error))?;
                requests = written
                    .unprocessed_items
                    .and_then(|mut left| left.remove(table))
                    .unwrap_or_default();
                if !requests.is_empty() {
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
                }
            }
        }
        Ok(())
    }

    /// Deletes the chunks of uploads a dead process left pending.
    async fn sweep(&self, store: &DynamoStore, table: &str) -> Result<(), DynamoError> {
        let stale = Utc::now() - ABANDONED_AFTER;
        for marker in self.query_all(table, PENDING_PK, None).await? {
            let started = marker
                .string("t")
                .and_then(|text| DateTime::parse_from_rfc3339(text).ok());
            let (Some(upload), Some(started)) = (marker.string("sk"), started) else {
                continue;
            };
            if started > stale {
                continue;
            }
            // Died after the manifest was written: the chunks are the object's.
            let key = marker.string("k").unwrap_or_default();
            let published = match store.manifest_upload(key).await? {
                Some(current) => current == upload,
                None => false,
            };
            if published {
                let _ = self
                    .client
                    .delete_item()
                    .table_name(table)
                    .key("pk", AttributeValue::S(PENDING_PK.to_owned()))
                    .key("sk", AttributeValue::S(upload.to_owned()))
                    .send()
                    .await;
            } else {
                layout::discard(store, table, upload).await;
            }
        }
        Ok(())
    }

    /// Uploads whose pending marker is still there, in every table.
    pub async fn pending(&self) -> Result<usize, DynamoError> {
        let mut count = 0;
        for table in self.names().await? {
            count += self.query_all(&table, PENDING_PK, Some("pk")).await?.len();
        }
        Ok(count)
    }

    /// The tables that exist with this store's names, by listing them.
    pub async fn names(&self) -> Result<Vec<String>, DynamoError> {
        let catalog = self.catalog();
        let mut names = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let page = self
                .client
                .list_tables()
                .set_exclusive_start_table_name(start)
                .send()
                .await
                .map_err(|error| service("ListTables", error))?;
            names.extend(
                page.table_names()
                    .iter()
                    .filter(|name| *name == &catalog || name.starts_with(&format!("{catalog}_")))
                    .cloned(),
            );
            start = page.last_evaluated_table_name;
            if start.is_none() {
                names.sort();
                return Ok(names);
            }
        }
    }

    /// Every table of this store, deleted (tests).
    pub async fn delete_all(&self) -> Result<(), DynamoError> {
        let mut tables = vec![self.catalog()];
        if !self.single {
            for segment in self.segments().await? {
                tables.push(self.name_for(&segment));
            }
        }
        for table in tables {
            match self.client.delete_table().table_name(&table).send().await {
                Ok(_) => {}
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(|error| error.is_resource_not_found_exception()) => {}
                Err(error) => return Err(service("DeleteTable", error)),
            }
        }
        lock(&self.known).clear();
        lock(&self.registered).clear();
        Ok(())
    }
}
