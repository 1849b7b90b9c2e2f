//! The object-store documents of the Data Store Service, accepted as written.
//!
//! The store abstraction Signpost follows configures a store with a JSON document
//! whose `Type` is `Memory`, `SQLAlchemy`, `SimpleFileStore`, `DynamoDB`,
//! `Migrating` or `Caching`, with that library's own field names and value
//! conventions (`"None"` for the AWS default endpoint, `"True"`/`"False"` strings,
//! cache sizes counted in objects, timeouts in milliseconds). Teams moving a
//! deployment pass their existing `APIAPP_OBJECTSTORECONFIG` unchanged: it is
//! translated here into Signpost's own spelling (a `type` in lower case), which
//! [`super::StoreConfig`] then parses. A document is recognised by its
//! capitalised `Type` key.
//!
//! Errors name the field by its path in the document as written, rooted at the
//! outer store's `Type` (`Caching.DefaultPolicy.timeout: …`), because that is
//! the text the operator will search for.

use serde_json::{Map, Value, json};

/// Whether `value` is written in the documented spelling.
pub fn is_documented(value: &Value) -> bool {
    value.get("Type").is_some()
}

/// Signpost's spelling of the documented store `value`.
pub fn translate(value: &Value) -> Result<Value, String> {
    let kind = value
        .get("Type")
        .and_then(Value::as_str)
        .ok_or_else(|| "Type: expected the store type as a string".to_owned())?;
    store(value, kind)
}

/// One store document, at `path` (its fields are `path.Field`).
fn store(value: &Value, path: &str) -> Result<Value, String> {
    let fields = Fields::of(value, path)?;
    match fields.required_string("Type")? {
        "Memory" => {
            fields.only(&["Type"])?;
            Ok(json!({"type": "memory"}))
        }
        "SimpleFileStore" => {
            fields.only(&["Type", "BaseLocation"])?;
            let base = fields.required_string("BaseLocation")?;
            Ok(json!({"type": "filesystem", "base_location": base}))
        }
        "SQLAlchemy" => {
            // `create_engine_args` tunes SQLAlchemy's pool (e.g. SQLite's
            // `check_same_thread`); Signpost's pool needs none of it.
            fields.only(&[
                "Type",
                "connectionString",
                "objectPrefix",
                "create_engine_args",
            ])?;
            let url = fields.required_string("connectionString")?;
            let mut out = json!({"type": "sql", "connection_string": url});
            if let Some(prefix) = fields.string("objectPrefix")? {
                out["table_prefix"] = json!(prefix);
            }
            Ok(out)
        }
        "DynamoDB" => dynamodb(&fields),
        "Migrating" => {
            fields.only(&["Type", "From", "To"])?;
            Ok(json!({
                "type": "migrating",
                "from": store(fields.required("From")?, &fields.at("From"))?,
                "to": store(fields.required("To")?, &fields.at("To"))?,
            }))
        }
        "Caching" => caching(&fields),
        other => Err(format!(
            "{}: unknown store type {other:?}; expected one of Memory, SQLAlchemy, \
             SimpleFileStore, DynamoDB, Migrating, Caching",
            fields.at("Type")
        )),
    }
}

fn dynamodb(fields: &Fields) -> Result<Value, String> {
    fields.only(&[
        "Type",
        "aws_access_key_id",
        "aws_secret_access_key",
        "region_name",
        "endpoint_url",
        "single_table_mode",
        "objectPrefix",
    ])?;
    let endpoint = fields.required_string("endpoint_url")?;
    let single_table = match fields.required("single_table_mode")? {
        Value::Bool(flag) => *flag,
        Value::String(text) if text.trim().eq_ignore_ascii_case("true") => true,
        Value::String(text) if text.trim().eq_ignore_ascii_case("false") => false,
        _ => {
            return Err(format!(
                "{}: expected \"True\" or \"False\"",
                fields.at("single_table_mode")
            ));
        }
    };
    let mut out = json!({
        "type": "dynamodb",
        "access_key_id": fields.required_string("aws_access_key_id")?,
        "secret_access_key": fields.required_string("aws_secret_access_key")?,
        "region": fields.required_string("region_name")?,
        "single_table": single_table,
        // The library creates its tables on first use.
        "create_tables": true,
    });
    // The text "None" means: AWS's own endpoint for the region.
    if !endpoint.trim().eq_ignore_ascii_case("none") {
        out["endpoint_url"] = json!(endpoint);
    }
    if let Some(prefix) = fields.string("objectPrefix")? {
        out["table_prefix"] = json!(prefix);
    }
    Ok(out)
}

fn caching(fields: &Fields) -> Result<Value, String> {
    fields.only(&[
        "Type",
        "Caching",
        "Main",
        "DefaultPolicy",
        "TablePolicyOverride",
        "ObjectTypeOverride",
    ])?;
    let mut out = json!({
        "type": "caching",
        "main": store(fields.required("Main")?, &fields.at("Main"))?,
        "default_policy": policy(fields.required("DefaultPolicy")?, &fields.at("DefaultPolicy"))?,
    });
    if let Some(cache) = fields.get("Caching") {
        out["cache"] = store(cache, &fields.at("Caching"))?;
    }
    // The documentation says `TablePolicyOverride`; the library's code reads
    // `ObjectTypeOverride`. Deployments use either.
    let mut overrides = Map::new();
    for name in ["TablePolicyOverride", "ObjectTypeOverride"] {
        let Some(tables) = fields.get(name) else {
            continue;
        };
        let tables = Fields::of(tables, &fields.at(name))?;
        for (table, table_policy) in tables.map {
            // A table of the library is the first segment of a Signpost key.
            let prefix = format!("{}/", table.trim_end_matches('/'));
            overrides.insert(prefix, policy(table_policy, &tables.at(table))?);
        }
    }
    if !overrides.is_empty() {
        out["table_policy_override"] = Value::Object(overrides);
    }
    Ok(out)
}

/// A cache policy: `cache`, and when caching, `maxCacheSize` and `cullToSize`
/// (objects) and `timeout` (milliseconds), checked as the library checks them.
fn policy(value: &Value, path: &str) -> Result<Value, String> {
    let fields = Fields::of(value, path)?;
    fields.only(&["cache", "maxCacheSize", "cullToSize", "timeout"])?;
    let cache = match fields.required("cache")? {
        Value::Bool(flag) => *flag,
        _ => return Err(format!("{}: expected true or false", fields.at("cache"))),
    };
    if !cache {
        return Ok(json!({"cache": false}));
    }
    let count = |name: &str, what: &str| -> Result<u64, String> {
        fields
            .required(name)?
            .as_u64()
            .ok_or_else(|| format!("{}: expected {what}", fields.at(name)))
    };
    let max = count("maxCacheSize", "a number of objects (a whole number)")?;
    let cull = count("cullToSize", "a number of objects (a whole number)")?;
    let timeout = count("timeout", "milliseconds as a number")?;
    if max < 2 {
        return Err(format!("{}: must be 2 or more", fields.at("maxCacheSize")));
    }
    if cull >= max {
        return Err(format!(
            "{}: must be less than maxCacheSize",
            fields.at("cullToSize")
        ));
    }
    if timeout == 0 {
        return Err(format!("{}: must be greater than 0", fields.at("timeout")));
    }
    Ok(json!({
        "cache": true,
        "max_cache_objects": max,
        "cull_to_objects": cull,
        "timeout_ms": timeout,
    }))
}

/// The fields of one JSON object of the document, and where it is.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    fn of(value: &'a Value, path: &str) -> Result<Self, String> {
        match value {
            Value::Object(map) => Ok(Self {
                map,
                path: path.to_owned(),
            }),
            _ => Err(format!("{path}: expected a JSON object")),
        }
    }

    fn at(&self, field: &str) -> String {
        format!("{}.{field}", self.path)
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|value| !value.is_null())
    }

    fn required(&self, field: &str) -> Result<&'a Value, String> {
        self.get(field)
            .ok_or_else(|| format!("{}: missing (it is required)", self.at(field)))
    }

    fn string(&self, field: &str) -> Result<Option<&'a str>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(format!("{}: expected a string", self.at(field))),
        }
    }

    fn required_string(&self, field: &str) -> Result<&'a str, String> {
        self.required(field)?;
        self.string(field).map(Option::unwrap_or_default)
    }

    /// Refuses a field the document does not define (a misspelling would
    /// otherwise be silently ignored).
    fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.map.keys().find(|key| !known.contains(&key.as_str())) {
            Some(unknown) => Err(format!(
                "{}: unknown field; expected one of {}",
                self.at(unknown),
                known.join(", ")
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::StoreConfig;
    use super::super::config::CachePolicy;
    use secrecy::ExposeSecret;
    use serde_json::{Value, json};

    fn parse(value: Value) -> Result<StoreConfig, String> {
        StoreConfig::from_json(&value)
    }

    // The examples of the Data Store Service's datastore-options document, as written.

    #[test]
    fn the_memory_example() {
        let text = r#"{"Type":"Memory"}"#;
        let parsed = parse(serde_json::from_str(text).unwrap_or_default());
        assert!(matches!(parsed, Ok(StoreConfig::Memory {})), "{parsed:?}");
    }

    #[test]
    fn the_sqlalchemy_example_with_its_object_prefix() {
        let parsed = parse(json!({
          "Type": "SQLAlchemy",
          "connectionString": "mysql+pymysql://saas_user_man_user:saas_user_man_testing_password@127.0.0.1:10103/saas_user_man_rad",
          "objectPrefix": "signpost_"
        }));
        let Ok(StoreConfig::Sql {
            connection_string: Some(url),
            table_prefix,
        }) = parsed
        else {
            panic!("{parsed:?}");
        };
        assert!(url.expose_secret().starts_with("mysql+pymysql://"));
        assert_eq!(table_prefix.as_deref(), Some("signpost_"));
    }

    #[test]
    fn a_sqlalchemy_sqlite_document_with_engine_arguments() {
        let parsed = parse(json!({"Type": "SQLAlchemy",
            "connectionString": "sqlite:///objectstoredata/mainfile.db",
            "create_engine_args": {"poolclass": "StaticPool", "connect_args": {"check_same_thread": false}}}));
        assert!(matches!(parsed, Ok(StoreConfig::Sql { .. })), "{parsed:?}");
    }

    #[test]
    fn the_simple_file_store_example() {
        let parsed = parse(json!({"Type": "SimpleFileStore", "BaseLocation": "/var/datastore"}));
        let Ok(StoreConfig::Filesystem { base_location }) = parsed else {
            panic!("{parsed:?}");
        };
        assert_eq!(base_location, std::path::Path::new("/var/datastore"));
    }

    #[test]
    fn the_dynamodb_example_and_the_none_endpoint() {
        let parsed = parse(json!({
          "Type": "DynamoDB",
          "aws_access_key_id": "ACCESS_KEY",
          "aws_secret_access_key": "SECRET_KEY",
          "region_name": "eu-west-2",
          "endpoint_url": "http://localhost:8000",
          "single_table_mode": "True"
        }));
        let Ok(StoreConfig::Dynamodb {
            region,
            endpoint_url,
            single_table,
            secret_access_key,
            ..
        }) = parsed
        else {
            panic!("{parsed:?}");
        };
        assert_eq!(region.as_deref(), Some("eu-west-2"));
        assert_eq!(endpoint_url.as_deref(), Some("http://localhost:8000"));
        assert!(single_table);
        assert_eq!(
            secret_access_key
                .map(|s| s.expose_secret().to_owned())
                .as_deref(),
            Some("SECRET_KEY")
        );

        let aws = parse(json!({"Type": "DynamoDB", "aws_access_key_id": "A",
            "aws_secret_access_key": "S", "region_name": "eu-west-2", "endpoint_url": "None",
            "single_table_mode": "False", "objectPrefix": "prod_"}));
        let Ok(StoreConfig::Dynamodb {
            endpoint_url,
            single_table,
            table_prefix,
            ..
        }) = aws
        else {
            panic!("{aws:?}");
        };
        assert_eq!(
            (endpoint_url, single_table, table_prefix.as_deref()),
            (None, false, Some("prod_"))
        );
    }

    #[test]
    fn the_migrating_example() {
        let parsed = parse(json!({"Type": "Migrating",
            "From": {"Type": "SimpleFileStore", "BaseLocation": "/var/datastore"},
            "To": {"Type": "Memory"}}));
        assert!(
            matches!(&parsed, Ok(StoreConfig::Migrating { from, to })
                if matches!(**from, StoreConfig::Filesystem { .. }) && matches!(**to, StoreConfig::Memory {})),
            "{parsed:?}"
        );
    }

    #[test]
    fn the_caching_example_counts_objects_and_times_in_milliseconds() {
        let parsed = parse(json!({
          "Type": "Caching",
          "Main": {"Type": "Memory"},
          "DefaultPolicy": {"cache": true, "maxCacheSize": 100, "cullToSize": 50, "timeout": 60000},
          "TablePolicyOverride": {"imports": {"cache": false}}
        }));
        let Ok(StoreConfig::Caching {
            cache,
            default_policy,
            table_policy_override,
            ..
        }) = parsed
        else {
            panic!("{parsed:?}");
        };
        assert!(cache.is_none(), "memory when missing");
        assert_eq!(
            default_policy,
            CachePolicy {
                max_cache_objects: Some(100),
                cull_to_objects: Some(50),
                timeout_ms: 60_000,
                ..CachePolicy::default()
            }
        );
        assert!(!table_policy_override["imports/"].cache);
    }

    #[test]
    fn wrong_or_missing_fields_are_named_by_their_path() {
        let cases = [
            (
                json!({"Type": "Caching", "Main": {"Type": "Memory"},
                "DefaultPolicy": {"cache": true, "maxCacheSize": 100, "cullToSize": 50, "timeout": "1 minute"}}),
                "Caching.DefaultPolicy.timeout: expected milliseconds as a number",
            ),
            (
                json!({"Type": "Caching", "Main": {"Type": "Memory"},
                "DefaultPolicy": {"cache": true, "maxCacheSize": 100, "cullToSize": 50}}),
                "Caching.DefaultPolicy.timeout: missing",
            ),
            (
                json!({"Type": "Caching", "Main": {"Type": "Memory"},
                "DefaultPolicy": {"cache": true, "maxCacheSize": 10, "cullToSize": 50, "timeout": 5}}),
                "Caching.DefaultPolicy.cullToSize: must be less than maxCacheSize",
            ),
            (
                json!({"Type": "Migrating", "From": {"Type": "Memory"},
                "To": {"Type": "DynamoDB", "aws_access_key_id": "A", "aws_secret_access_key": "S",
                       "region_name": "eu-west-2", "endpoint_url": "None", "single_table_mode": "maybe"}}),
                "Migrating.To.single_table_mode: expected \"True\" or \"False\"",
            ),
            (
                json!({"Type": "Migrating", "From": {"Type": "Memory"},
                "To": {"Type": "DynamoDB", "aws_access_key_id": "A", "aws_secret_access_key": "S",
                       "endpoint_url": "None", "single_table_mode": "True"}}),
                "Migrating.To.region_name: missing",
            ),
            (
                json!({"Type": "SimpleFileStore"}),
                "SimpleFileStore.BaseLocation: missing",
            ),
            (
                json!({"Type": "SimpleFileStore", "BaseLocation": 7}),
                "SimpleFileStore.BaseLocation: expected a string",
            ),
            (
                json!({"Type": "SQLAlchemy", "connectionString": "oracle://x/y"}),
                "connection_string: unsupported database",
            ),
            (
                json!({"Type": "Memory", "BaseLocation": "/x"}),
                "Memory.BaseLocation: unknown field",
            ),
            (
                json!({"Type": "Redis"}),
                "Redis.Type: unknown store type \"Redis\"",
            ),
            (
                json!({"Type": "Migrating", "From": {"Type": "Memory"}}),
                "Migrating.To: missing",
            ),
            (
                json!({"Type": "Caching", "Main": "memory", "DefaultPolicy": {"cache": false}}),
                "Caching.Main: expected a JSON object",
            ),
        ];
        for (document, expected) in cases {
            let error = parse(document.clone()).err().unwrap_or_default();
            assert!(
                error.contains(expected),
                "{document}: {error:?} lacks {expected:?}"
            );
        }
    }
}
