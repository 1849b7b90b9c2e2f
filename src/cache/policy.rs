//! What the operator chose to cache: one default policy and overrides per table.
//!
//! A response depends on every table its statements read, so its policy is the
//! combination of theirs: cached only if every one of them allows it, for the
//! shortest of their TTLs. An override for `providers` therefore also shortens the
//! life of a page of services that shows each service's provider.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// `SIGNPOST_CACHE` (JSON) or `[cache]` in the config file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Whether responses are cached at all. Default false.
    pub enabled: bool,
    /// Seconds an entry lives when no notification removes it first. Default 60.
    pub ttl_secs: u64,
    /// Entries one table's responses may hold (a response counts against the first
    /// table it read). Default 10000.
    pub max_entries: u64,
    /// Bytes of response bodies held in all. Default 67108864 (64 MiB).
    pub max_bytes: u64,
    /// Larger responses are never cached. Default 1048576 (1 MiB).
    pub max_entry_bytes: u64,
    /// Overrides by table name (`services`, `providers`, `postcodes`, …).
    pub types: BTreeMap<String, TypePolicy>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            ttl_secs: 60,
            max_entries: 10_000,
            max_bytes: 64 * 1024 * 1024,
            max_entry_bytes: 1024 * 1024,
            types: BTreeMap::new(),
        }
    }
}

/// One table's policy; what is left out is the default's.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TypePolicy {
    pub enabled: Option<bool>,
    pub ttl_secs: Option<u64>,
    pub max_entries: Option<u64>,
}

/// The policy one table resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub enabled: bool,
    pub ttl: Duration,
    pub max_entries: u64,
}

impl CacheConfig {
    /// The policy of `table`: its override over the default.
    pub fn policy(&self, table: &str) -> Resolved {
        let own = self.types.get(table).cloned().unwrap_or_default();
        Resolved {
            enabled: own.enabled.unwrap_or(true),
            ttl: Duration::from_secs(own.ttl_secs.unwrap_or(self.ttl_secs)),
            max_entries: own.max_entries.unwrap_or(self.max_entries),
        }
    }

    /// Overrides naming no table of the database, for a start-up error.
    pub fn unknown_types<'a>(&'a self, tables: &'a [String]) -> Vec<&'a str> {
        self.types
            .keys()
            .filter(|name| !tables.iter().any(|table| table == *name))
            .map(String::as_str)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_keeps_the_default_for_what_it_leaves_out() {
        let config: CacheConfig = serde_json::from_value(serde_json::json!({
            "enabled": true, "ttl_secs": 30,
            "types": {"providers": {"ttl_secs": 5}, "postcodes": {"enabled": false}}
        }))
        .unwrap();
        assert_eq!(config.policy("providers").ttl, Duration::from_secs(5));
        assert!(config.policy("providers").enabled);
        assert_eq!(config.policy("services").ttl, Duration::from_secs(30));
        assert!(!config.policy("postcodes").enabled);
        assert_eq!(config.policy("services").max_entries, 10_000);
        let tables = vec!["services".to_owned(), "providers".to_owned()];
        assert_eq!(config.unknown_types(&tables), vec!["postcodes"]);
    }

    #[test]
    fn a_misspelt_setting_is_refused() {
        let refused = serde_json::from_value::<CacheConfig>(serde_json::json!({"ttl": 3}));
        assert!(refused.is_err());
    }
}
