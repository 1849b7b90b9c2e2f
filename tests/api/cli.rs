//! The `signpost` binary as an operator meets it.

use crate::helpers::TestDb;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn signpost() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signpost"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("SIGNPOST_CONFIG")
        .env_remove("SIGNPOST_OBJECTSTORE")
        .env_remove("APIAPP_OBJECTSTORECONFIG")
        .env("RUST_LOG", "warn");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run signpost")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_malformed_database_url_is_one_line_naming_it_and_exit_code_2() {
    let output = run(signpost()
        .args(["migrate", "status"])
        .env("DATABASE_URL", "mysql://admin:hunter2@db/x"));
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert_eq!(text.trim().lines().count(), 1, "{text}");
    assert!(text.contains("DATABASE_URL"), "{text}");
    assert!(!text.contains("hunter2"), "never echo the secret: {text}");
}

#[test]
fn a_bad_config_file_is_a_clear_error_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let output = run(signpost().args(["--config", missing.to_str().unwrap(), "print-schema"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("SIGNPOST_CONFIG"),
        "{}",
        stderr(&output)
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "bind = \"not an address\"\n").unwrap();
    let output = run(signpost().args(["--config", bad.to_str().unwrap(), "print-schema"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("SIGNPOST_BIND"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unreachable_database_is_retried_then_exit_code_1() {
    let started = Instant::now();
    let output = run(signpost()
        .args(["migrate", "status"])
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nothing")
        .env("SIGNPOST_DB_CONNECT_TIMEOUT_SECS", "2"));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("database unreachable"),
        "{}",
        stderr(&output)
    );
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "it retried for a while"
    );
}

#[test]
fn print_schema_prints_the_sdl() {
    let output = run(signpost().arg("print-schema"));
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        signpost::graphql::sdl()
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Waits for `/health/ready`, then stops the process with SIGTERM and returns its exit.
async fn serve_until_ready_then_terminate(mut child: Child, port: u16) -> std::process::ExitStatus {
    signpost::install_tls_provider();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = client
            .get(format!("http://127.0.0.1:{port}/health/ready"))
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false);
        if ready {
            break;
        }
        assert!(Instant::now() < deadline, "server never became ready");
        assert!(child.try_wait().unwrap().is_none(), "server exited early");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn serve_becomes_ready_and_stops_cleanly_on_sigterm() {
    let test_db = TestDb::new().await;
    let port = free_port();
    let child = signpost()
        .arg("serve")
        .env("DATABASE_URL", &test_db.url)
        .env("SIGNPOST_BIND", format!("127.0.0.1:{port}"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = serve_until_ready_then_terminate(child, port).await;
    assert!(status.success(), "graceful exit: {status}");
    let db = test_db.connect().await;
    assert_eq!(
        signpost::repo::providers::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        0,
        "a configured database is never filled with demo data"
    );
}

#[tokio::test]
async fn with_no_database_configured_it_serves_a_demo_directory_from_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = signpost()
        .current_dir(dir.path())
        .env("SIGNPOST_BIND", format!("127.0.0.1:{port}"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = serve_until_ready_then_terminate(child, port).await;
    assert!(status.success());
    let file = dir.path().join("signpost-data/signpost.db");
    assert!(
        file.is_file(),
        "the default database is created under ./signpost-data"
    );
    let db = sea_orm::Database::connect(format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let services = signpost::repo::services::Entity::find()
        .count(&db)
        .await
        .unwrap();
    assert!(services > 0, "the demo directory was loaded");
}

#[tokio::test]
async fn demo_data_command_fills_an_empty_database_and_refuses_a_full_one() {
    let test_db = TestDb::new().await;
    let output = run(signpost()
        .args(["demo-data", "--scale", "25", "--seed", "3"])
        .env("DATABASE_URL", &test_db.url));
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.trim().starts_with("services") && l.contains(" 25 rows")),
        "{stdout}"
    );

    let again = run(signpost()
        .args(["demo-data", "--scale", "25"])
        .env("DATABASE_URL", &test_db.url));
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("empty"), "{}", stderr(&again));
}

#[test]
fn weak_secrets_stop_the_server_at_start_naming_the_setting() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (what, variable, value, named) in [
        (
            "empty JWT secret",
            "SIGNPOST_JWT_SECRET",
            "",
            "SIGNPOST_JWT_SECRET",
        ),
        (
            "one-byte JWT secret",
            "SIGNPOST_JWT_SECRET",
            "x",
            "SIGNPOST_JWT_SECRET",
        ),
        (
            "31-byte JWT secret",
            "SIGNPOST_JWT_SECRET",
            "0123456789012345678901234567890",
            "SIGNPOST_JWT_SECRET",
        ),
        (
            "empty HAWK key",
            "SIGNPOST_HAWK_CLIENTS",
            r#"{"pipeline": {"key": "", "scopes": ["read"]}}"#,
            "pipeline",
        ),
        (
            "blank HAWK key",
            "SIGNPOST_HAWK_CLIENTS",
            r#"{"pipeline": {"key": "   ", "scopes": ["read"]}}"#,
            "pipeline",
        ),
    ] {
        let output = run(signpost()
            .args(["serve"])
            .env("SIGNPOST_DATA_DIR", dir.path())
            .env("SIGNPOST_BIND", "127.0.0.1:0")
            .env(variable, value));
        assert_eq!(output.status.code(), Some(2), "{what}: {}", stderr(&output));
        let text = stderr(&output);
        assert!(text.contains(named), "{what}: {text}");
        if !value.is_empty() && variable == "SIGNPOST_JWT_SECRET" {
            assert!(
                !text.contains(value),
                "{what}: never echo the secret: {text}"
            );
        }
    }
}

#[tokio::test]
async fn weak_secrets_are_refused_by_the_server_built_in_process_too() {
    let db = TestDb::new().await;
    let mut config = db.config();
    config.jwt_secret = Some("short".to_owned().into());
    let refused = signpost::cli::serve::prepare(config, &Default::default()).await;
    let error = refused.err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(error.contains("SIGNPOST_JWT_SECRET"), "{error}");
}

#[tokio::test]
async fn dataset_commands_preview_load_refuse_and_restore() {
    let test_db = TestDb::new().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let org = format!("cli_{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let dataset = |args: &[&str]| {
        let mut command = signpost();
        command
            .env("DATABASE_URL", &test_db.url)
            .env("SIGNPOST_DATA_DIR", dir.path())
            .arg("dataset")
            .args(args);
        run(&mut command)
    };
    let stdout = |output: &Output| String::from_utf8_lossy(&output.stdout).into_owned();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "id,opened,amount\n1,2024-01-01,10\n2,2024-01-02,n/a\n",
    )
    .unwrap();
    let missing = dataset(&["upload", &org, "d", good.to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("signpost dataset create"),
        "{}",
        stderr(&missing)
    );
    assert!(dataset(&["create", &org, "d"]).status.success());
    let bad_type = dataset(&[
        "upload",
        &org,
        "d",
        good.to_str().unwrap(),
        "--type",
        "opened=when",
    ]);
    assert_eq!(bad_type.status.code(), Some(2), "{}", stderr(&bad_type));
    let loaded = dataset(&[
        "upload",
        &org,
        "d",
        good.to_str().unwrap(),
        "--type",
        "opened=timestamp",
    ]);
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    let printed = stdout(&loaded);
    assert!(
        printed.contains("amount: text (fits text; 0 empty) e.g. 10 | n/a"),
        "{printed}"
    );
    assert!(
        printed.contains("opened: date (fits date, timestamp, text"),
        "{printed}"
    );
    assert!(printed.contains("version 1 completed: 2 rows"), "{printed}");
    // An integer column that is not: refused naming row and column, exit 1.
    let refused = dataset(&[
        "upload",
        &org,
        "d",
        good.to_str().unwrap(),
        "--type",
        "amount=integer",
    ]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("row 3, column amount: \"n/a\" is not an integer"),
        "{}",
        stderr(&refused)
    );
    let dry = dataset(&["upload", &org, "d", good.to_str().unwrap(), "--dry-run"]);
    assert!(
        stdout(&dry).contains("dry run: version 3 discarded"),
        "{}",
        stdout(&dry)
    );
    let listed = stdout(&dataset(&["list"]));
    let line = format!("{org}/d: version 1, 2 rows (id ");
    assert!(listed.contains(&line), "{listed}");
    let id = listed
        .split(&line)
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .to_owned();
    let restored = dataset(&["restore", &id]);
    assert!(
        stdout(&restored).contains("version 4 completed: 2 rows"),
        "{}",
        stderr(&restored)
    );
    let listed = stdout(&dataset(&["list"]));
    assert!(
        listed.contains(&format!("{org}/d: version 4, 2 rows")),
        "{listed}"
    );
}
