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
