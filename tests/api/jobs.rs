//! Background jobs that die inside — here, a store that panics — still end
//! cleanly: an ingest run ends `failed` naming the panic and releases its lease
//! (the next run can start), and an import ends `failed` with nothing counted as
//! applied, instead of `RUNNING` / `APPLYING` for ever.

use crate::helpers::TestDb;
use async_trait::async_trait;
use signpost::store::memory::MemoryStore;
use signpost::store::{Body, Key, ListPage, ObjectMeta, ObjectStore, Store, StoreError};
use std::sync::Arc;

/// A memory store whose puts (or gets) of keys under `prefix` panic.
#[derive(Debug)]
struct PanickingStore {
    inner: MemoryStore,
    prefix: &'static str,
    on_get: bool,
}

#[async_trait]
impl ObjectStore for PanickingStore {
    fn kind(&self) -> String {
        "panicking".into()
    }

    async fn put(&self, key: &Key, body: Body) -> Result<ObjectMeta, StoreError> {
        if !self.on_get && key.as_str().starts_with(self.prefix) {
            panic!("the test store panics on put of {key}");
        }
        self.inner.put(key, body).await
    }
    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        if self.on_get && key.as_str().starts_with(self.prefix) {
            panic!("the test store panics on get of {key}");
        }
        self.inner.get(key).await
    }
    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        self.inner.head(key).await
    }
    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        self.inner.list(prefix, after, limit).await
    }
    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }
    async fn check(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[tokio::test]
async fn an_ingest_run_that_panics_ends_failed_and_releases_its_lease() {
    signpost::install_tls_provider();
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(PanickingStore {
        inner: MemoryStore::new(),
        prefix: "sources/",
        on_get: false,
    });
    let files = crate::ingest_run::Files::default();
    files.put("organizations.csv", "id,name\n");
    let index = crate::ingest_run::serve(files).await;
    let source = crate::ingest_run::source(
        "panics",
        &index,
        r"\.csv$",
        signpost::ingest::Loader::Directory { replace: false },
    );
    let run = |db: sea_orm::DatabaseConnection,
               store: Store,
               source: signpost::ingest::SourceConfig| async move {
        let queued = signpost::ingest::run::create(
            &db,
            &source,
            signpost::ingest::run::Trigger::Mutation,
            false,
            "test",
        )
        .await
        .expect("create");
        // Spawned, as `triggerIngest` and the scheduler run it.
        tokio::spawn(
            async move { signpost::ingest::run::run(&db, &store, &source, queued, None).await },
        )
        .await
        .expect("the run's task itself does not die")
        .expect("the run records its end")
    };
    let first = run(db.clone(), store.clone(), source.clone()).await;
    assert_eq!(first.state.to_string(), "failed");
    let message = first.error_message.unwrap_or_default();
    assert!(message.contains("panics on put"), "{message}");
    let holder = signpost::ingest::lease::Lease::holder_of(
        &db,
        &signpost::ingest::run::lease_name("panics"),
    )
    .await
    .expect("lease");
    assert_eq!(holder, None, "the lease is released");
    // The next run gets the lease (it fails the same way, but it runs).
    let second = run(db.clone(), store, source).await;
    assert_eq!(second.state.to_string(), "failed");
    assert!(
        !second
            .error_message
            .unwrap_or_default()
            .contains("another run"),
        "the first run's lease is not in the way"
    );
}

#[tokio::test]
async fn an_import_that_panics_ends_failed_with_nothing_counted() {
    use sea_orm::EntityTrait;
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(PanickingStore {
        inner: MemoryStore::new(),
        prefix: "imports/",
        on_get: true,
    });
    let csv = "id,name\n0190a000-0000-7000-8000-000000000001,Food Bank\n";
    let outcome = signpost::import::import_file(
        &db,
        &store,
        "organizations.csv",
        signpost::store::body_of(csv),
        &signpost::import::ImportOptions::default(),
        None,
    )
    .await
    .expect("the import records how it ended");
    assert!(!outcome.succeeded());
    let said = format!("{:?}", outcome.errors);
    assert!(said.contains("panics on get"), "{said}");
    let rows = entities::imports::Entity::find()
        .all(&db)
        .await
        .expect("imports");
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.state.to_string(), "failed");
    assert_eq!(
        (row.rows_inserted, row.rows_updated, row.rows_deleted),
        (0, 0, 0)
    );
    let errors = row.errors.clone().unwrap_or_default().to_string();
    assert!(errors.contains("panics on get"), "{errors}");
    assert!(row.finished_at.is_some());
}

/// An ingest source whose index answers after `delay`, listing one postcode file.
async fn slow_source(delay: std::time::Duration) -> String {
    let app = axum::Router::new()
        .route(
            "/index.html",
            axum::routing::get(move || async move {
                tokio::time::sleep(delay).await;
                axum::response::Html("<a href=\"files/a.csv\">a.csv</a>")
            }),
        )
        .route(
            "/files/a.csv",
            axum::routing::get(|| async {
                "pcd,pcds,dointr,doterm,lat,long,ctry\nLS1 4AP,LS1 4AP,198001,,53.796,-1.548,E92000001\n"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}/index.html")
}

/// A graceful shutdown waits for the background jobs requests started, and stops
/// one that outlasts the grace period: it ends `failed` saying so, its lease free.
#[tokio::test]
async fn shutdown_waits_for_jobs_and_stops_those_that_outlast_the_grace_period() {
    use crate::ingest_run::source;
    use sea_orm::EntityTrait;
    use signpost::ingest::Loader;
    signpost::install_tls_provider();
    let quick = slow_source(std::time::Duration::from_millis(300)).await;
    let stuck = slow_source(std::time::Duration::from_secs(3600)).await;
    let mut app = crate::helpers::spawn_app_with(|config| {
        config.shutdown_grace_secs = 2;
        config.ingest.sources = vec![
            source("quick", &quick, r"\.csv$", Loader::Postcodes),
            signpost::ingest::SourceConfig {
                timeout_secs: 3600,
                ..source("stuck", &stuck, r"\.csv$", Loader::Postcodes)
            },
        ];
    })
    .await;
    let trigger = "mutation($source: String!) { triggerIngest(source: $source) { id } }";
    for name in ["stuck", "quick"] {
        let body = crate::helpers::graphql_as(
            &app,
            "admin",
            trigger,
            serde_json::json!({ "source": name }),
        )
        .await;
        assert!(body["data"]["triggerIngest"]["id"].is_string(), "{body}");
    }
    app.shut_down().await;
    let runs = entities::ingest_runs::Entity::find()
        .all(&app.db)
        .await
        .expect("runs");
    let run_of = |name: &str| {
        runs.iter()
            .find(|run| run.source == name)
            .unwrap_or_else(|| panic!("a run of {name}"))
    };
    let quick = run_of("quick");
    assert_eq!(
        (quick.state.to_string().as_str(), quick.files_loaded),
        ("completed", 1),
        "a job running at shutdown is waited for: {:?}",
        quick.error_message
    );
    let stuck = run_of("stuck");
    assert_eq!(stuck.state.to_string(), "failed");
    assert!(
        stuck
            .error_message
            .as_deref()
            .is_some_and(|message| message.contains("shut down")),
        "{:?}",
        stuck.error_message
    );
    let holder = signpost::ingest::lease::Lease::holder_of(&app.db, "ingest:stuck")
        .await
        .expect("lease");
    assert_eq!(holder, None, "the cut-off run released its lease");
}
