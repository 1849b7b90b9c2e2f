//! A shared cache of GraphQL responses for hot directory reads.
//!
//! Directory front ends ask the same few questions over and over (the first page of
//! services, a category, the services near a town), and the answer changes only
//! when someone writes. So whole responses are kept, keyed by the caller's role
//! and the request (document, operation name, variables): two callers of the same
//! role see the same rows, so one's answer serves the other, and a role never gets
//! another's (`Reader` sees unpublished records that `Anonymous` must not). Only
//! those two roles are cached; exporters and admins always read the database.
//!
//! An answer is cached only if it can be invalidated ([`changes`]): every table it
//! read ([`reads`]) is announced when written, its statements only read, and it
//! does not depend on the clock. The operator's policy per table ([`policy`]) can
//! turn caching off or shorten the TTL. Nothing here is shared state between
//! replicas: each keeps its own entries, and the database tells all of them when
//! they go stale.

pub mod changes;
pub mod policy;
pub mod reads;
mod start;

use crate::read::viewer::Role;
use bytes::Bytes;
pub use changes::{Generations, Snapshot, Source, Stamp};
pub use policy::CacheConfig;
pub use reads::{ReadLog, TableIndex};
use sha2::{Digest, Sha256};
pub use start::start;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What a request is cached under.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    role: Role,
    query: String,
    operation: Option<String>,
    variables: String,
}

impl Key {
    /// The key of `request` asked by `role`, or `None` when that role's answers are
    /// not cached.
    pub fn of(role: Role, request: &async_graphql::Request) -> Option<Self> {
        if !matches!(role, Role::Anonymous | Role::Reader) {
            return None;
        }
        Some(Self {
            role,
            query: request.query.clone(),
            operation: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables).ok()?,
        })
    }

    pub fn role(&self) -> Role {
        self.role
    }

    fn bytes(&self) -> usize {
        self.query.len() + self.variables.len() + self.operation.as_ref().map_or(0, String::len)
    }
}

/// A cached response.
#[derive(Debug)]
pub struct Entry {
    pub body: Bytes,
    pub etag: String,
    /// The table it counts against (the first it read), for sizes and metrics.
    primary: u16,
    stamp: Stamp,
    expires: Instant,
    ttl: Duration,
}

impl Entry {
    /// Seconds a browser or CDN may keep it.
    pub fn max_age(&self) -> u64 {
        self.expires
            .saturating_duration_since(Instant::now())
            .as_secs()
    }
}

/// What became of a response the cache was offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// Kept for this long.
    Kept(Duration),
    /// Not kept, and why (a metric label).
    Not(&'static str),
}

/// The cache of one replica.
pub struct ResponseCache {
    config: CacheConfig,
    index: Arc<TableIndex>,
    policies: Vec<policy::Resolved>,
    generations: Arc<Generations>,
    entries: moka::sync::Cache<Arc<Key>, Arc<Entry>>,
    held: Arc<Vec<AtomicU64>>,
}

struct EntryLife;

impl moka::Expiry<Arc<Key>, Arc<Entry>> for EntryLife {
    fn expire_after_create(
        &self,
        _key: &Arc<Key>,
        entry: &Arc<Entry>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

impl ResponseCache {
    /// A cache over the tables of `index`, or `None` when caching is off.
    pub fn new(config: &CacheConfig, index: Arc<TableIndex>) -> Option<Self> {
        if !config.enabled {
            return None;
        }
        let policies = index
            .names()
            .iter()
            .map(|name| config.policy(name))
            .collect();
        let held: Arc<Vec<AtomicU64>> =
            Arc::new((0..index.len()).map(|_| AtomicU64::new(0)).collect());
        let released = held.clone();
        let entries = moka::sync::Cache::builder()
            .max_capacity(config.max_bytes)
            .weigher(|key: &Arc<Key>, entry: &Arc<Entry>| {
                u32::try_from(entry.body.len() + key.bytes()).unwrap_or(u32::MAX)
            })
            .expire_after(EntryLife)
            .eviction_listener(move |_key, entry: Arc<Entry>, _cause| {
                if let Some(count) = released.get(usize::from(entry.primary)) {
                    count.fetch_sub(1, Ordering::AcqRel);
                }
            })
            .build();
        Some(Self {
            config: config.clone(),
            generations: Arc::new(Generations::new(index.len())),
            index,
            policies,
            entries,
            held,
        })
    }

    pub fn generations(&self) -> &Arc<Generations> {
        &self.generations
    }

    pub fn index(&self) -> &Arc<TableIndex> {
        &self.index
    }

    /// The name of the table an entry counts against.
    pub fn type_of(&self, entry: &Entry) -> &str {
        self.index.name(entry.primary)
    }

    /// The cached answer to `key`, if it is still current.
    pub fn get(&self, key: &Key) -> Option<Arc<Entry>> {
        let entry = self.entries.get(key)?;
        if self.generations.current(&entry.stamp) {
            Some(entry)
        } else {
            self.entries.invalidate(key);
            None
        }
    }

    /// Offers the body of a successful query's response, computed after `before`
    /// was taken and having read what `log` says; returns what became of it and
    /// the entry when it was kept.
    pub fn offer(
        &self,
        key: Key,
        before: &Snapshot,
        log: &ReadLog,
        body: Bytes,
    ) -> (Stored, Option<Arc<Entry>>) {
        let refused = |why| (Stored::Not(why), None);
        if !before.watching || !self.generations.watching() {
            return refused("not_watching");
        }
        if log.clock {
            return refused("clock");
        }
        if log.untracked {
            return refused("untracked");
        }
        let Some(&primary) = log.tables.first() else {
            return refused("no_tables");
        };
        if body.len() as u64 > self.config.max_entry_bytes {
            return refused("too_large");
        }
        let mut ttl = Duration::MAX;
        for table in &log.tables {
            let Some(policy) = self.policies.get(usize::from(*table)) else {
                return refused("untracked");
            };
            if !policy.enabled {
                return refused("policy");
            }
            ttl = ttl.min(policy.ttl);
        }
        if ttl.is_zero() {
            return refused("policy");
        }
        let limit = self.policies[usize::from(primary)].max_entries;
        let Some(held) = self.held.get(usize::from(primary)) else {
            return refused("untracked");
        };
        if held.fetch_add(1, Ordering::AcqRel) >= limit {
            held.fetch_sub(1, Ordering::AcqRel);
            return refused("full");
        }
        let entry = Arc::new(Entry {
            etag: etag(&body),
            body,
            primary,
            stamp: before.stamp(&log.tables),
            expires: Instant::now() + ttl,
            ttl,
        });
        self.entries.insert(Arc::new(key), entry.clone());
        (Stored::Kept(ttl), Some(entry))
    }

    /// Entries held (some may be stale and not yet dropped).
    pub fn len(&self) -> u64 {
        self.entries.entry_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A strong validator of a body: equal bodies, equal tags, on every replica.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(config: serde_json::Value) -> ResponseCache {
        let config: CacheConfig = serde_json::from_value(config).unwrap();
        let index = Arc::new(TableIndex::new([
            ("services".to_owned(), true),
            ("providers".to_owned(), true),
        ]));
        let cache = ResponseCache::new(&config, index).unwrap();
        cache.generations().set_watching(true);
        cache
    }

    fn key(role: Role, query: &str) -> Key {
        Key::of(role, &async_graphql::Request::new(query)).unwrap()
    }

    fn read(tables: &[u16]) -> ReadLog {
        ReadLog {
            statements: 1,
            tables: tables.to_vec(),
            ..ReadLog::default()
        }
    }

    #[test]
    fn an_answer_is_served_to_its_role_until_a_table_it_read_changes() {
        let cache = cache(serde_json::json!({"enabled": true}));
        let before = cache.generations().snapshot();
        let body = Bytes::from_static(b"{\"data\":{}}");
        let (stored, _) = cache.offer(key(Role::Anonymous, "{a}"), &before, &read(&[0, 1]), body);
        assert_eq!(stored, Stored::Kept(Duration::from_secs(60)));
        assert!(cache.get(&key(Role::Anonymous, "{a}")).is_some());
        assert!(cache.get(&key(Role::Reader, "{a}")).is_none());
        cache.generations().bump(1);
        assert!(cache.get(&key(Role::Anonymous, "{a}")).is_none());
    }

    #[test]
    fn admins_and_exporters_are_never_cached() {
        let request = async_graphql::Request::new("{a}");
        assert!(Key::of(Role::Admin, &request).is_none());
        assert!(Key::of(Role::Exporter, &request).is_none());
    }

    #[test]
    fn policy_clock_writes_and_a_full_table_refuse_an_answer() {
        let cache = cache(serde_json::json!({
            "enabled": true, "types": {"providers": {"enabled": false}, "services": {"max_entries": 1}}
        }));
        let before = cache.generations().snapshot();
        let body = || Bytes::from_static(b"{}");
        let offer = |query: &str, log: &ReadLog| {
            cache
                .offer(key(Role::Anonymous, query), &before, log, body())
                .0
        };
        assert_eq!(offer("{p}", &read(&[0, 1])), Stored::Not("policy"));
        let clock = ReadLog {
            clock: true,
            ..read(&[0])
        };
        assert_eq!(offer("{c}", &clock), Stored::Not("clock"));
        let wrote = ReadLog {
            untracked: true,
            ..read(&[0])
        };
        assert_eq!(offer("{w}", &wrote), Stored::Not("untracked"));
        assert!(matches!(offer("{one}", &read(&[0])), Stored::Kept(_)));
        assert_eq!(offer("{two}", &read(&[0])), Stored::Not("full"));
    }

    #[test]
    fn nothing_is_kept_while_changes_are_not_watched() {
        let cache = cache(serde_json::json!({"enabled": true}));
        cache.generations().set_watching(false);
        let before = cache.generations().snapshot();
        let (stored, _) = cache.offer(
            key(Role::Anonymous, "{a}"),
            &before,
            &read(&[0]),
            Bytes::from_static(b"{}"),
        );
        assert_eq!(stored, Stored::Not("not_watching"));
    }
}
