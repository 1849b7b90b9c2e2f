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
    // Nothing is applied yet, so nothing is counted as applied.
    let counted = scalar(
        &db,
        "SELECT CAST(rows_inserted + rows_updated AS TEXT) AS v FROM imports WHERE file_name = 'services.csv'",
    )
    .await;
    assert_eq!(counted.as_deref(), Some("0"), "counts while applying");
    // Let it write some batches, then kill it without warning.
    tokio::time::sleep(Duration::from_millis(400)).await;
    child.kill().expect("kill");
    child.wait().expect("reap");
    // With its heartbeat gone, a sweep finds it (the live import's side, that a
    // heartbeat keeps the sweep away, is the next test's). No waiting for the
    // staleness window: a window of zero takes any row not beating right now.
    let swept = signpost::import::progress::sweep_interrupted(&db, Duration::ZERO)
        .await
        .expect("sweep");
    assert_eq!(swept, 1, "the killed import is marked failed");
    let row = scalar(
        &db,
        "SELECT state || ':' || CAST(rows_inserted + rows_updated + rows_deleted AS TEXT) AS v FROM imports WHERE file_name = 'services.csv'",
    )
    .await;
    assert_eq!(row.as_deref(), Some("failed:0"));
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
    let now = signpost::stamp::now();
    let row = |state: &str, age_hours: i64| entities::imports::Model {
        id: signpost::stamp::new_id(),
        record_type: Some("services".into()),
        mode: signpost::import::Mode::Upsert,
        dry_run: false,
        force: false,
        strict: false,
        publish: false,
        file_name: format!("{state}-{age_hours}.csv"),
        object_key: "imports/x".into(),
        sha256: String::new(),
        size_bytes: 0,
        state: sea_orm::ActiveEnum::try_from_value(&state.to_owned()).expect("a state"),
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
        confirms: None,
        encoding: None,
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
    let swept = signpost::import::progress::sweep_interrupted(&db, Duration::from_secs(3 * 3600))
        .await
        .expect("sweep");
    assert_eq!(swept, 2);
    let mut states: Vec<(String, String)> = entities::imports::Entity::find()
        .all(&db)
        .await
        .expect("rows")
        .into_iter()
        .map(|row| (row.file_name, row.state.to_string()))
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

/// A service file of `rows` rows under provider P1.
fn services_csv(rows: u32) -> String {
    let mut services = String::from("id,provider_id,name,description\n");
    for i in 0..rows {
        services.push_str(&format!(
            "0190a000-0000-7000-8000-{i:012},{P1},Service {i},A long enough description of service number {i}\n"
        ));
    }
    services
}

#[tokio::test]
async fn a_live_import_heartbeats_and_its_progress_moves_while_it_applies() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use signpost::import::{ImportOptions, import_file};
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: signpost::store::Store =
        std::sync::Arc::new(signpost::store::memory::MemoryStore::new());
    let providers = format!("id,name\n{P1},Food Bank\n");
    let options = ImportOptions::default();
    let first = import_file(
        &db,
        &store,
        "providers.csv",
        signpost::store::body_of(providers),
        &options,
        None,
    )
    .await
    .expect("providers");
    assert!(first.succeeded());
    let rows = 200_000u32;
    let work = {
        let (db, store) = (db.clone(), store.clone());
        tokio::spawn(async move {
            import_file(
                &db,
                &store,
                "services.csv",
                signpost::store::body_of(services_csv(rows)),
                &ImportOptions::default(),
                None,
            )
            .await
        })
    };
    let started = Instant::now();
    let mut seen_partial = None;
    let mut first_beat: Option<(String, chrono::DateTime<chrono::Utc>)> = None;
    let mut heartbeat_seen = false;
    while !work.is_finished() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the import never ended"
        );
        let row = entities::imports::Entity::find()
            .filter(entities::imports::Column::FileName.eq("services.csv"))
            .one(&db)
            .await
            .expect("imports");
        if let Some(row) = row {
            let (state, id) = (row.state.to_string(), row.id);
            // Its row moves while its state stays: the heartbeat. A sweep then
            // leaves it be, even one with a staleness of two heartbeats.
            match &first_beat {
                None if state == "validating" => first_beat = Some((state.clone(), row.updated_at)),
                Some((was, at)) if !heartbeat_seen && *was == state && row.updated_at > *at => {
                    heartbeat_seen = true;
                    let swept =
                        signpost::import::progress::sweep_interrupted(&db, Duration::from_secs(2))
                            .await
                            .expect("sweep");
                    assert_eq!(swept, 0, "a live import was taken for dead");
                }
                _ => {}
            }
            if state == "applying"
                && let Some(done) = signpost::import::progress::rows_done(id)
                && done > 0
                && done < u64::from(rows)
            {
                seen_partial = Some(done);
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let outcome = work.await.expect("task").expect("import");
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    assert_eq!(outcome.import.rows_inserted, i64::from(rows));
    assert!(
        seen_partial.is_some(),
        "progress never moved between 0 and {rows} while applying"
    );
    assert!(
        heartbeat_seen,
        "the import's row never moved while it checked"
    );
}

/// PostgreSQL stages an import's rows with `COPY`; a connection lost in the middle
/// (here: its backend terminated, as a failover or an administrator would) fails
/// the import with an error that says so, and leaves nothing behind.
#[tokio::test]
#[cfg_attr(
    not(signpost_test_postgres),
    ignore = "needs PostgreSQL: set TEST_DATABASE_URL"
)]
async fn a_connection_lost_mid_copy_fails_the_import_and_leaves_nothing() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let dir = test_db.dir.path();
    std::fs::write(
        dir.join("providers.csv"),
        format!("id,name\n{P1},Food Bank\n"),
    )
    .expect("write");
    std::fs::write(dir.join("services.csv"), services_csv(300_000)).expect("write");
    // Named, so that only this test's import is cut off, not another test's.
    let (name, url) = crate::helpers::named_url(&test_db.url, "copy_victim");
    let run = |file: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(["import", file])
            .current_dir(dir)
            .env("DATABASE_URL", &url)
            .env("SIGNPOST_DATA_DIR", dir)
            .env_remove("SIGNPOST_OBJECTSTORE")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    assert!(run("providers.csv").wait().expect("wait").success());
    let child = run("services.csv");
    // The import's own session: the backend whose statement is a COPY into a stage.
    crate::helpers::cut_off(&db, "COPY import_stage_", &name, || true).await;
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("staging rows") || stderr.contains("connection"),
        "says what happened: {stderr}"
    );
    let state = scalar(
        &db,
        "SELECT state AS v FROM imports WHERE file_name = 'services.csv'",
    )
    .await;
    assert_eq!(state.as_deref(), Some("failed"), "{stderr}");
    let services = scalar(&db, "SELECT CAST(COUNT(*) AS TEXT) AS v FROM services").await;
    assert_eq!(
        services.as_deref(),
        Some("0"),
        "nothing of the import is visible"
    );
}
