//! Which object store to use, from `SIGNPOST_OBJECTSTORE` (JSON) or the config
//! file's `[objectstore]` table; wrappers nest other configurations:
//!
//! ```json
//! {"type": "caching", "main": {"type": "s3", "bucket": "signpost", "endpoint_url": "http://127.0.0.1:9000"},
//!  "default_policy": {"max_cache_size": 268435456, "cull_to_size": 201326592, "timeout_ms": 60000}}
//! ```
//!
//! Default: `filesystem` under `<data dir>/objects`.
//!
//! The Data Store Service's documents (`{"Type": "DynamoDB", …}`) are accepted
//! too, translated by [`super::documented`].

use super::caching::CachingStore;
use super::filesystem::FilesystemStore;
use super::memory::MemoryStore;
use super::migrating::MigratingStore;
#[cfg(feature = "s3")]
use super::s3::{S3Settings, S3Store};
use super::sql::SqlStore;
use super::{ObjectStore, Store, StoreError};
use sea_orm::DatabaseConnection;
use secrecy::SecretString;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

/// A store being opened (boxed: wrappers open their inner stores recursively).
pub type Opening<'a> = Pin<Box<dyn Future<Output = Result<Store, StoreError>> + Send + 'a>>;

/// One store, or a wrapper around others.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum StoreConfig {
    /// In this process's memory (tests; nothing survives a restart).
    Memory {},
    /// Files under `base_location`, which must exist and be writable.
    Filesystem { base_location: PathBuf },
    /// An S3 bucket, or a bucket on an S3-compatible server (`endpoint_url`).
    S3 {
        bucket: String,
        region: Option<String>,
        endpoint_url: Option<String>,
        /// Default: true when `endpoint_url` is set (local servers), else false.
        force_path_style: Option<bool>,
        /// Without these the AWS default chain is used (environment, profile, role).
        access_key_id: Option<String>,
        #[serde(serialize_with = "hidden")]
        secret_access_key: Option<SecretString>,
        /// Multipart part size in MiB (at least 5; default 8).
        part_size_mb: Option<usize>,
        /// Longest wait in seconds for one attempt of an S3 call, or for the next
        /// bytes of an object being read; a call fails after three attempts
        /// (default 60).
        timeout_secs: Option<u64>,
        /// Create the bucket at start when it is missing (local trials; default false).
        #[serde(default)]
        create_bucket: bool,
    },
    /// Tables of a SQL database: Signpost's own `objects` and `object_chunks` when
    /// no `connection_string` is given, else `<table_prefix>objects` and
    /// `<table_prefix>object_chunks` in that database (PostgreSQL, SQLite or
    /// MySQL/MariaDB; SQLAlchemy URLs such as `mysql+pymysql://…` and
    /// `sqlite:///file.db` are understood), created when missing.
    Sql {
        #[serde(default, serialize_with = "hidden_password")]
        connection_string: Option<SecretString>,
        #[serde(default)]
        table_prefix: Option<String>,
    },
    /// DynamoDB tables: one (`<table_prefix>objects`) in `single_table` mode, else
    /// one per first key segment (`<table_prefix>objects_imports`, …). Objects over
    /// an item's 400 KB are stored as chunk items behind one manifest item.
    Dynamodb {
        region: Option<String>,
        /// A DynamoDB-compatible server (DynamoDB Local, moto), else AWS's own.
        endpoint_url: Option<String>,
        /// Without these the AWS default chain is used (environment, profile, role).
        access_key_id: Option<String>,
        #[serde(serialize_with = "hidden")]
        secret_access_key: Option<SecretString>,
        /// One table for every key (default), or a table per first key segment.
        #[serde(default = "yes")]
        single_table: bool,
        #[serde(default)]
        table_prefix: Option<String>,
        /// Create missing tables at start (default true).
        #[serde(default = "yes")]
        create_tables: bool,
        /// Longest wait in seconds for one attempt of a DynamoDB call (default 30).
        timeout_secs: Option<u64>,
    },
    /// Reads from `from`; writes and deletes go to both.
    Migrating {
        from: Box<StoreConfig>,
        to: Box<StoreConfig>,
    },
    /// `main` with a per-process `cache` (default memory) in front.
    Caching {
        main: Box<StoreConfig>,
        cache: Option<Box<StoreConfig>>,
        #[serde(default)]
        default_policy: CachePolicy,
        /// Policies for keys under a prefix, e.g. `{"imports/": {"cache": false}}`.
        #[serde(default)]
        table_policy_override: BTreeMap<String, CachePolicy>,
    },
}

fn yes() -> bool {
    true
}

/// A secret, shown as `***` when the configuration is printed.
fn hidden<S: Serializer>(secret: &Option<SecretString>, out: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => out.serialize_str("***"),
        None => out.serialize_none(),
    }
}

/// A connection string with its password shown as `***`.
fn hidden_password<S: Serializer>(url: &Option<SecretString>, out: S) -> Result<S::Ok, S::Error> {
    use secrecy::ExposeSecret;
    match url {
        Some(url) => out.serialize_str(&super::sql_url::without_password(url.expose_secret())),
        None => out.serialize_none(),
    }
}

/// A table prefix goes into SQL and DynamoDB table names unquoted.
fn plain_prefix(prefix: &Option<String>, field: &str) -> Result<(), String> {
    match prefix {
        Some(prefix) if !super::sql_url::is_plain_name(prefix) => {
            Err(format!("{field}: up to 40 letters, digits and `_`"))
        }
        _ => Ok(()),
    }
}

/// How the `caching` wrapper treats keys.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CachePolicy {
    /// Whether to cache at all.
    pub cache: bool,
    /// Bytes the cache may hold before it is culled; also the largest object cached.
    pub max_cache_size: u64,
    /// Bytes the cache is culled down to, oldest first.
    pub cull_to_size: u64,
    /// How long an entry is served before `main` is read again.
    pub timeout_ms: u64,
    /// Objects the cache may hold before it is culled (the documented
    /// `maxCacheSize`); no limit by count when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_cache_objects: Option<u64>,
    /// Objects the cache is culled down to (the documented `cullToSize`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cull_to_objects: Option<u64>,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            cache: true,
            max_cache_size: 256 * 1024 * 1024,
            cull_to_size: 192 * 1024 * 1024,
            timeout_ms: 60_000,
            max_cache_objects: None,
            cull_to_objects: None,
        }
    }
}

impl StoreConfig {
    /// The store configured by `value` (JSON), or an error naming the key at fault
    /// and what was expected.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        let translated;
        let value = if super::documented::is_documented(value) {
            translated = super::documented::translate(value)?;
            &translated
        } else {
            value
        };
        let config = Self::parse_at(value, "")?;
        config.validate("")?;
        Ok(config)
    }

    /// Parses the nested configurations first, so that an error names the innermost
    /// one at fault (`to.`, `main.from.`): serde cannot track paths through the
    /// `type`-tagged enum itself.
    fn parse_at(value: &serde_json::Value, at: &str) -> Result<Self, String> {
        let wrapper = matches!(
            value.get("type").and_then(serde_json::Value::as_str),
            Some("migrating" | "caching")
        );
        if wrapper {
            for field in ["from", "to", "main", "cache"] {
                if let Some(inner) = value.get(field).filter(|inner| !inner.is_null()) {
                    Self::parse_at(inner, &format!("{at}{field}."))?;
                }
            }
        }
        serde_path_to_error::deserialize(value).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner().to_string();
            let at = at.trim_end_matches('.');
            match (at.is_empty(), path == "." || path.is_empty()) {
                (true, true) => inner,
                (true, false) => format!("{path}: {inner}"),
                (false, true) => format!("{at}: {inner}"),
                (false, false) => format!("{at}.{path}: {inner}"),
            }
        })
    }

    fn validate(&self, at: &str) -> Result<(), String> {
        let field = |name: &str| format!("{at}{name}");
        match self {
            Self::S3 {
                bucket,
                part_size_mb,
                timeout_secs,
                access_key_id,
                secret_access_key,
                ..
            } => {
                if bucket.trim().is_empty() {
                    return Err(format!("{}: must not be empty", field("bucket")));
                }
                if timeout_secs == &Some(0) {
                    return Err(format!("{}: must be at least 1", field("timeout_secs")));
                }
                if part_size_mb.is_some_and(|size| size < 5) {
                    return Err(format!(
                        "{}: S3 parts are at least 5 MiB",
                        field("part_size_mb")
                    ));
                }
                if access_key_id.is_some() != secret_access_key.is_some() {
                    return Err(format!(
                        "{}: give access_key_id and secret_access_key together",
                        field("access_key_id")
                    ));
                }
                Ok(())
            }
            Self::Dynamodb {
                access_key_id,
                secret_access_key,
                timeout_secs,
                table_prefix,
                ..
            } => {
                if access_key_id.is_some() != secret_access_key.is_some() {
                    return Err(format!(
                        "{}: give access_key_id and secret_access_key together",
                        field("access_key_id")
                    ));
                }
                if timeout_secs == &Some(0) {
                    return Err(format!("{}: must be at least 1", field("timeout_secs")));
                }
                plain_prefix(table_prefix, &field("table_prefix"))
            }
            Self::Migrating { from, to } => {
                from.validate(&field("from."))?;
                to.validate(&field("to."))
            }
            Self::Caching {
                main,
                cache,
                default_policy,
                table_policy_override,
            } => {
                main.validate(&field("main."))?;
                if let Some(cache) = cache {
                    cache.validate(&field("cache."))?;
                }
                let policies = std::iter::once(("default_policy".to_owned(), default_policy))
                    .chain(table_policy_override.iter().map(|(prefix, policy)| {
                        (format!("table_policy_override.{prefix}"), policy)
                    }));
                for (name, policy) in policies {
                    if policy.cull_to_size > policy.max_cache_size {
                        return Err(format!(
                            "{}: cull_to_size must not exceed max_cache_size",
                            field(&name)
                        ));
                    }
                    match (policy.max_cache_objects, policy.cull_to_objects) {
                        (Some(max), Some(cull)) if cull > max => {
                            return Err(format!(
                                "{}: cull_to_objects must not exceed max_cache_objects",
                                field(&name)
                            ));
                        }
                        (None, Some(_)) => {
                            return Err(format!(
                                "{}: cull_to_objects needs max_cache_objects",
                                field(&name)
                            ));
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
            Self::Sql {
                table_prefix,
                connection_string,
            } => {
                if let Some(url) = connection_string {
                    use secrecy::ExposeSecret;
                    super::sql_url::normalise(url.expose_secret())
                        .map_err(|error| format!("{}: {error}", field("connection_string")))?;
                }
                plain_prefix(table_prefix, &field("table_prefix"))
            }
            Self::Memory {} | Self::Filesystem { .. } => Ok(()),
        }
    }

    /// The default: files under `<data_dir>/objects`, created if missing.
    pub fn default_for(data_dir: &Path) -> Self {
        Self::Filesystem {
            base_location: data_dir.join("objects"),
        }
    }

    /// Opens the configured store: checks a filesystem base, builds S3 clients.
    /// `default_dir` is created when it is the (unconfigured) default.
    pub fn open<'a>(
        &'a self,
        db: &'a DatabaseConnection,
        default_dir: Option<&'a Path>,
    ) -> Opening<'a> {
        Box::pin(async move {
            let store: Arc<dyn ObjectStore> = match self {
                Self::Memory {} => Arc::new(MemoryStore::new()),
                Self::Filesystem { base_location } => {
                    let create = default_dir == Some(base_location.as_path());
                    Arc::new(FilesystemStore::open(base_location, create).await?)
                }
                Self::S3 { .. } => open_s3(self).await?,
                Self::Sql {
                    connection_string,
                    table_prefix,
                } => Arc::new(
                    SqlStore::open(db, connection_string.as_ref(), table_prefix.as_deref()).await?,
                ),
                Self::Dynamodb { .. } => open_dynamodb(self).await?,
                Self::Migrating { from, to } => Arc::new(MigratingStore {
                    from: from.open(db, default_dir).await?,
                    to: to.open(db, default_dir).await?,
                }),
                Self::Caching {
                    main,
                    cache,
                    default_policy,
                    table_policy_override,
                } => {
                    let cache = match cache {
                        Some(cache) => cache.open(db, default_dir).await?,
                        None => Arc::new(MemoryStore::new()),
                    };
                    Arc::new(
                        CachingStore::new(
                            main.open(db, default_dir).await?,
                            cache,
                            default_policy.clone(),
                            table_policy_override.clone(),
                        )
                        .await?,
                    )
                }
            };
            Ok(store)
        })
    }
}

/// An S3 store from its configuration (clients built, no request made unless the
/// bucket is to be created).
#[cfg(feature = "s3")]
async fn open_s3(config: &StoreConfig) -> Result<Arc<dyn ObjectStore>, StoreError> {
    use secrecy::ExposeSecret;
    let StoreConfig::S3 {
        bucket,
        region,
        endpoint_url,
        force_path_style,
        access_key_id,
        secret_access_key,
        part_size_mb,
        timeout_secs,
        create_bucket,
    } = config
    else {
        return Err(StoreError::Backend("not an S3 configuration".into()));
    };
    let settings = S3Settings {
        bucket: bucket.clone(),
        region: region.clone(),
        endpoint_url: endpoint_url.clone(),
        force_path_style: force_path_style.unwrap_or(endpoint_url.is_some()),
        access_key_id: access_key_id.clone(),
        secret_access_key: secret_access_key
            .as_ref()
            .map(|secret| secret.expose_secret().to_owned()),
        part_size: part_size_mb.unwrap_or(8) * 1024 * 1024,
        timeout: std::time::Duration::from_secs(timeout_secs.unwrap_or(60)),
        ..S3Settings::default()
    };
    let store = S3Store::new(&settings).await;
    if *create_bucket {
        store.create_bucket().await?;
    }
    Ok(Arc::new(store))
}

/// A DynamoDB store from its configuration (clients built, no request made).
#[cfg(feature = "dynamodb")]
async fn open_dynamodb(config: &StoreConfig) -> Result<Arc<dyn ObjectStore>, StoreError> {
    use super::dynamodb::{DynamoDbStore, DynamoSettings};
    use secrecy::ExposeSecret;
    let StoreConfig::Dynamodb {
        region,
        endpoint_url,
        access_key_id,
        secret_access_key,
        single_table,
        table_prefix,
        create_tables,
        timeout_secs,
    } = config
    else {
        return Err(StoreError::Backend("not a DynamoDB configuration".into()));
    };
    let settings = DynamoSettings {
        region: region.clone(),
        endpoint_url: endpoint_url.clone(),
        access_key_id: access_key_id.clone(),
        secret_access_key: secret_access_key
            .as_ref()
            .map(|secret| secret.expose_secret().to_owned()),
        single_table: *single_table,
        table_prefix: table_prefix.clone().unwrap_or_default(),
        create_tables: *create_tables,
        timeout: std::time::Duration::from_secs(timeout_secs.unwrap_or(30)),
    };
    Ok(Arc::new(DynamoDbStore::new(&settings).await))
}

/// This build has no DynamoDB client (the `dynamodb` feature is off).
#[cfg(not(feature = "dynamodb"))]
async fn open_dynamodb(_: &StoreConfig) -> Result<Arc<dyn ObjectStore>, StoreError> {
    Err(StoreError::Backend(
        "this build of Signpost has no DynamoDB support: build it with `--features dynamodb` \
         (the Docker image has it)"
            .into(),
    ))
}

/// This build has no S3 client (the `s3` feature is off).
#[cfg(not(feature = "s3"))]
async fn open_s3(_: &StoreConfig) -> Result<Arc<dyn ObjectStore>, StoreError> {
    Err(StoreError::Backend(
        "this build of Signpost has no S3 support: build it with `--features s3` \
         (the Docker image has it)"
            .into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::StoreConfig;
    use serde_json::json;

    fn error(value: serde_json::Value) -> String {
        StoreConfig::from_json(&value).err().unwrap_or_default()
    }

    #[test]
    fn bad_configurations_name_the_key_and_the_expected_values() {
        let missing = error(json!({"bucket": "b"}));
        assert!(missing.contains("type"), "{missing}");
        let unknown = error(json!({"type": "s4"}));
        assert!(
            unknown.contains("s4") && unknown.contains("filesystem") && unknown.contains("caching"),
            "{unknown}"
        );
        let nested =
            error(json!({"type": "migrating", "from": {"type": "memory"}, "to": {"type": "s3"}}));
        assert!(
            nested.contains("to") && nested.contains("bucket"),
            "{nested}"
        );
        let typo =
            error(json!({"type": "filesystem", "base_location": "/x", "base_locaton": "/y"}));
        assert!(typo.contains("base_locaton"), "{typo}");
        let policy = error(json!({"type": "caching", "main": {"type": "memory"},
            "default_policy": {"max_cache_size": 10, "cull_to_size": 20}}));
        assert!(
            policy.contains("default_policy") && policy.contains("cull_to_size"),
            "{policy}"
        );
        let part = error(json!({"type": "s3", "bucket": "b", "part_size_mb": 1}));
        assert!(part.contains("part_size_mb"), "{part}");
    }

    #[test]
    fn good_configurations_parse() {
        let config = StoreConfig::from_json(&json!({
            "type": "caching",
            "main": {"type": "migrating", "from": {"type": "sql"}, "to": {"type": "s3", "bucket": "b", "endpoint_url": "http://127.0.0.1:9000"}},
            "table_policy_override": {"imports/": {"cache": false}}
        }));
        assert!(config.is_ok(), "{config:?}");
    }
}
