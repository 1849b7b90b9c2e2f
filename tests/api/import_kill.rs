//! A process killed while it applies an import leaves nothing of it visible: the
//! one transaction never commits, and the database rolls it back.

use crate::helpers::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::time::{Duration, Instant};

const P1: &str = "0190a000-0000-7000-8000-000000000001";

async fn scalar(db: &DatabaseConnection, sql: &str) -> Option<String> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .ok()??;
    row.try_get::<String>("", "v").ok()
}

#[tokio::test]
async fn a_killed_import_leaves_nothing_partial() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let dir = test_db.dir.path();
    std::fs::write(
        dir.join("providers.csv"),
        format!("id,name\n{P1},Food Bank\n"),
    )
    .expect("write");
    let mut services = String::from("id,provider_id,name,description\n");
    for i in 0..150_000u32 {
        services.push_str(&format!(
            "0190a000-0000-7000-8000-{i:012},{P1},Service {i},A long enough description of service number {i}\n"
        ));
    }
    std::fs::write(dir.join("services.csv"), services).expect("write");
    let run = |file: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(["import", file])
            .current_dir(dir)
            .env("DATABASE_URL", &test_db.url)
            .env("SIGNPOST_DATA_DIR", dir)
            .env_remove("SIGNPOST_OBJECTSTORE")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn")
    };
    assert!(run("providers.csv").wait().expect("wait").success());
    let mut child = run("services.csv");
    let started = Instant::now();
    let state_sql = "SELECT state AS v FROM imports WHERE file_name = 'services.csv'";
    loop {
        let state = scalar(&db, state_sql).await;
        if state.as_deref() == Some("applying") {
            break;
        }
        assert!(
            child.try_wait().expect("poll").is_none(),
            "the import ended before it could be killed (state {state:?})"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "never reached applying"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let it write some batches, then kill it without warning.
    tokio::time::sleep(Duration::from_millis(400)).await;
    child.kill().expect("kill");
    child.wait().expect("reap");
    drop(db);
    let db = sea_orm::Database::connect(&test_db.url)
        .await
        .expect("reconnect");
    let services = scalar(&db, "SELECT CAST(COUNT(*) AS TEXT) AS v FROM services").await;
    assert_eq!(
        services.as_deref(),
        Some("0"),
        "no service of the killed import is visible"
    );
    let providers = scalar(&db, "SELECT CAST(COUNT(*) AS TEXT) AS v FROM providers").await;
    assert_eq!(providers.as_deref(), Some("1"));
}

#[tokio::test]
async fn imports_left_running_by_a_stopped_process_are_marked_failed() {
    use sea_orm::{ActiveModelTrait, EntityTrait};
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let now = signpost::repo::now();
    let row = |state: &str, age_hours: i64| entities::imports::Model {
        id: signpost::repo::new_id(),
        record_type: Some("services".into()),
        mode: "upsert".into(),
        dry_run: false,
        force: false,
        strict: false,
        file_name: format!("{state}-{age_hours}.csv"),
        object_key: "imports/x".into(),
        sha256: String::new(),
        size_bytes: 0,
        state: state.into(),
        rows_total: 0,
        rows_inserted: 0,
        rows_updated: 0,
        rows_deleted: 0,
        rows_rejected: 0,
        errors: None,
        warnings: None,
        submitted_by: None,
        restored_from: None,
        created_at: now - chrono::TimeDelta::hours(age_hours),
        updated_at: now - chrono::TimeDelta::hours(age_hours),
        finished_at: None,
        preview: None,
        rows_done: 0,
    };
    for (state, age) in [
        ("applying", 7),
        ("validating", 8),
        ("applying", 1),
        ("completed", 9),
    ] {
        entities::imports::ActiveModel::from(row(state, age))
            .insert(&db)
            .await
            .expect("insert");
    }
    let swept = signpost::import::progress::sweep_interrupted(&db)
        .await
        .expect("sweep");
    assert_eq!(swept, 2);
    let mut states: Vec<(String, String)> = entities::imports::Entity::find()
        .all(&db)
        .await
        .expect("rows")
        .into_iter()
        .map(|row| (row.file_name, row.state))
        .collect();
    states.sort();
    assert_eq!(
        states,
        [
            ("applying-1.csv".to_owned(), "applying".to_owned()),
            ("applying-7.csv".to_owned(), "failed".to_owned()),
            ("completed-9.csv".to_owned(), "completed".to_owned()),
            ("validating-8.csv".to_owned(), "failed".to_owned()),
        ]
    );
}
