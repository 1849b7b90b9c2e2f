//! The `caching` wrapper: `main` is the store of record; `cache` (memory by default)
//! keeps recent objects for fast reads. Read-through (a miss reads `main` and fills
//! the cache as the caller streams), write-through (a put goes to both), expiry after
//! the policy's `timeout_ms`, and when the cache passes `max_cache_size` bytes it is
//! culled, oldest first, down to `cull_to_size`. Policies can differ per key prefix
//! (`table_policy_override`); the longest matching prefix wins. A policy may also
//! bound the objects cached under it (`max_cache_objects`, culled to
//! `cull_to_objects`), as the Data Store Service's documents count them.
//!
//! The cache is per process: another replica's write to `main` reaches this one's
//! readers after `timeout_ms` at the latest. A persistent cache left by an earlier
//! process is emptied at start, since its entries' freshness is unknown.

use super::config::CachePolicy;
use super::tee::{at_most, tee};
use super::{Body, Key, ListPage, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
// tokio's clock, so tests can pause and advance it.
use tokio::time::Instant;

#[derive(Debug)]
struct Entry {
    /// As the main store reported it.
    meta: ObjectMeta,
    cached_at: Instant,
    /// The key prefix of the policy it was cached under ("" for the default).
    policy: String,
}

#[derive(Debug, Default)]
struct Index {
    entries: HashMap<Key, Entry>,
    total: u64,
    /// Writes and deletes per key, so a slow cache fill that a newer write
    /// overtook is not indexed (its content is older).
    writes: HashMap<Key, u64>,
}

impl Index {
    fn forget(&mut self, key: &Key) {
        if let Some(entry) = self.entries.remove(key) {
            self.total = self.total.saturating_sub(entry.meta.size);
        }
    }

    fn written(&mut self, key: &Key) -> u64 {
        let count = self.writes.entry(key.clone()).or_default();
        *count += 1;
        *count
    }

    fn writes_of(&self, key: &Key) -> u64 {
        self.writes.get(key).copied().unwrap_or_default()
    }

    /// Records `key` and returns the keys culled to make room: oldest first, down
    /// to `cull_to_size` bytes of everything once `max_cache_size` is passed, and
    /// down to `cull_to_objects` objects of the key's own policy once its
    /// `max_cache_objects` is passed (the documented counts are per table).
    fn insert(
        &mut self,
        meta: ObjectMeta,
        limits: &CachePolicy,
        (prefix, policy): (&str, &CachePolicy),
    ) -> Vec<Key> {
        self.forget(&meta.key);
        self.total += meta.size;
        self.entries.insert(
            meta.key.clone(),
            Entry {
                meta,
                cached_at: Instant::now(),
                policy: prefix.to_owned(),
            },
        );
        let mut culled = Vec::new();
        if self.total > limits.max_cache_size {
            let oldest = self.oldest(|_| true);
            for key in oldest {
                if self.total <= limits.cull_to_size {
                    break;
                }
                self.forget(&key);
                culled.push(key);
            }
        }
        if let Some(max) = policy.max_cache_objects {
            let same = |entry: &Entry| entry.policy == prefix;
            let mut count = self.entries.values().filter(|entry| same(entry)).count() as u64;
            if count > max {
                let target = policy.cull_to_objects.unwrap_or(max);
                for key in self.oldest(same) {
                    if count <= target {
                        break;
                    }
                    self.forget(&key);
                    culled.push(key);
                    count -= 1;
                }
            }
        }
        culled
    }

    /// Keys of the entries `which` picks, oldest first.
    fn oldest(&self, which: impl Fn(&Entry) -> bool) -> Vec<Key> {
        let mut oldest: Vec<(Instant, Key)> = self
            .entries
            .iter()
            .filter(|(_, entry)| which(entry))
            .map(|(key, entry)| (entry.cached_at, key.clone()))
            .collect();
        oldest.sort();
        oldest.into_iter().map(|(_, key)| key).collect()
    }
}

#[derive(Debug)]
pub struct CachingStore {
    main: Arc<dyn ObjectStore>,
    cache: Arc<dyn ObjectStore>,
    default_policy: CachePolicy,
    /// (prefix, policy), longest prefix first.
    overrides: Vec<(String, CachePolicy)>,
    index: Arc<Mutex<Index>>,
}

impl CachingStore {
    pub async fn new(
        main: Arc<dyn ObjectStore>,
        cache: Arc<dyn ObjectStore>,
        default_policy: CachePolicy,
        overrides: impl IntoIterator<Item = (String, CachePolicy)>,
    ) -> Result<Self, StoreError> {
        for leftover in super::list_all(cache.as_ref(), "").await? {
            cache.delete(&leftover.key).await?;
        }
        let mut overrides: Vec<(String, CachePolicy)> = overrides.into_iter().collect();
        overrides.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        Ok(Self {
            main,
            cache,
            default_policy,
            overrides,
            index: Arc::default(),
        })
    }

    fn policy(&self, key: &Key) -> &CachePolicy {
        self.policy_of(key).1
    }

    /// The policy of `key` and the prefix it is kept under ("" for the default).
    fn policy_of(&self, key: &Key) -> (&str, &CachePolicy) {
        self.overrides
            .iter()
            .find(|(prefix, _)| key.as_str().starts_with(prefix.as_str()))
            .map_or(("", &self.default_policy), |(prefix, policy)| {
                (prefix.as_str(), policy)
            })
    }

    fn index(&self) -> std::sync::MutexGuard<'_, Index> {
        // A panic while holding the lock leaves plain counters; keep using them.
        self.index
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The main store's metadata of `key` when it is cached and younger than its
    /// policy's timeout; a stale entry is forgotten.
    fn fresh(&self, key: &Key) -> Option<ObjectMeta> {
        let timeout = Duration::from_millis(self.policy(key).timeout_ms);
        let mut index = self.index();
        match index.entries.get(key) {
            Some(entry) if entry.cached_at.elapsed() < timeout => Some(entry.meta.clone()),
            Some(_) => {
                index.forget(key);
                None
            }
            None => None,
        }
    }

    /// Records a finished cache write, unless a newer write overtook it.
    async fn record(
        index: &Mutex<Index>,
        cache: &dyn ObjectStore,
        meta: ObjectMeta,
        writes_before: u64,
        limits: &CachePolicy,
        own: (&str, &CachePolicy),
    ) {
        let key = meta.key.clone();
        let culled = {
            let mut index = index.lock().unwrap_or_else(|p| p.into_inner());
            if index.writes_of(&key) != writes_before {
                None
            } else {
                Some(index.insert(meta, limits, own))
            }
        };
        match culled {
            None => {
                let _ = cache.delete(&key).await;
            }
            Some(culled) => {
                for key in culled {
                    let _ = cache.delete(&key).await;
                }
            }
        }
    }
}

#[async_trait]
impl ObjectStore for CachingStore {
    fn kind(&self) -> String {
        format!("caching in front of {}", self.main.kind())
    }

    async fn put(&self, key: &Key, body: Body) -> Result<ObjectMeta, StoreError> {
        let writes = {
            let mut index = self.index();
            index.forget(key);
            index.written(key)
        };
        let policy = self.policy(key).clone();
        if !policy.cache {
            let _ = self.cache.delete(key).await;
            return self.main.put(key, body).await;
        }
        let (to_main, to_cache) = tee(body);
        let limit = policy
            .max_cache_size
            .min(self.default_policy.max_cache_size);
        let (main, cached) = tokio::join!(
            self.main.put(key, to_main),
            self.cache.put(key, at_most(to_cache, limit))
        );
        match (&main, cached) {
            (Ok(meta), Ok(_)) => {
                Self::record(
                    &self.index,
                    self.cache.as_ref(),
                    meta.clone(),
                    writes,
                    &self.default_policy,
                    self.policy_of(key),
                )
                .await;
            }
            _ => {
                let _ = self.cache.delete(key).await;
            }
        }
        main
    }

    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        let policy = self.policy(key).clone();
        if policy.cache
            && let Some(meta) = self.fresh(key)
        {
            match self.cache.get(key).await {
                Ok((_, body)) => return Ok((meta, body)),
                Err(error) => {
                    if !error.is_not_found() {
                        tracing::warn!(%error, %key, "object cache read failed; reading the main store");
                    }
                    self.index().forget(key);
                }
            }
        }
        let writes = self.index().writes_of(key);
        let (meta, body) = self.main.get(key).await?;
        let limit = policy
            .max_cache_size
            .min(self.default_policy.max_cache_size);
        if !policy.cache || meta.size > limit {
            return Ok((meta, body));
        }
        let (to_caller, to_cache) = tee(body);
        let (cache, index, limits) = (
            self.cache.clone(),
            self.index.clone(),
            self.default_policy.clone(),
        );
        let (prefix, own) = self.policy_of(key);
        let own = (prefix.to_owned(), own.clone());
        let filled = meta.clone();
        tokio::spawn(async move {
            if cache.put(&filled.key, to_cache).await.is_ok() {
                let own = (own.0.as_str(), &own.1);
                Self::record(&index, cache.as_ref(), filled, writes, &limits, own).await;
            }
        });
        Ok((meta, to_caller))
    }

    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        if self.policy(key).cache
            && let Some(meta) = self.fresh(key)
        {
            return Ok(meta);
        }
        self.main.head(key).await
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        self.main.list(prefix, after, limit).await
    }

    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        {
            let mut index = self.index();
            index.forget(key);
            index.written(key);
        }
        let (main, cache) = tokio::join!(self.main.delete(key), self.cache.delete(key));
        main.and(cache)
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.main.check().await?;
        self.cache.check().await
    }
}
