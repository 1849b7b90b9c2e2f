//! What the object-store wrappers and backends do beyond the shared conformance
//! suite: caching (read-through, write-through, expiry, culling, per-prefix
//! policies), migrating (reads from `from`, writes to both, `store migrate`), the
//! filesystem layout, configuration errors at start and `/health/ready`.

use crate::helpers::{TestDb, spawn_app_with};
use crate::store_conformance::{body, owned};
use signpost::store::caching::CachingStore;
use signpost::store::config::CachePolicy;
use signpost::store::filesystem::FilesystemStore;
use signpost::store::memory::MemoryStore;
use signpost::store::{Key, ObjectStore, Store, list_all, read_all};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

fn key(text: &str) -> Key {
    Key::parse(text).unwrap_or_else(|error| panic!("{error}"))
}

async fn text(store: &dyn ObjectStore, name: &str) -> String {
    let (_, content) = store.get(&key(name)).await.expect("get");
    String::from_utf8(read_all(content, 1 << 20).await.expect("read")).expect("utf-8")
}

async fn cached_bytes(cache: &MemoryStore) -> u64 {
    list_all(cache, "")
        .await
        .expect("list")
        .iter()
        .map(|meta| meta.size)
        .sum()
}

/// Lets a cache fill started by a read finish (it runs beside the caller): on a
/// paused clock, a sleep returns only once every other task is idle.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

// Time is paused: expiry and culling order follow `advance`, not the machine's load.
#[tokio::test(start_paused = true)]
async fn the_cache_reads_through_expires_and_is_culled_oldest_first() {
    let main = Arc::new(MemoryStore::new());
    let cache = Arc::new(MemoryStore::new());
    let policy = CachePolicy {
        cache: true,
        max_cache_size: 100,
        cull_to_size: 50,
        timeout_ms: 400,
        ..CachePolicy::default()
    };
    let no_cache = CachePolicy {
        cache: false,
        ..policy.clone()
    };
    let store = CachingStore::new(
        main.clone(),
        cache.clone(),
        policy,
        [("private/".to_owned(), no_cache)],
    )
    .await
    .expect("caching");

    // Read-through: a miss reads main and fills the cache.
    main.put(&key("a"), body(b"version one"))
        .await
        .expect("put");
    assert_eq!(text(&store, "a").await, "version one");
    settle().await;
    assert!(cache.head(&key("a")).await.is_ok(), "filled on read");
    // Another replica writes main directly: served from cache until the timeout.
    main.put(&key("a"), body(b"version two"))
        .await
        .expect("put");
    assert_eq!(text(&store, "a").await, "version one");
    tokio::time::advance(Duration::from_millis(450)).await;
    assert_eq!(
        text(&store, "a").await,
        "version two",
        "expired after timeout_ms"
    );

    // Write-through: both stores get it.
    store
        .put(&key("b"), body(b"written through"))
        .await
        .expect("put");
    assert_eq!(text(main.as_ref(), "b").await, "written through");
    assert_eq!(text(cache.as_ref(), "b").await, "written through");
    // A prefix with caching off never reaches the cache.
    store
        .put(&key("private/x"), body(b"secret-ish"))
        .await
        .expect("put");
    assert_eq!(text(&store, "private/x").await, "secret-ish");
    settle().await;
    assert!(cache.head(&key("private/x")).await.is_err(), "not cached");
    // Too large for the cache: served, not cached.
    store
        .put(&key("large"), owned(vec![b'x'; 150]))
        .await
        .expect("put");
    assert!(cache.head(&key("large")).await.is_err());
    assert_eq!(store.head(&key("large")).await.expect("head").size, 150);

    // Culling: past 100 bytes, the oldest go until at most 50 remain.
    for (index, name) in ["c1", "c2", "c3", "c4"].iter().enumerate() {
        store
            .put(&key(name), owned(vec![b'0' + index as u8; 30]))
            .await
            .expect("put");
        tokio::time::advance(Duration::from_millis(5)).await;
    }
    let held = cached_bytes(&cache).await;
    assert!(held <= 100, "cache holds {held} bytes");
    assert!(cache.head(&key("c4")).await.is_ok(), "the newest stays");
    assert!(cache.head(&key("c1")).await.is_err(), "the oldest went");
    // Everything is still there through the wrapper.
    for name in ["a", "b", "c1", "c2", "c3", "c4", "large", "private/x"] {
        assert!(store.head(&key(name)).await.is_ok(), "{name}");
    }
    // Deletes reach both.
    store.delete(&key("c4")).await.expect("delete");
    assert!(main.head(&key("c4")).await.is_err() && cache.head(&key("c4")).await.is_err());
}

#[tokio::test]
async fn a_migrating_store_reads_from_and_writes_to_both() {
    let from = Arc::new(MemoryStore::new());
    let to = Arc::new(MemoryStore::new());
    from.put(&key("old"), body(b"before the move"))
        .await
        .expect("put");
    let store = signpost::store::migrating::MigratingStore {
        from: from.clone(),
        to: to.clone(),
    };
    assert_eq!(text(&store, "old").await, "before the move");
    store
        .put(&key("new"), body(b"during the move"))
        .await
        .expect("put");
    assert_eq!(text(to.as_ref(), "new").await, "during the move");
    // Reads come from `from`, even when `to` disagrees.
    to.put(&key("new"), body(b"tampered")).await.expect("put");
    assert_eq!(text(&store, "new").await, "during the move");
    store.delete(&key("new")).await.expect("delete");
    assert!(from.head(&key("new")).await.is_err() && to.head(&key("new")).await.is_err());
}

#[tokio::test]
async fn the_filesystem_store_keeps_keys_inside_its_base_and_checks_it() {
    let parent = tempfile::tempdir().expect("dir");
    let base = parent.path().join("objects");
    let missing = FilesystemStore::open(&base, false).await;
    assert!(
        missing.is_err_and(|e| e.to_string().contains("does not exist")),
        "a missing base_location is refused"
    );
    let store = FilesystemStore::open(&base, true).await.expect("created");
    // Encoded names stay one level below the base, and look like their keys.
    store.put(&key("%2E%2E/x"), body(b"1")).await.expect("put");
    store.put(&key(".config/y"), body(b"2")).await.expect("put");
    store
        .put(&key("imports/services.csv"), body(b"3"))
        .await
        .expect("put");
    assert!(base.join("imports/services.csv").is_file());
    assert!(!parent.path().join("x").exists());
    let keys: Vec<String> = list_all(&store, "")
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.key.to_string())
        .collect();
    assert_eq!(keys, ["%2E%2E/x", ".config/y", "imports/services.csv"]);
    // A key that is another key's folder is a clear error.
    let clash = store
        .put(&key("imports/services.csv/more"), body(b"4"))
        .await;
    assert!(clash.is_err_and(|e| e.to_string().contains("clashes")));
    // A file changed behind the store's back: head rehashes rather than lie.
    std::fs::write(base.join("imports/services.csv"), b"changed by hand").expect("write");
    let head = store
        .head(&key("imports/services.csv"))
        .await
        .expect("head");
    use sha2::Digest;
    assert_eq!(
        head.sha256,
        Some(hex::encode(sha2::Sha256::digest(b"changed by hand")))
    );
    // Deleting removes emptied folders too.
    store.delete(&key("%2E%2E/x")).await.expect("delete");
    assert!(!base.join("%2E%2E").exists());
}

fn signpost() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signpost"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("SIGNPOST_CONFIG")
        .env_remove("SIGNPOST_OBJECTSTORE")
        .env("RUST_LOG", "warn");
    command
}

#[test]
fn a_bad_object_store_configuration_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().expect("dir");
    for (config, expected) in [
        (r#"{"type":"s4"}"#, "s4"),
        (r#"{"bucket":"b"}"#, "type"),
        (
            r#"{"type":"migrating","from":{"type":"memory"},"to":{"type":"s3"}}"#,
            "to",
        ),
        ("not json", "JSON"),
    ] {
        let output = signpost()
            .args(["migrate", "status"])
            .env("SIGNPOST_DATA_DIR", dir.path())
            .env("SIGNPOST_OBJECTSTORE", config)
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{config}: {text}");
        assert!(
            text.contains("OBJECTSTORE") && text.contains(expected),
            "{config}: {text}"
        );
    }
}

#[test]
fn store_migrate_copies_what_is_missing_and_reports_the_share() {
    let dir = tempfile::tempdir().expect("dir");
    let (from, to) = (dir.path().join("from"), dir.path().join("to"));
    std::fs::create_dir_all(from.join("imports")).expect("dir");
    std::fs::create_dir_all(&to).expect("dir");
    for name in ["a.csv", "b.csv", "c.csv"] {
        std::fs::write(from.join("imports").join(name), name).expect("write");
    }
    std::fs::write(to.join("stray"), "only in to").expect("write");
    let config = serde_json::json!({
        "type": "migrating",
        "from": {"type": "filesystem", "base_location": from},
        "to": {"type": "filesystem", "base_location": to},
    })
    .to_string();
    let run = |args: &[&str]| {
        let output = signpost()
            .args(args)
            .env("SIGNPOST_DATA_DIR", dir.path())
            .env("SIGNPOST_OBJECTSTORE", &config)
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        text
    };
    let before = run(&["store", "migrate", "--check"]);
    assert!(
        before.contains("0.0% migrated") && before.contains("only in `to`: 1"),
        "{before}"
    );
    assert!(before.contains("imports/a.csv"), "{before}");
    let copied = run(&["store", "migrate"]);
    assert!(copied.contains("copied 3 of 3 objects"), "{copied}");
    assert_eq!(
        std::fs::read_to_string(to.join("imports/b.csv")).expect("copied"),
        "b.csv"
    );
    let after = run(&["store", "migrate", "--check"]);
    assert!(after.contains("100.0% migrated"), "{after}");
    let again = run(&["store", "migrate"]);
    assert!(
        again.contains("copied 0 of 3 objects"),
        "resumes with nothing left: {again}"
    );
}

// Time is paused so the order of caching is the order of the puts.
#[tokio::test(start_paused = true)]
async fn cache_sizes_in_objects_cull_each_tables_oldest_as_the_documents_count_them() {
    let main = Arc::new(MemoryStore::new());
    let cache = Arc::new(MemoryStore::new());
    // {"maxCacheSize": 3, "cullToSize": 1} for `imports`, no count for the rest.
    let config = serde_json::json!({"Type": "Caching", "Main": {"Type": "Memory"},
        "DefaultPolicy": {"cache": true, "maxCacheSize": 100, "cullToSize": 50, "timeout": 60000},
        "TablePolicyOverride": {"imports": {"cache": true, "maxCacheSize": 3, "cullToSize": 1, "timeout": 60000}}});
    let signpost::store::StoreConfig::Caching {
        default_policy,
        table_policy_override,
        ..
    } = signpost::store::StoreConfig::from_json(&config).expect("config")
    else {
        panic!("not a caching config");
    };
    let store = CachingStore::new(
        main.clone(),
        cache.clone(),
        default_policy,
        table_policy_override,
    )
    .await
    .expect("caching");
    for name in [
        "ingest/a",
        "imports/1",
        "imports/2",
        "imports/3",
        "ingest/b",
    ] {
        store.put(&key(name), body(b"x")).await.expect("put");
        tokio::time::advance(Duration::from_millis(10)).await;
    }
    let cached = |names: &[&str]| {
        let cache = cache.clone();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        async move {
            let mut held = Vec::new();
            for name in names {
                if cache.head(&key(&name)).await.is_ok() {
                    held.push(name);
                }
            }
            held
        }
    };
    let all = [
        "ingest/a",
        "imports/1",
        "imports/2",
        "imports/3",
        "ingest/b",
    ];
    assert_eq!(
        cached(&all).await,
        all,
        "three imports are within the count"
    );
    store.put(&key("imports/4"), body(b"x")).await.expect("put");
    assert_eq!(
        cached(&[
            "ingest/a",
            "imports/1",
            "imports/2",
            "imports/3",
            "imports/4",
            "ingest/b"
        ])
        .await,
        ["ingest/a", "imports/4", "ingest/b"],
        "past three, the imports were culled oldest first down to one; other tables kept"
    );
    assert_eq!(
        text(&store, "imports/1").await,
        "x",
        "a culled object is read from main"
    );
}

#[tokio::test]
async fn readiness_checks_the_object_store() {
    let parent = tempfile::tempdir().expect("dir");
    let base = parent.path().join("objects");
    std::fs::create_dir_all(&base).expect("dir");
    let config = serde_json::json!({"type": "filesystem", "base_location": base});
    let app = spawn_app_with(|settings| settings.objectstore = Some(config)).await;
    let ready = |app: &crate::helpers::TestApp| {
        let request = app.client.get(app.url("/health/ready")).send();
        async move {
            let response = request.await.expect("request");
            let status = response.status().as_u16();
            (
                status,
                response.json::<serde_json::Value>().await.expect("json"),
            )
        }
    };
    let (status, body) = ready(&app).await;
    assert_eq!(
        (status, body["checks"]["objectStore"].as_str()),
        (200, Some("OK")),
        "{body}"
    );
    std::fs::remove_dir_all(&base).expect("remove");
    std::fs::write(&base, "not a folder").expect("block it");
    let (status, body) = ready(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["objectStore"], "UNAVAILABLE", "{body}");
    assert_eq!(body["checks"]["database"], "OK", "{body}");
}

#[tokio::test]
async fn the_sql_store_keeps_content_in_chunks() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(signpost::store::sql::SqlStore::new(db.clone()));
    let content = vec![7u8; 9 * 1024 * 1024];
    store
        .put(&key("chunked"), owned(content))
        .await
        .expect("put");
    use sea_orm::{EntityTrait, PaginatorTrait};
    let chunks = entities::object_chunks::Entity::find()
        .count(&db)
        .await
        .expect("count");
    assert_eq!(chunks, 3, "9 MiB in 4 MiB chunks");
    store
        .put(&key("chunked"), body(b"small now"))
        .await
        .expect("overwrite");
    let chunks = entities::object_chunks::Entity::find()
        .count(&db)
        .await
        .expect("count");
    assert_eq!(chunks, 1, "the old chunks went with the old object");
}

#[test]
fn the_docker_compose_object_store_configuration_parses() {
    let compose =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docker-compose.yml"))
            .expect("docker-compose.yml");
    let line = compose
        .lines()
        .find_map(|line| line.trim().strip_prefix("SIGNPOST_OBJECTSTORE:"))
        .expect("SIGNPOST_OBJECTSTORE in docker-compose.yml");
    let json = line.trim().trim_matches('\'');
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    let parsed = signpost::store::StoreConfig::from_json(&value);
    assert!(parsed.is_ok(), "{parsed:?}");
}
