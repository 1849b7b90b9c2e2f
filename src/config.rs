//! One typed configuration, read once at start.
//!
//! Layers, later wins: built-in defaults < the TOML file named by `--config` or
//! `SIGNPOST_CONFIG` < environment variables (`DATABASE_URL`, `SIGNPOST_<SETTING>`).
//! Every field below is a setting; the README's configuration table mirrors these
//! doc comments. Secrets are [`SecretString`], whose `Debug` prints `[REDACTED]`, so
//! a logged config never leaks a password.

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The database used when `DATABASE_URL` is not set: a SQLite file under the data dir.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./signpost-data/signpost.db?mode=rwc";

/// Environment variables read as settings, besides `DATABASE_URL`: `SIGNPOST_` + the
/// upper-cased field name. Listed so that an unrelated `SIGNPOST_*` variable is not
/// mistaken for a typo in the config file.
const ENV_SETTINGS: &[&str] = &[
    "bind",
    "data_dir",
    "log_format",
    "request_timeout_ms",
    "max_body_bytes",
    "db_max_connections",
    "db_connect_timeout_secs",
    "shutdown_grace_secs",
    "default_page_size",
    "max_page_size",
    "max_radius_km",
    "read_projection",
    "cache",
    "max_depth",
    "max_complexity",
    "max_aliases",
    "max_filter_depth",
    "max_query_bytes",
    "db_acquire_timeout_ms",
    "execution_timeout_ms",
    "db_statement_timeout_ms",
    "cors_origins",
    "graphiql",
    "hsds_base",
    "jwt_secret",
    "jwt_jwks",
    "jwt_issuer",
    "jwt_audience",
    "jwt_leeway_secs",
    "jwt_role_claim",
    "jwt_jwks_refetch_secs",
    "introspection_role",
    "graphiql_role",
    "admin_console",
    "oidc_issuer",
    "oidc_client_id",
    "oidc_scopes",
    "oidc_connect_origins",
    "hawk_clients",
    "hawk_skew_secs",
    "public_url",
    "objectstore",
    "import_max_errors",
    "import_max_field_bytes",
    "import_max_file_bytes",
    "import_max_delete_share",
    "export_safety_lag_ms",
    "export_table_page_size",
    "notify_poll_ms",
];

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines (the default).
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Signpost's settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://PATH?mode=rwc` or `postgres://USER@HOST:PORT/DB`.
    /// Default: [`DEFAULT_DATABASE_URL`].
    pub database_url: Option<SecretString>,
    /// `SIGNPOST_BIND`: address and port to listen on. Default `127.0.0.1:8080`.
    pub bind: SocketAddr,
    /// `SIGNPOST_DATA_DIR`: where the default SQLite database and files live.
    /// Default `./signpost-data`.
    pub data_dir: PathBuf,
    /// `SIGNPOST_LOG_FORMAT`: `text` or `json`. Filter with `RUST_LOG` (default `info`).
    pub log_format: LogFormat,
    /// `SIGNPOST_REQUEST_TIMEOUT_MS`: a request still running after this is answered
    /// 408 and dropped. Default 30000.
    pub request_timeout_ms: u64,
    /// `SIGNPOST_MAX_BODY_BYTES`: larger request bodies are refused with 413.
    /// Default 10485760 (10 MiB).
    pub max_body_bytes: usize,
    /// `SIGNPOST_DB_MAX_CONNECTIONS`: database pool size. Default 10.
    pub db_max_connections: u32,
    /// `SIGNPOST_DB_CONNECT_TIMEOUT_SECS`: how long to keep retrying (with backoff) an
    /// unreachable database at start before giving up. Default 30.
    pub db_connect_timeout_secs: u64,
    /// `SIGNPOST_SHUTDOWN_GRACE_SECS`: on SIGINT/SIGTERM, how long in-flight requests
    /// get to finish, and then background jobs (imports, ingest runs); jobs still
    /// running after it are stopped and end failed. Default 30.
    pub shutdown_grace_secs: u64,
    /// `SIGNPOST_DEFAULT_PAGE_SIZE`: rows a connection returns when neither `first`
    /// nor `last` is given. Default 20.
    pub default_page_size: u64,
    /// `SIGNPOST_MAX_PAGE_SIZE`: the largest `first`/`last` accepted (and `ids` of
    /// `nodes`). Default 100.
    pub max_page_size: u64,
    /// `SIGNPOST_MAX_RADIUS_KM`: the largest `near.radiusKm` accepted. Default 100.
    pub max_radius_km: f64,
    /// `SIGNPOST_READ_PROJECTION`: read only the columns a query selects (the others
    /// come back as NULL and are never shown). `false` reads whole rows: slower, and
    /// only there to compare against. Default true.
    pub read_projection: bool,
    /// `SIGNPOST_CACHE`: the shared response cache for anonymous and reader queries,
    /// as JSON (or a `[cache]` table in the file), e.g.
    /// `{"enabled":true,"ttl_secs":60,"types":{"providers":{"ttl_secs":10}}}`:
    /// `enabled`, `ttl_secs`, `max_entries` (per table), `max_bytes`,
    /// `max_entry_bytes`, and `types` overriding `enabled`, `ttl_secs` and
    /// `max_entries` by table name (see [`crate::cache::policy`]). Default: off.
    #[serde(deserialize_with = "cache_setting")]
    pub cache: crate::cache::CacheConfig,
    /// `SIGNPOST_MAX_DEPTH`: the deepest nesting of fields a query may have. Default 15.
    pub max_depth: usize,
    /// `SIGNPOST_MAX_COMPLEXITY`: the highest complexity a query may have: each field
    /// costs 1 plus its children, and a list multiplies its children by the page it
    /// asks for. Default 50000 (100 services with 20 venues, terms and contacts each).
    pub max_complexity: usize,
    /// `SIGNPOST_MAX_ALIASES`: the most aliased fields a query may have. Default 50.
    pub max_aliases: usize,
    /// `SIGNPOST_MAX_FILTER_DEPTH`: the deepest nesting of input objects in an
    /// argument or variable — a filter's `and`/`or`/`not` each add a level. Default 12.
    pub max_filter_depth: usize,
    /// `SIGNPOST_MAX_QUERY_BYTES`: the longest GraphQL document accepted, refused
    /// before it is parsed. Default 100000.
    pub max_query_bytes: usize,
    /// `SIGNPOST_DB_ACQUIRE_TIMEOUT_MS`: how long a request waits for a database
    /// connection before it is answered 503 `DATABASE_UNAVAILABLE`. Default 3000.
    pub db_acquire_timeout_ms: u64,
    /// `SIGNPOST_EXECUTION_TIMEOUT_MS`: a GraphQL operation still running after this
    /// is stopped with `LIMIT_EXCEEDED`. Default 10000.
    pub execution_timeout_ms: u64,
    /// `SIGNPOST_DB_STATEMENT_TIMEOUT_MS`: PostgreSQL's `statement_timeout` for the
    /// server's connections (0: none). SQLite has no equivalent. Default 15000.
    pub db_statement_timeout_ms: u64,
    /// `SIGNPOST_CORS_ORIGINS`: which web origins may call the API from a browser,
    /// comma-separated. `*` lets any origin read without credentials (directory
    /// front ends live on other sites); origins listed by name may also send
    /// credentials (cookies, `Authorization`). Empty: no CORS headers. Default `*`.
    pub cors_origins: String,
    /// `SIGNPOST_GRAPHIQL`: serve the GraphiQL explorer at `/graphiql`. Default true.
    pub graphiql: bool,
    /// `SIGNPOST_HSDS_BASE`: where the HSDS 3.0 / Open Referral UK REST API is
    /// served, a path such as `/hsds` (the default) or `/api/v1`; empty: not served.
    pub hsds_base: String,
    /// `SIGNPOST_JWT_SECRET`: the shared secret of HS256 bearer tokens. Set this or
    /// `jwt_jwks`, not both; with neither, bearer tokens are refused.
    pub jwt_secret: Option<SecretString>,
    /// `SIGNPOST_JWT_JWKS`: the identity provider's public keys (RS256/ES256), as a
    /// JWKS file path or an `https://` URL. Fetched at start and again, at most once
    /// a minute, when a token names an unknown `kid`.
    pub jwt_jwks: Option<String>,
    /// `SIGNPOST_JWT_ISSUER`: the `iss` tokens must carry, when set.
    pub jwt_issuer: Option<String>,
    /// `SIGNPOST_JWT_AUDIENCE`: the `aud` tokens must carry, when set.
    pub jwt_audience: Option<String>,
    /// `SIGNPOST_JWT_LEEWAY_SECS`: clock skew allowed on `exp` and `nbf`. Default 30.
    pub jwt_leeway_secs: u64,
    /// `SIGNPOST_JWT_ROLE_CLAIM`: the claim naming roles (`reader`, `exporter`,
    /// `admin`): an array, or a space-separated string like `scope`. Default `roles`.
    pub jwt_role_claim: String,
    /// `SIGNPOST_JWT_JWKS_REFETCH_SECS`: the least time between two fetches of a JWKS
    /// URL for an unknown `kid`. Default 60.
    pub jwt_jwks_refetch_secs: u64,
    /// `SIGNPOST_INTROSPECTION_ROLE`: the least role allowed to introspect the schema
    /// (`anonymous`, `reader`, `exporter`, `admin`). Default `anonymous`.
    pub introspection_role: crate::read::viewer::Role,
    /// `SIGNPOST_GRAPHIQL_ROLE`: the least role allowed to open `/graphiql` (a role
    /// above `anonymous` needs a proxy that adds the caller's credentials to the page
    /// request). Default `anonymous`.
    pub graphiql_role: crate::read::viewer::Role,
    /// `SIGNPOST_ADMIN_CONSOLE`: serve the admin console at `/admin`. Default true.
    pub admin_console: bool,
    /// `SIGNPOST_OIDC_ISSUER`: the OpenID Connect issuer the admin console signs in
    /// through (its discovery document is `<issuer>/.well-known/openid-configuration`);
    /// `https://`, or `http://` on a loopback address. Unset: the console cannot sign
    /// in. Set `jwt_jwks` (and `jwt_issuer`) to the same provider so its access
    /// tokens verify.
    pub oidc_issuer: Option<String>,
    /// `SIGNPOST_OIDC_CLIENT_ID`: the console's client id at the issuer: a public
    /// client (no secret) allowed the authorization code flow with PKCE and the
    /// redirect URI `<public URL>/admin/callback`.
    pub oidc_client_id: Option<String>,
    /// `SIGNPOST_OIDC_SCOPES`: the scopes the console asks for, space-separated.
    /// `offline_access` asks for a refresh token, which renews the session without
    /// leaving the page. Default `openid profile offline_access`.
    pub oidc_scopes: String,
    /// `SIGNPOST_OIDC_CONNECT_ORIGINS`: other origins the console calls for the
    /// provider, comma-separated, when its token endpoint is not on the issuer's
    /// origin (Google's is `https://oauth2.googleapis.com`). The page's
    /// Content-Security-Policy allows these and the issuer's, no others. Default empty.
    pub oidc_connect_origins: String,
    /// `SIGNPOST_HAWK_CLIENTS`: machine clients signing with HAWK (sha256), as JSON
    /// `{"<id>": {"key": "<secret>", "scopes": ["read" | "export" | "admin" | "*"]}}`
    /// or a `[hawk_clients.<id>]` table in the config file. Keys never print.
    #[serde(deserialize_with = "hawk_clients_setting")]
    pub hawk_clients: std::collections::HashMap<String, crate::auth::hawk::HawkClientSetting>,
    /// `SIGNPOST_HAWK_SKEW_SECS`: how far a HAWK timestamp may be from our clock (and
    /// how long nonces are remembered). Default 60.
    pub hawk_skew_secs: u64,
    /// `SIGNPOST_PUBLIC_URL`: scheme, host and port clients use to reach the server
    /// (behind a proxy, the proxy's); HAWK signatures are checked against its host and
    /// port. Default: the bind address.
    pub public_url: Option<String>,
    /// `SIGNPOST_OBJECTSTORE`: where raw files live, as JSON (or an `[objectstore]`
    /// table in the file), e.g. `{"type":"s3","bucket":"signpost"}`; types `memory`,
    /// `filesystem`, `s3`, `sql`, `migrating`, `caching` (see `store::config`).
    /// Default: `filesystem` under `<data_dir>/objects`.
    #[serde(deserialize_with = "objectstore_setting")]
    pub objectstore: Option<serde_json::Value>,
    /// `SIGNPOST_IMPORT_MAX_ERRORS`: errors an import lists (more are counted). Default 1000.
    pub import_max_errors: usize,
    /// `SIGNPOST_IMPORT_MAX_FIELD_BYTES`: the longest CSV field accepted. Default 65536.
    pub import_max_field_bytes: usize,
    /// `SIGNPOST_IMPORT_MAX_FILE_BYTES`: the largest import file. Default 2 GiB.
    pub import_max_file_bytes: u64,
    /// `SIGNPOST_IMPORT_MAX_DELETE_SHARE`: share of a type's live records a REPLACE
    /// import may delete without `force`. Default 0.5.
    pub import_max_delete_share: f64,
    /// `SIGNPOST_EXPORT_SAFETY_LAG_MS`: how far an export's watermark is held back
    /// behind the oldest open transaction (or now), for writers that stamp rows a
    /// little before their transaction begins. Default 5000.
    pub export_safety_lag_ms: u64,
    /// `SIGNPOST_EXPORT_TABLE_PAGE_SIZE`: rows per page of the `table-data`
    /// compatibility route. Default 1000.
    pub export_table_page_size: u64,
    /// `[[ingest.sources]]` in the config file only (see [`crate::ingest::config`]).
    pub ingest: crate::ingest::IngestConfig,
    /// `[dataflow]` in the config file only: the data-flow pipeline told of every
    /// completed change (see [`crate::notify::config`]). Default: none.
    pub dataflow: Option<crate::notify::DataflowConfig>,
    /// `[[webhooks]]` in the config file only: URLs told of changes. Default: none.
    pub webhooks: Vec<crate::notify::WebhookConfig>,
    /// `SIGNPOST_NOTIFY_POLL_MS`: how often an idle replica looks for
    /// notifications to send. Default 1000.
    pub notify_poll_ms: u64,
}

/// `objectstore` from a JSON string (the environment) or a table (the file).
fn objectstore_setting<'de, D>(deserializer: D) -> Result<Option<serde_json::Value>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(serde_json::Value::String(text)) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|error| serde::de::Error::custom(format!("not JSON: {error}"))),
        other => Ok(other),
    }
}

/// `cache` from a JSON string (the environment) or a table (the file); a misspelt
/// key is named in the error.
fn cache_setting<'de, D>(deserializer: D) -> Result<crate::cache::CacheConfig, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => serde_json::from_str(&text)
            .map_err(|error| serde::de::Error::custom(format!("not JSON: {error}")))?,
        other => other,
    };
    serde_json::from_value(value).map_err(serde::de::Error::custom)
}

/// `hawk_clients` from a JSON string (the environment) or a table (the file).
fn hawk_clients_setting<'de, D>(
    deserializer: D,
) -> Result<std::collections::HashMap<String, crate::auth::hawk::HawkClientSetting>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Setting {
        Json(String),
        Table(std::collections::HashMap<String, crate::auth::hawk::HawkClientSetting>),
    }
    match Setting::deserialize(deserializer)? {
        Setting::Table(table) => Ok(table),
        Setting::Json(text) => serde_json::from_str(&text).map_err(serde::de::Error::custom),
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./signpost-data"),
            log_format: LogFormat::Text,
            request_timeout_ms: 30_000,
            max_body_bytes: 10 * 1024 * 1024,
            db_max_connections: 10,
            db_connect_timeout_secs: 30,
            shutdown_grace_secs: 30,
            default_page_size: 20,
            max_page_size: 100,
            max_radius_km: 100.0,
            read_projection: true,
            cache: crate::cache::CacheConfig::default(),
            max_depth: 15,
            max_complexity: 50_000,
            max_aliases: 50,
            max_filter_depth: 12,
            max_query_bytes: 100_000,
            db_acquire_timeout_ms: 3_000,
            execution_timeout_ms: 10_000,
            db_statement_timeout_ms: 15_000,
            cors_origins: "*".into(),
            graphiql: true,
            hsds_base: "/hsds".into(),
            jwt_secret: None,
            jwt_jwks: None,
            jwt_issuer: None,
            jwt_audience: None,
            jwt_leeway_secs: 30,
            jwt_role_claim: "roles".into(),
            jwt_jwks_refetch_secs: 60,
            introspection_role: crate::read::viewer::Role::Anonymous,
            graphiql_role: crate::read::viewer::Role::Anonymous,
            admin_console: true,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_scopes: "openid profile offline_access".into(),
            oidc_connect_origins: String::new(),
            hawk_clients: std::collections::HashMap::new(),
            hawk_skew_secs: 60,
            public_url: None,
            objectstore: None,
            import_max_errors: 1000,
            import_max_field_bytes: 64 * 1024,
            import_max_file_bytes: 2 * 1024 * 1024 * 1024,
            import_max_delete_share: 0.5,
            export_safety_lag_ms: 5000,
            export_table_page_size: 1000,
            ingest: crate::ingest::IngestConfig::default(),
            dataflow: None,
            webhooks: Vec::new(),
            notify_poll_ms: 1000,
        }
    }
}

/// The shortest HS256 secret accepted (256 bits, as RFC 7518 §3.2 requires).
/// `https://`, or `http://` on this machine only: tokens cross these origins.
fn safe_origin(url: &url::Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// A setting that could not be read: names the setting, never its (maybe secret) value.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

impl Config {
    /// Reads the layers: defaults, then `file` if given, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        if let Some(path) = file
            && !path.is_file()
        {
            return Err(ConfigError {
                setting: "SIGNPOST_CONFIG".into(),
                message: format!("config file {} does not exist", path.display()),
            });
        }
        let mut figment = Figment::new();
        if let Some(path) = file {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment
            .merge(Env::raw().only(&["DATABASE_URL"]))
            // The Data Store Service's variable, for deployments moving over with
            // their store configuration as it is; SIGNPOST_OBJECTSTORE wins.
            .merge(
                Env::raw()
                    .only(&["APIAPP_OBJECTSTORECONFIG"])
                    .map(|_| "objectstore".into()),
            )
            .merge(Env::prefixed("SIGNPOST_").only(ENV_SETTINGS));
        Self::from_figment(figment)
    }

    /// Extracts and checks a config from any set of providers (tests build their own).
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(|error| {
            let setting = error
                .path
                .first()
                .map(|key| setting_name(key))
                .unwrap_or_else(|| "configuration".into());
            let source = error
                .metadata
                .as_ref()
                .map(|m| format!(" (from {})", m.name))
                .unwrap_or_default();
            ConfigError {
                setting,
                message: format!("{}{source}", error.kind),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        DatabaseKind::of(self.database_url())?;
        let positive = [
            ("request_timeout_ms", self.request_timeout_ms),
            ("max_body_bytes", self.max_body_bytes as u64),
            ("db_max_connections", u64::from(self.db_max_connections)),
            ("max_page_size", self.max_page_size),
            ("max_depth", self.max_depth as u64),
            ("max_complexity", self.max_complexity as u64),
            ("max_filter_depth", self.max_filter_depth as u64),
            ("max_query_bytes", self.max_query_bytes as u64),
            ("db_acquire_timeout_ms", self.db_acquire_timeout_ms),
            ("execution_timeout_ms", self.execution_timeout_ms),
            ("export_table_page_size", self.export_table_page_size),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(ConfigError {
                    setting: setting_name(key),
                    message: "must be greater than zero".into(),
                });
            }
        }
        if self.default_page_size > self.max_page_size {
            return Err(ConfigError {
                setting: setting_name("default_page_size"),
                message: format!("must not exceed max_page_size ({})", self.max_page_size),
            });
        }
        if !(self.max_radius_km > 0.0 && self.max_radius_km.is_finite()) {
            return Err(ConfigError {
                setting: setting_name("max_radius_km"),
                message: "must be a positive number".into(),
            });
        }
        let base = &self.hsds_base;
        if !base.is_empty()
            && (!base.starts_with('/')
                || base.ends_with('/')
                || base.contains(['?', '#', '{', '}', '*']))
        {
            return Err(ConfigError {
                setting: setting_name("hsds_base"),
                message: format!(
                    "{base:?} is not a path: it must start with / and not end with one (e.g. /hsds)"
                ),
            });
        }
        self.store_config()?;
        self.check_secrets()?;
        self.check_oidc()?;
        Ok(())
    }

    /// The extra origins the console may call for its provider.
    pub fn oidc_connect_origins(&self) -> impl Iterator<Item = &str> {
        self.oidc_connect_origins
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
    }

    /// The console hands its issuer's tokens to `/graphql`; a plain-HTTP issuer
    /// anywhere but this machine would let the network read and forge them.
    fn check_oidc(&self) -> Result<(), ConfigError> {
        let Some(issuer) = &self.oidc_issuer else {
            return Ok(());
        };
        let refuse = |setting: &str, message: String| ConfigError {
            setting: setting_name(setting),
            message,
        };
        let url = url::Url::parse(issuer)
            .map_err(|error| refuse("oidc_issuer", format!("{issuer:?} is not a URL: {error}")))?;
        if !safe_origin(&url) {
            return Err(refuse(
                "oidc_issuer",
                format!("{issuer:?} must be an https:// URL (http:// only on a loopback address)"),
            ));
        }
        for origin in self.oidc_connect_origins() {
            let parsed = url::Url::parse(origin)
                .ok()
                .filter(|url| safe_origin(url) && url.path() == "/" && url.query().is_none());
            if parsed.is_none() {
                return Err(refuse(
                    "oidc_connect_origins",
                    format!(
                        "{origin:?} is not an origin such as https://oauth2.example.org \
                         (https://, or http:// on a loopback address; no path)"
                    ),
                ));
            }
        }
        if self
            .oidc_client_id
            .as_deref()
            .is_none_or(|id| id.trim().is_empty())
        {
            return Err(refuse(
                "oidc_client_id",
                "must be set when oidc_issuer is: the console's client id at the issuer".into(),
            ));
        }
        Ok(())
    }

    /// Refuses secrets anyone could guess. An empty or short HS256 secret, or an
    /// empty HAWK key, lets anyone sign requests as an admin; RFC 7518 asks for an
    /// HS256 key of at least 256 bits.
    pub fn check_secrets(&self) -> Result<(), ConfigError> {
        if let Some(secret) = &self.jwt_secret
            && secret.expose_secret().len() < MIN_JWT_SECRET_BYTES
        {
            return Err(ConfigError {
                setting: setting_name("jwt_secret"),
                message: format!(
                    "an HS256 secret must be at least {MIN_JWT_SECRET_BYTES} bytes long \
                     (e.g. `openssl rand -base64 48`)"
                ),
            });
        }
        let mut clients: Vec<&String> = self.hawk_clients.keys().collect();
        clients.sort();
        for id in clients {
            let blank = self.hawk_clients[id].key.expose_secret().trim().is_empty();
            if blank {
                return Err(ConfigError {
                    setting: setting_name("hawk_clients"),
                    message: format!("the key of client {id:?} is empty"),
                });
            }
        }
        Ok(())
    }

    /// The object store configured, or the default (files under the data dir).
    pub fn store_config(&self) -> Result<crate::store::StoreConfig, ConfigError> {
        match &self.objectstore {
            None => Ok(crate::store::StoreConfig::default_for(&self.data_dir)),
            Some(value) => {
                crate::store::StoreConfig::from_json(value).map_err(|message| ConfigError {
                    setting: setting_name("objectstore"),
                    message,
                })
            }
        }
    }

    /// Opens the configured object store (checking a filesystem base, say).
    pub async fn open_store(
        &self,
        db: &sea_orm::DatabaseConnection,
    ) -> anyhow::Result<crate::store::Store> {
        let config = self.store_config()?;
        let default_dir = self.data_dir.join("objects");
        config
            .open(db, Some(&default_dir))
            .await
            .map(crate::store::traced::traced)
            .map_err(|error| anyhow::anyhow!("SIGNPOST_OBJECTSTORE: {error}"))
    }

    /// The host and port clients put in their URLs: `public_url`'s, or the bind
    /// address's.
    pub fn public_host_port(&self) -> anyhow::Result<(String, u16)> {
        match &self.public_url {
            Some(text) => {
                let url = url::Url::parse(text).map_err(|e| {
                    anyhow::anyhow!("SIGNPOST_PUBLIC_URL: {text:?} is not a URL: {e}")
                })?;
                let host = url
                    .host_str()
                    .ok_or_else(|| anyhow::anyhow!("SIGNPOST_PUBLIC_URL: {text:?} has no host"))?;
                let port = url
                    .port_or_known_default()
                    .ok_or_else(|| anyhow::anyhow!("SIGNPOST_PUBLIC_URL: {text:?} has no port"))?;
                Ok((host.to_owned(), port))
            }
            None => Ok((self.bind.ip().to_string(), self.bind.port())),
        }
    }

    /// The API limits these settings give.
    /// The limits every import runs under.
    pub fn import_limits(&self) -> crate::import::run::ImportLimits {
        crate::import::run::ImportLimits {
            max_errors: self.import_max_errors.max(1),
            max_field_bytes: self.import_max_field_bytes,
            max_file_bytes: self.import_max_file_bytes,
            max_delete_share: self.import_max_delete_share.clamp(0.0, 1.0),
        }
    }

    /// The limits every dataset upload runs under (the import's file and field sizes).
    pub fn dataset_limits(&self) -> crate::dataset::DatasetLimits {
        crate::dataset::DatasetLimits {
            max_file_bytes: self.import_max_file_bytes,
            file: crate::dataset::FileLimits {
                max_field_bytes: self.import_max_field_bytes,
                ..crate::dataset::FileLimits::default()
            },
        }
    }

    /// Who hears of changes, and how often an idle replica looks.
    pub fn notify(&self) -> crate::notify::NotifyConfig {
        crate::notify::NotifyConfig {
            dataflow: self.dataflow.clone(),
            webhooks: self.webhooks.clone(),
            poll_ms: self.notify_poll_ms,
        }
    }

    pub fn api_limits(&self) -> crate::graphql::ApiLimits {
        crate::graphql::ApiLimits {
            pages: crate::graphql::PageLimits {
                default_page_size: self.default_page_size,
                max_page_size: self.max_page_size,
            },
            max_radius_km: self.max_radius_km,
            export_lag: std::time::Duration::from_millis(self.export_safety_lag_ms),
            project_columns: self.read_projection,
            query: crate::graphql::limits::QueryLimits {
                max_depth: self.max_depth,
                max_complexity: self.max_complexity,
                max_aliases: self.max_aliases,
                max_filter_depth: self.max_filter_depth,
                max_query_bytes: self.max_query_bytes,
            },
        }
    }

    /// The database URL in force (the default SQLite file when none is configured).
    pub fn database_url(&self) -> &str {
        self.database_url
            .as_ref()
            .map(|url| url.expose_secret())
            .unwrap_or(DEFAULT_DATABASE_URL)
    }

    /// True when no database was configured, so the embedded default is in use.
    pub fn uses_default_database(&self) -> bool {
        self.database_url.is_none()
    }

    pub fn database_kind(&self) -> DatabaseKind {
        DatabaseKind::of(self.database_url()).unwrap_or(DatabaseKind::Sqlite)
    }
}

/// The environment variable behind a config key, for error messages.
fn setting_name(key: &str) -> String {
    if key == "database_url" {
        "DATABASE_URL".into()
    } else if key == "objectstore" {
        "SIGNPOST_OBJECTSTORE (or APIAPP_OBJECTSTORECONFIG, or `objectstore` in the config file)"
            .into()
    } else {
        format!(
            "SIGNPOST_{} (`{key}` in the config file)",
            key.to_uppercase()
        )
    }
}

/// Which database a URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseKind {
    /// Checks a database URL's shape without echoing it (it may hold a password).
    pub fn of(url: &str) -> Result<Self, ConfigError> {
        let bad = |message: String| ConfigError {
            setting: "DATABASE_URL".into(),
            message,
        };
        let (scheme, rest) = url.split_once(':').ok_or_else(|| {
            bad("not a URL; expected sqlite://PATH or postgres://USER@HOST/DB".into())
        })?;
        match scheme {
            "sqlite" if !rest.trim_start_matches('/').is_empty() => Ok(Self::Sqlite),
            "sqlite" => Err(bad(
                "sqlite URL names no file; expected sqlite://PATH".into()
            )),
            "postgres" | "postgresql" => {
                let parsed = url::Url::parse(url)
                    .map_err(|e| bad(format!("malformed postgres URL: {e}")))?;
                if parsed.host_str().is_none_or(str::is_empty) {
                    return Err(bad("postgres URL names no host".into()));
                }
                Ok(Self::Postgres)
            }
            other => Err(bad(format!(
                "unsupported scheme `{other}`; expected `sqlite` or `postgres`"
            ))),
        }
    }
}
