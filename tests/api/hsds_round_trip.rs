//! Two Signposts: A serves the official HSDS example through its HSDS API, and B
//! ingests A's API as an `hsds` source. After one run B's HSDS export holds what
//! A's does; a change on A reaches B on the next run, which lists only services
//! modified since the first (`modified_after`) and so fetches only those.

use crate::helpers::{TestDb, import_text, spawn_app};
use crate::hsds_package::{fixture_files, rows_of, unzip, zip_of};
use crate::ingest_run::source;
use sea_orm::DatabaseConnection;
use signpost::ingest::run::{self, Finished, Trigger};
use signpost::ingest::{Listing, Loader, SourceConfig};
use signpost::store::Store;
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

const ORGANIZATION: &str = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610";
const SECOND: &str = "0190c000-0000-7000-8000-0000000000a2";
const PHONE: &str = "1554f2e2-a373-45db-a3fa-9fc48a61c15e";

/// Every HSDS file of `db`'s export package but `metadata.csv` (each server's
/// own provenance and change log), by file, as rows by id.
async fn export(
    db: &DatabaseConnection,
) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> {
    let (mut file, _) = signpost::export::hsds::write_package(db)
        .await
        .expect("export");
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).expect("read package");
    unzip(&bytes)
        .into_iter()
        .filter(|(name, _)| name.ends_with(".csv") && name != "metadata.csv")
        .map(|(name, content)| (name, rows_of(&content).1))
        .collect()
}

/// The official example, as A's directory, without what HSDS's service API has
/// no place for: the parent organization and parent term the repaired copy adds
/// (HSDS nests neither in a service, only their ids) and the table descriptions.
async fn a_directory(db: &DatabaseConnection) {
    const PARENT_ORGANIZATION: &str = "cd09a387-91f4-4555-94ec-e799c35344cd";
    const PARENT_TERM: &str = "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2";
    let mut files = fixture_files("official");
    files.remove("meta_table_descriptions.csv");
    for (name, parent) in [
        ("organizations.csv", PARENT_ORGANIZATION),
        ("taxonomy_terms.csv", PARENT_TERM),
    ] {
        let text = String::from_utf8(files[name].clone()).expect("UTF-8");
        let kept: Vec<String> = text
            .lines()
            .filter(|line| !line.starts_with(parent))
            .map(|line| line.replace(parent, ""))
            .collect();
        files.insert(name.to_owned(), (kept.join("\n") + "\n").into_bytes());
    }
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let options = signpost::import::ImportOptions {
        strict: true,
        publish: true,
        ..Default::default()
    };
    let outcome = signpost::import::import_file(
        db,
        &store,
        "official.zip",
        signpost::store::body_of(zip_of(&files)),
        &options,
        Some("test"),
    )
    .await
    .expect("import");
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
}

async fn go(db: &DatabaseConnection, store: &Store, source: &SourceConfig) -> Finished {
    let started = run::create(db, source, Trigger::Cli, false, "test")
        .await
        .expect("create run");
    run::run_with_warnings(db, store, source, started, None)
        .await
        .expect("run")
}

#[tokio::test]
async fn a_signpost_ingests_another_signposts_hsds_api_and_then_only_its_changes() {
    signpost::install_tls_provider();
    let a = spawn_app().await;
    a_directory(&a.db).await;
    import_text(
        &a.db,
        "services.csv",
        format!(
            "id,organization_id,name,description,status,published\n\
             {SECOND},{ORGANIZATION},Debt Advice,Help with money,active,true\n"
        ),
    )
    .await;
    // A's writes are stamped before B's first run starts.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let b_db_handle = TestDb::new().await;
    let b = b_db_handle.migrated().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let mut hsds = source("signpost-a", "unused", ".", Loader::Hsds);
    hsds.list = Listing::HsdsApi {
        url: a.url("/hsds"),
        overlap_secs: 0,
    };
    hsds.publish = true;

    let first = go(&b, &store, &hsds).await;
    let failures: Vec<(String, Option<String>)> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entities::data_files::Entity::find()
            .filter(entities::data_files::Column::ErrorMessage.is_not_null())
            .all(&b)
            .await
            .expect("registry")
            .into_iter()
            .map(|file| (file.file_name, file.error_message))
            .collect()
    };
    assert_eq!(
        first.run.state.to_string(),
        "completed",
        "{:?} {:?} {failures:?}",
        first.run.error_message,
        first.warnings
    );
    assert_eq!(first.run.files_fetched, 3, "one page and both services");

    let (from_a, from_b) = (export(&a.db).await, export(&b).await);
    for (name, rows) in &from_a {
        assert_eq!(
            from_b.get(name),
            Some(rows),
            "{name}: B's export differs from A's"
        );
    }
    assert_eq!(from_a.len(), from_b.len());
    let services = &from_b["services.csv"];
    assert_eq!(services.len(), 2, "{services:?}");

    // A change on A — a nested phone's number — reaches B on the next run,
    // which fetches that one service only.
    let phones = String::from_utf8(fixture_files("official")["phones.csv"].clone())
        .expect("UTF-8")
        .replace("\"\"\"+44 1234 234567\"\"\"", "0113 496 0123");
    import_text(&a.db, "phones.csv", phones).await;
    let second = go(&b, &store, &hsds).await;
    assert_eq!(
        second.run.state.to_string(),
        "completed",
        "{:?}",
        second.run.error_message
    );
    assert_eq!(
        second.run.files_fetched, 2,
        "one page and the one changed service"
    );
    let from_b = export(&b).await;
    assert_eq!(from_b["phones.csv"][PHONE]["number"], "0113 496 0123");
    assert_eq!(from_b, export(&a.db).await, "B holds A again");
}
