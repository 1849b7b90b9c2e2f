//! Zips of CSV files: members applied in dependency order in one transaction,
//! unknown members skipped with a warning, and unsafe archives refused: a member
//! that climbs out (`../x`), a zip bomb, a member over the size limit.

use crate::helpers::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use signpost::import::run::{ImportLimits, ImportOutcome};
use signpost::import::{ImportOptions, import_file};
use signpost::store::Store;
use std::io::Write;
use std::sync::Arc;

const P1: &str = "0190a000-0000-7000-8000-000000000001";
const S1: &str = "0190a000-0000-7000-8000-0000000000a1";

fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in members {
        writer.start_file(*name, options).expect("member");
        writer.write_all(content).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

async fn import(
    db: &DatabaseConnection,
    store: &Store,
    bytes: Vec<u8>,
    options: ImportOptions,
) -> ImportOutcome {
    let body = signpost::store::body_of(bytes);
    import_file(db, store, "directory.zip", body, &options, Some("test"))
        .await
        .expect("import")
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("query")
        .expect("row");
    row.try_get("", "n").expect("n")
}

#[tokio::test]
async fn a_zip_applies_its_members_in_dependency_order_or_not_at_all() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    // services.csv comes first in the archive but refers to organizations.csv.
    let good = zip_of(&[
        (
            "hsds/services.csv",
            format!("id,organization_id,name\n{S1},{P1},Meals\n").into_bytes(),
        ),
        (
            "hsds/organizations.csv",
            format!("id,name\n{P1},Food Bank\n").into_bytes(),
        ),
        ("hsds/notes.csv", b"id,name\n1,x\n".to_vec()),
        ("hsds/", Vec::new()),
    ]);
    let outcome = import(&db, &store, good, ImportOptions::default()).await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let files: Vec<&str> = outcome.files.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(files, ["hsds/organizations.csv", "hsds/services.csv"]);
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.to_string().contains("notes.csv")),
        "{:?}",
        outcome.warnings
    );
    assert_eq!(
        (count(&db, "providers").await, count(&db, "services").await),
        (1, 1)
    );
    assert_eq!(outcome.import.record_type, None);
    assert_eq!(outcome.import.rows_inserted, 2);

    // A bad row in the second member: the first is not applied either.
    let bad = zip_of(&[
        (
            "providers.csv",
            "id,name\n0190a000-0000-7000-8000-000000000002,Second\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "services.csv",
            format!("id,provider_id,name\n0190a000-0000-7000-8000-0000000000a2,{P1},\n")
                .into_bytes(),
        ),
    ]);
    let outcome = import(&db, &store, bad, ImportOptions::default()).await;
    assert!(!outcome.succeeded());
    assert_eq!(
        outcome.errors[0].to_string(),
        "services.csv: row 2, column name: is required"
    );
    assert_eq!(
        (count(&db, "providers").await, count(&db, "services").await),
        (1, 1)
    );
}

#[tokio::test]
async fn unsafe_archives_are_refused() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let provider = format!("id,name\n{P1},Food Bank\n").into_bytes();
    let cases: Vec<(&str, Vec<u8>, ImportLimits, &str)> = vec![
        (
            "zip slip",
            zip_of(&[("../providers.csv", provider.clone())]),
            ImportLimits::default(),
            "points outside the archive",
        ),
        (
            "absolute",
            zip_of(&[("/etc/providers.csv", provider.clone())]),
            ImportLimits::default(),
            "points outside the archive",
        ),
        (
            "zip bomb",
            zip_of(&[("providers.csv", vec![b'0'; 64 * 1024 * 1024])]),
            ImportLimits::default(),
            "zip bomb",
        ),
        (
            "too large",
            zip_of(&[("providers.csv", provider.repeat(100))]),
            ImportLimits {
                max_file_bytes: 1000,
                ..ImportLimits::default()
            },
            "over the limit",
        ),
        (
            "two of a kind",
            zip_of(&[
                ("providers.csv", provider.clone()),
                ("organizations.csv", provider.clone()),
            ]),
            ImportLimits::default(),
            "are both providers",
        ),
        (
            "nothing to import",
            zip_of(&[("readme.txt", b"hello".to_vec())]),
            ImportLimits::default(),
            "no CSV file",
        ),
        (
            "not a zip",
            b"PK but not really".to_vec(),
            ImportLimits::default(),
            "not a readable zip",
        ),
    ];
    for (case, bytes, limits, expected) in cases {
        let outcome = import(
            &db,
            &store,
            bytes,
            ImportOptions {
                limits,
                ..ImportOptions::default()
            },
        )
        .await;
        let text: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|e| e.contains(expected)),
            "{case}: {text:?}"
        );
        assert_eq!(count(&db, "providers").await, 0, "{case}");
    }
}

#[tokio::test]
async fn a_zip_whose_headers_lie_is_stopped_at_the_bytes_it_inflates_and_leaves_nothing() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    // 8 MB of rows that compress ~100-fold, declared as 4 KB each.
    let mut providers = String::from("id,name\n");
    for i in 0..100_000u32 {
        providers.push_str(&format!(
            "0190a000-0000-7000-8000-{i:012},Provider with a long and very repetitive name {}\n",
            "x".repeat(20)
        ));
    }
    let honest = zip_of(&[
        ("organizations.csv", providers.clone().into_bytes()),
        ("services.csv", b"id,provider_id,name\n".to_vec()),
    ]);
    let lying = crate::helpers::lying_about_sizes(honest, 4096);
    let outcome = import(&db, &store, lying, ImportOptions::default()).await;
    let text: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|e| e.contains("organizations.csv") && e.contains("declares")),
        "{text:?}"
    );
    assert_eq!(count(&db, "providers").await, 0);
    // Nothing unpacked is left behind: only the zip itself, kept for the history.
    let stored = signpost::store::list_all(store.as_ref(), "imports/")
        .await
        .expect("list");
    let keys: Vec<&str> = stored.iter().map(|meta| meta.key.as_str()).collect();
    assert_eq!(keys, [format!("imports/{}", outcome.import.id)], "{keys:?}");
}

#[tokio::test]
async fn members_of_a_failed_zip_import_are_not_kept() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    // Unpacks fine, then fails its checks (a service of no provider).
    let zip = zip_of(&[
        (
            "organizations.csv",
            format!("id,name\n{P1},Food Bank\n").into_bytes(),
        ),
        (
            "services.csv",
            format!("id,provider_id,name\n{S1},0190a000-0000-7000-8000-00000000dead,Meals\n")
                .into_bytes(),
        ),
    ]);
    let outcome = import(&db, &store, zip, ImportOptions::default()).await;
    assert!(!outcome.succeeded());
    let stored = signpost::store::list_all(store.as_ref(), "imports/")
        .await
        .expect("list");
    let keys: Vec<&str> = stored.iter().map(|meta| meta.key.as_str()).collect();
    assert_eq!(keys, [format!("imports/{}", outcome.import.id)], "{keys:?}");
}
