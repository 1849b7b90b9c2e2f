//! CSV import: a corpus of bad files, each refused with its error naming row and
//! column and the database left as it was; UPSERT and REPLACE; the delete guard;
//! dry runs; identical files; encodings; the command line's exit codes.

use crate::helpers::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use signpost::import::run::{ImportLimits, ImportOutcome};
use signpost::import::{ImportOptions, Mode, import_file};
use signpost::repo::RecordType;
use signpost::store::Store;
use std::sync::Arc;

const P1: &str = "0190a000-0000-7000-8000-000000000001";
const P2: &str = "0190a000-0000-7000-8000-000000000002";
const S1: &str = "0190a000-0000-7000-8000-0000000000a1";
const S2: &str = "0190a000-0000-7000-8000-0000000000a2";
const S3: &str = "0190a000-0000-7000-8000-0000000000a3";

struct Setup {
    _db: TestDb,
    db: DatabaseConnection,
    store: Store,
}

async fn setup() -> Setup {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    Setup {
        _db: test_db,
        db,
        store: Arc::new(signpost::store::memory::MemoryStore::new()),
    }
}

async fn import(setup: &Setup, name: &str, bytes: &[u8], options: ImportOptions) -> ImportOutcome {
    let body = signpost::store::body_of(bytes.to_vec());
    import_file(&setup.db, &setup.store, name, body, &options, Some("test"))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn opts() -> ImportOptions {
    ImportOptions::default()
}

/// (row count, live count, latest change) of a table: "the database as it was".
async fn state(db: &DatabaseConnection, table: &str) -> (i64, i64, String) {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT COUNT(*) AS n, COUNT(*) - COUNT(deleted_at) AS live, \
                 CAST(MAX(updated_at) AS TEXT) AS latest FROM {table}"
            ),
        ))
        .await
        .expect("query")
        .expect("row");
    (
        row.try_get("", "n").expect("n"),
        row.try_get("", "live").expect("live"),
        row.try_get::<Option<String>>("", "latest")
            .expect("latest")
            .unwrap_or_default(),
    )
}

async fn names(db: &DatabaseConnection, table: &str) -> Vec<String> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT name FROM {table} WHERE deleted_at IS NULL ORDER BY name"),
        ))
        .await
        .expect("query");
    rows.iter()
        .map(|r| r.try_get("", "name").expect("name"))
        .collect()
}

async fn providers(setup: &Setup) {
    let csv = format!("id,name,published\n{P1},Food Bank,true\n{P2},Advice Centre,true\n");
    let outcome = import(setup, "providers.csv", csv.as_bytes(), opts()).await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
}

#[tokio::test]
async fn bad_files_are_refused_naming_row_and_column_and_change_nothing() {
    let setup = setup().await;
    providers(&setup).await;
    let good = format!("id,provider_id,name\n{S1},{P1},Meals\n");
    assert!(
        import(&setup, "services.csv", good.as_bytes(), opts())
            .await
            .succeeded()
    );
    let before = state(&setup.db, "services").await;
    let long = "x".repeat(1024 * 1024);
    let corpus: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty file", b"".to_vec(), "empty"),
        ("header only", b"id,provider_id,name\n".to_vec(), "no rows"),
        ("ragged row", format!("id,provider_id,name\n{S2},{P1}\n").into_bytes(), "row 2: has 2 fields; the header has 3"),
        ("missing required column", format!("id,name\n{S2},X\n").into_bytes(), "required column \"provider_id\""),
        ("duplicate column", format!("id,provider_id,organization_id,name\n{S2},{P1},{P1},X\n").into_bytes(), "appears twice"),
        ("bad uuid", format!("id,provider_id,name\nnope,{P1},X\n").into_bytes(), "row 2, column id: \"nope\" is not a UUID"),
        ("bad types", format!("id,provider_id,name,minimum_age,status,url,assured_date\n{S2},{P1},X,-3,open,ftp://x,2026-13-01\n").into_bytes(), "row 2, column minimum_age"),
        ("blank required", format!("id,provider_id,name\n{S2},{P1},  \n").into_bytes(), "row 2, column name: is required"),
        ("dangling reference", format!("id,provider_id,name\n{S2},0190a000-0000-7000-8000-00000000dead,X\n").into_bytes(), "row 2, column provider_id: no live provider"),
        ("duplicate ids", format!("id,provider_id,name\n{S2},{P1},X\n{S2},{P1},Y\n").into_bytes(), "row 3, column id: 0190a000-0000-7000-8000-0000000000a2 is also the id on row 2"),
        ("ages out of order", format!("id,provider_id,name,minimum_age,maximum_age\n{S2},{P1},X,18,5\n").into_bytes(), "row 2, column maximum_age"),
        ("invalid utf-8", [format!("id,provider_id,name\n{S2},{P1},").into_bytes(), vec![0xC3, 0x28, 0x81, b'\n']].concat(), "row 2, column name: is not valid UTF-8"),
        ("1 MB field", format!("id,provider_id,name\n{S2},{P1},{long}\n").into_bytes(), "row 2, column name: is longer than"),
        ("utf-16", vec![0xFF, 0xFE, b'i', 0, b'd', 0], "UTF-16"),
        ("duplicate ids far apart", [format!("id,provider_id,name\n{S2},{P1},X\n"), (0..2500).map(|i| format!("0190a000-0000-7000-8000-{:012},{P1},N{i}\n", 0x10000 + i)).collect(), format!("{S2},{P1},Y\n")].concat().into_bytes(), "row 2503, column id: 0190a000-0000-7000-8000-0000000000a2 is also the id on row 2"),
        ("a good row after a bad one", format!("id,provider_id,name\n{S2},{P1},Fine\n{S3},{P1},\n").into_bytes(), "row 3, column name: is required"),
    ];
    for (case, bytes, expected) in corpus {
        let outcome = import(&setup, "services.csv", &bytes, opts()).await;
        assert!(!outcome.succeeded(), "{case}: accepted");
        let text: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|e| e.contains(expected)),
            "{case}: {text:?}"
        );
        assert_eq!(outcome.import.state.to_string(), "failed", "{case}");
        assert_eq!(
            state(&setup.db, "services").await,
            before,
            "{case}: the database changed"
        );
    }
    // A reference to a record further down the same file is fine; to nothing
    // in the file or the directory, or to a deleted record, is not.
    let dangling_parent =
        format!("id,name,parent_provider_id\n{P2},Child,0190a000-0000-7000-8000-00000000beef\n");
    let outcome = import(&setup, "providers.csv", dangling_parent.as_bytes(), opts()).await;
    assert_eq!(
        outcome
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [
            "row 2, column parent_provider_id: no live provider has id 0190a000-0000-7000-8000-00000000beef, in the directory or this file"
        ]
    );
    // Every problem of a file at once.
    let many =
        format!("id,provider_id,name,minimum_age\nx,{P1},A,1\n{S2},{P1},,2\n{S3},{P1},C,old\n");
    let outcome = import(&setup, "services.csv", many.as_bytes(), opts()).await;
    assert_eq!(outcome.errors.len(), 3, "{:?}", outcome.errors);
    assert_eq!(outcome.import.rows_rejected, 3);
}

#[tokio::test]
async fn unknown_columns_warn_or_are_refused_in_strict_mode() {
    let setup = setup().await;
    let csv = format!("id,name,program_id,accreditations,last_modified\n{P1},Food Bank,x,y,z\n");
    let outcome = import(&setup, "organizations.csv", csv.as_bytes(), opts()).await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let warning = outcome
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        warning.contains("program_id, accreditations, last_modified"),
        "{warning}"
    );
    let strict = ImportOptions {
        strict: true,
        ..opts()
    };
    let outcome = import(&setup, "organizations.csv", csv.as_bytes(), strict).await;
    assert!(!outcome.succeeded());
    assert!(
        outcome.errors[0].to_string().contains("strict"),
        "{:?}",
        outcome.errors
    );
}

#[tokio::test]
async fn line_ends_quotes_boms_and_windows_1252_all_read_the_same() {
    let setup = setup().await;
    providers(&setup).await;
    let variants: Vec<(&str, Vec<u8>)> = vec![
        (
            "CRLF",
            format!("id,provider_id,name\r\n{S1},{P1},Café £8\r\n").into_bytes(),
        ),
        (
            "CR only",
            format!("id,provider_id,name\r{S1},{P1},Café £8\r").into_bytes(),
        ),
        (
            "BOM",
            [
                vec![0xEF, 0xBB, 0xBF],
                format!("id,provider_id,name\n{S1},{P1},Café £8\n").into_bytes(),
            ]
            .concat(),
        ),
        (
            "semicolons",
            format!("id;provider_id;name\n{S1};{P1};Café £8\n").into_bytes(),
        ),
        (
            "windows-1252",
            [
                format!("id,provider_id,name\n{S1},{P1},Caf").into_bytes(),
                vec![0xE9, b' ', 0xA3, b'8', b'\n'],
            ]
            .concat(),
        ),
    ];
    for (case, bytes) in variants {
        let outcome = import(&setup, "services.csv", &bytes, opts()).await;
        assert!(outcome.succeeded(), "{case}: {:?}", outcome.errors);
        assert_eq!(names(&setup.db, "services").await, ["Café £8"], "{case}");
    }
    let quoted =
        format!("id,provider_id,name,description\n{S1},{P1},\"Meals, hot\",\"two\nlines\"\n");
    let outcome = import(&setup, "services.csv", quoted.as_bytes(), opts()).await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    assert_eq!(names(&setup.db, "services").await, ["Meals, hot"]);
}

#[tokio::test]
async fn bytes_that_are_neither_utf8_nor_plausible_windows_1252_are_refused_by_row_and_column() {
    let setup = setup().await;
    providers(&setup).await;
    // Not UTF-8, and no Windows-1252 text has `ÿþú` in a row.
    let garbled = [
        format!("id,provider_id,name,description\n{S1},{P1},Meals,").into_bytes(),
        vec![0xFF, 0xFE, 0xFA, b'x', b'\n'],
    ]
    .concat();
    let outcome = import(&setup, "services.csv", &garbled, opts()).await;
    assert!(
        !outcome.succeeded(),
        "stored as mojibake instead of refused"
    );
    let error = outcome.errors[0].to_string();
    assert!(
        error.contains("row 2") || error.contains("line 2"),
        "{error}"
    );
    assert!(error.contains("description"), "{error}");
    assert!(
        error.contains("windows-1252"),
        "says how to declare it: {error}"
    );
    assert!(names(&setup.db, "services").await.is_empty());
    // Declared, the same bytes are taken at their word.
    let declared = ImportOptions {
        encoding: Some("windows-1252".into()),
        ..opts()
    };
    let outcome = import(&setup, "services.csv", &garbled, declared).await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
}

#[tokio::test]
async fn upsert_inserts_updates_and_leaves_unchanged_rows_alone() {
    let setup = setup().await;
    providers(&setup).await;
    let first =
        format!("id,provider_id,name,description\n{S1},{P1},Meals,hot\n{S2},{P1},Advice,\n");
    let outcome = import(&setup, "services.csv", first.as_bytes(), opts()).await;
    assert_eq!(
        (outcome.import.rows_inserted, outcome.import.rows_updated),
        (2, 0)
    );
    let second = format!(
        "id,organization_id,name,description\n{S1},{P1},Meals,cold\n{S2},{P1},Advice,\n,{P2},New,\n"
    );
    let outcome = import(&setup, "services.csv", second.as_bytes(), opts()).await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let report = &outcome.files[0];
    assert_eq!(
        (report.inserts, report.updates, report.unchanged),
        (1, 2, 1),
        "{report:?}"
    );
    let versions = setup
        .db
        .query_all_raw(Statement::from_string(
            setup.db.get_database_backend(),
            "SELECT name, version FROM services ORDER BY name",
        ))
        .await
        .expect("versions");
    let versions: Vec<(String, i32)> = versions
        .iter()
        .map(|r| {
            (
                r.try_get("", "name").expect("n"),
                r.try_get("", "version").expect("v"),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [("Advice".into(), 1), ("Meals".into(), 2), ("New".into(), 1)]
    );
    // The same bytes again: nothing to do.
    let again = import(&setup, "services.csv", second.as_bytes(), opts()).await;
    assert!(again.duplicate_of.is_some() && again.succeeded());
}

#[tokio::test]
async fn replace_deletes_what_the_file_lacks_within_the_guard() {
    let setup = setup().await;
    providers(&setup).await;
    let rows: String = (1..=10)
        .map(|i| format!("0190a000-0000-7000-8000-0000000001{i:02},{P1},Service {i:02}\n"))
        .collect();
    let all = format!("id,provider_id,name\n{rows}");
    assert!(
        import(&setup, "services.csv", all.as_bytes(), opts())
            .await
            .succeeded()
    );
    let replace = ImportOptions {
        mode: Mode::Replace,
        ..opts()
    };
    // Keeping 4 of 10 would delete 60%: refused without force.
    let kept: String = all.lines().take(5).map(|l| format!("{l}\n")).collect();
    let outcome = import(&setup, "services.csv", kept.as_bytes(), replace.clone()).await;
    assert!(!outcome.succeeded());
    assert!(
        outcome.errors[0].to_string().contains("6 of 10"),
        "{:?}",
        outcome.errors
    );
    assert_eq!(state(&setup.db, "services").await.1, 10);
    // Keeping 8: 2 deleted (tombstoned, with their children).
    let most: String = all.lines().take(9).map(|l| format!("{l}\n")).collect();
    let outcome = import(&setup, "services.csv", most.as_bytes(), replace.clone()).await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    assert_eq!(
        (outcome.files[0].deletes, outcome.import.rows_deleted),
        (2, 2)
    );
    assert_eq!(state(&setup.db, "services").await.1, 8);
    // Forced: keeps 4.
    let forced = ImportOptions {
        force: true,
        ..replace
    };
    let outcome = import(&setup, "services.csv", kept.as_bytes(), forced).await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    assert_eq!(state(&setup.db, "services").await.1, 4);
}

#[tokio::test]
async fn a_dry_run_previews_and_changes_nothing() {
    let setup = setup().await;
    providers(&setup).await;
    let imports_before = state_imports(&setup.db).await;
    let csv = format!("id,provider_id,name,minimum_age\n{S1},{P1},Meals,5\n");
    let dry = ImportOptions {
        dry_run: true,
        ..opts()
    };
    let outcome = import(&setup, "services.csv", csv.as_bytes(), dry).await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    assert_eq!(outcome.import.state.to_string(), "validated");
    let report = &outcome.files[0];
    assert_eq!(report.inserts, 1);
    assert_eq!(report.sample[0]["name"], "Meals");
    assert_eq!(report.sample[0]["minimum_age"], 5);
    assert_eq!(state(&setup.db, "services").await.0, 0, "nothing written");
    assert_eq!(
        state_imports(&setup.db).await,
        imports_before + 1,
        "the dry run is in the history, marked as one"
    );
    assert!(outcome.import.dry_run);
    let preview = outcome.import.preview.clone().unwrap_or_default();
    assert_eq!(preview[0]["inserts"], 1, "{preview}");
    let log = setup
        .db
        .query_one_raw(Statement::from_string(
            setup.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM change_log",
        ))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(
        log.try_get::<i64>("", "n").expect("n"),
        0,
        "no change logged"
    );
}

async fn state_imports(db: &DatabaseConnection) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM imports",
        ))
        .await
        .expect("query")
        .expect("row");
    row.try_get("", "n").expect("n")
}

#[tokio::test]
async fn hsds_files_and_names_import() {
    let setup = setup().await;
    let outcome = import(
        &setup,
        "organizations.csv",
        format!(
            "id,name,url,parent_organization_id\n{P2},Child,https://c.org,{P1}\n{P1},Parent,,\n"
        )
        .as_bytes(),
        opts(),
    )
    .await;
    assert!(
        outcome.succeeded(),
        "forward reference within a file: {:?}",
        outcome.errors
    );
    let locations = "id,organization_id,name,location_type,latitude,longitude\n0190a000-0000-7000-8000-0000000000c1,".to_owned() + P1 + ",Hall,Physical,53.8,-1.55\n";
    assert!(
        import(&setup, "locations.csv", locations.as_bytes(), opts())
            .await
            .succeeded()
    );
    assert_eq!(names(&setup.db, "venues").await, ["Hall"]);
    let refused = ImportOptions {
        record_type: Some(RecordType::Venues),
        limits: ImportLimits {
            max_errors: 1,
            ..ImportLimits::default()
        },
        ..opts()
    };
    let bad = "id,name,latitude\nx,A,95\ny,B,1\n";
    let outcome = import(&setup, "whatever.csv", bad.as_bytes(), refused).await;
    assert!(
        outcome
            .errors
            .last()
            .is_some_and(|e| e.to_string().contains("only the first 1")),
        "{:?}",
        outcome.errors
    );
    // The cap holds for problems found across rows too, and every rejected row
    // is still counted.
    let capped = ImportOptions {
        limits: ImportLimits {
            max_errors: 3,
            ..ImportLimits::default()
        },
        ..opts()
    };
    let orphans: String = (0..10)
        .map(|i| {
            format!(
                "0190a000-0000-7000-8000-{:012},0190a000-0000-7000-8000-00000000dead,S{i}\n",
                0x900 + i
            )
        })
        .collect();
    let outcome = import(
        &setup,
        "services.csv",
        format!("id,provider_id,name\n{orphans}").as_bytes(),
        capped,
    )
    .await;
    let text: Vec<String> = outcome.errors.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 4, "{text:?}");
    assert!(
        text[0].starts_with("row 2, column provider_id: no live provider has"),
        "{text:?}"
    );
    assert!(text[3].contains("only the first 3"), "{text:?}");
    assert_eq!(outcome.import.rows_rejected, 10);
}

#[test]
fn the_command_line_exits_0_1_or_2() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(args)
            .current_dir(dir.path())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/t.db?mode=rwc", dir.path().display()),
            )
            .env("SIGNPOST_DATA_DIR", dir.path())
            .env_remove("SIGNPOST_OBJECTSTORE")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run")
    };
    std::fs::write(
        dir.path().join("providers.csv"),
        format!("id,name\n{P1},Food Bank\n"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("services.csv"),
        format!("id,provider_id,name\n{S1},{P2},X\n{S2},{P1},\n"),
    )
    .expect("write");
    std::fs::write(dir.path().join("mystery.csv"), "id,name\n").expect("write");
    let ok = run(&["import", "providers.csv"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let refused = run(&["import", "services.csv"]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("row 2, column provider_id") && stderr.contains("row 3, column name"),
        "{stderr}"
    );
    let usage = run(&["import", "mystery.csv"]);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&usage.stderr)
    );
    let typed = run(&[
        "import",
        "mystery.csv",
        "--type",
        "organizations",
        "--dry-run",
    ]);
    assert_eq!(
        typed.status.code(),
        Some(1),
        "header only: {}",
        String::from_utf8_lossy(&typed.stderr)
    );
}
