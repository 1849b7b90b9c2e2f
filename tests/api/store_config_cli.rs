//! Store configurations as an operator passes them: the Data Store Service's
//! `APIAPP_OBJECTSTORECONFIG` documents read as written, `store check-config`
//! printing what Signpost understood with secrets hidden, and a wrong field
//! stopping the command with exit code 2 and the field's path.

use crate::cli::signpost;

fn check_config(variable: &str, config: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("dir");
    let output = signpost()
        .args(["store", "check-config"])
        .env("SIGNPOST_DATA_DIR", dir.path())
        .env(variable, config)
        .output()
        .expect("run signpost");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_documented_dynamodb_configuration_is_printed_normalised_with_its_secret_hidden() {
    let config = r#"{"Type": "DynamoDB", "aws_access_key_id": "AKIAEXAMPLE",
        "aws_secret_access_key": "wJalrXUtnFEMI-very-secret", "region_name": "eu-west-2",
        "endpoint_url": "None", "single_table_mode": "True", "objectPrefix": "prod_"}"#;
    let (code, out, err) = check_config("APIAPP_OBJECTSTORECONFIG", config);
    assert_eq!(code, Some(0), "{err}");
    let printed: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(printed["type"], "dynamodb", "{out}");
    assert_eq!(printed["region"], "eu-west-2");
    assert_eq!(
        printed["endpoint_url"],
        serde_json::Value::Null,
        "\"None\" is AWS itself"
    );
    assert_eq!(printed["single_table"], true);
    assert_eq!(printed["table_prefix"], "prod_");
    assert_eq!(printed["secret_access_key"], "***");
    assert!(!out.contains("very-secret") && !err.contains("very-secret"));
}

#[test]
fn a_connection_strings_password_is_never_printed() {
    let config = r#"{"Type": "Caching", "Main": {"Type": "SQLAlchemy",
        "connectionString": "mysql+pymysql://user:hunter2@127.0.0.1:3306/store"},
        "DefaultPolicy": {"cache": true, "maxCacheSize": 100, "cullToSize": 50, "timeout": 60000}}"#;
    let (code, out, err) = check_config("APIAPP_OBJECTSTORECONFIG", config);
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.contains("hunter2"), "{out}");
    assert!(out.contains("user:***@127.0.0.1"), "{out}");
    assert!(out.contains("\"max_cache_objects\": 100"), "{out}");
}

#[test]
fn a_wrong_documented_field_is_exit_code_2_with_its_path() {
    let config = r#"{"Type": "Caching", "Main": {"Type": "Memory"},
        "DefaultPolicy": {"cache": true, "maxCacheSize": 100, "cullToSize": 50, "timeout": "1 minute"}}"#;
    for variable in ["APIAPP_OBJECTSTORECONFIG", "SIGNPOST_OBJECTSTORE"] {
        let (code, _, err) = check_config(variable, config);
        assert_eq!(code, Some(2), "{variable}: {err}");
        assert!(
            err.contains("Caching.DefaultPolicy.timeout: expected milliseconds as a number"),
            "{variable}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    }
}

#[test]
fn signpost_objectstore_wins_over_the_data_store_services_variable() {
    let dir = tempfile::tempdir().expect("dir");
    let output = signpost()
        .args(["store", "check-config"])
        .env("SIGNPOST_DATA_DIR", dir.path())
        .env("APIAPP_OBJECTSTORECONFIG", r#"{"Type": "Memory"}"#)
        .env("SIGNPOST_OBJECTSTORE", r#"{"type": "sql"}"#)
        .output()
        .expect("run signpost");
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.contains("\"type\": \"sql\""), "{out}");
}

#[test]
fn store_migrate_copies_between_any_two_stores_named_on_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let files = dir.path().join("files");
    std::fs::create_dir_all(files.join("imports")).expect("dir");
    for name in ["a.csv", "b.csv", "c.csv"] {
        std::fs::write(files.join("imports").join(name), name).expect("write");
    }
    // Both in the Data Store Service's spelling, as a team moving over has them.
    let from = serde_json::json!({"Type": "SimpleFileStore", "BaseLocation": files}).to_string();
    let database = dir.path().join("objects.db");
    let to = serde_json::json!({"Type": "SQLAlchemy",
        "connectionString": format!("sqlite:///{}", database.display()), "objectPrefix": "moved_"})
    .to_string();
    let run = |extra: &[&str]| {
        let output = signpost()
            .args(["store", "migrate", "--from", &from, "--to", &to])
            .args(extra)
            .env("SIGNPOST_DATA_DIR", dir.path())
            .output()
            .expect("run signpost");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(run(&["--check"]).contains("0.0% migrated: 0 of 3"));
    assert!(run(&[]).contains("copied 3 of 3 objects"));
    let after = run(&["--check"]);
    assert!(after.contains("100.0% migrated: 3 of 3"), "{after}");
    assert!(
        run(&[]).contains("copied 0 of 3 objects"),
        "nothing left to copy"
    );

    let output = signpost()
        .args([
            "store",
            "migrate",
            "--from",
            "{\"Type\": \"Nope\"}",
            "--to",
            &to,
        ])
        .env("SIGNPOST_DATA_DIR", dir.path())
        .output()
        .expect("run signpost");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--from: Nope.Type: unknown store type")
    );
}
