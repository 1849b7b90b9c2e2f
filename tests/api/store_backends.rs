//! The conformance suite on the stores configured as the Data Store Service's
//! documents describe them: the SQL store on a database of its own (SQLite,
//! PostgreSQL, MySQL/MariaDB) and DynamoDB in both of its table layouts, each
//! opened from a JSON configuration as an operator would write it.
//!
//! MySQL runs against `TEST_MYSQL_URL` and DynamoDB against
//! `TEST_DYNAMODB_ENDPOINT` (`.ci/run` points them at the machine's MariaDB and
//! at moto); without them these say they are skipped, and under `CI=true` fail.

use crate::helpers::TestDb;
use crate::store_conformance::conformance;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use signpost::store::{Store, StoreConfig};

/// `variable`'s value, or `None` (said to be skipped); under `CI=true` a missing
/// value fails the test instead.
pub fn required_env(variable: &str, test: &str) -> Option<String> {
    let value = std::env::var(variable).ok().filter(|v| !v.is_empty());
    if value.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "CI=true but {variable} is not set: {test} would be skipped"
        );
        eprintln!("signpost tests: {variable} is not set, {test} is SKIPPED");
    }
    value
}

/// A table prefix no other test run uses.
fn unique_prefix() -> String {
    format!("t{}_", &uuid::Uuid::now_v7().simple().to_string()[20..])
}

async fn open(config: Value, db: &sea_orm::DatabaseConnection) -> Store {
    let config = StoreConfig::from_json(&config).unwrap_or_else(|e| panic!("{config}: {e}"));
    config.open(db, None).await.expect("open")
}

#[tokio::test]
async fn sql_store_on_its_own_sqlite_database_conforms() {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("objects.db");
    // SQLAlchemy's absolute-path spelling: four slashes.
    let config = json!({"Type": "SQLAlchemy", "connectionString": format!("sqlite:///{}", file.display()),
        "objectPrefix": "os_"});
    conformance("sql on its own SQLite", open(config, &db).await).await;
    // The objects went to that file, not to Signpost's own tables.
    let own: i64 = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM objects",
        ))
        .await
        .expect("count")
        .and_then(|row| row.try_get("", "n").ok())
        .unwrap_or(-1);
    assert_eq!(own, 0, "Signpost's own objects table stayed empty");
    assert!(file.metadata().expect("the store's file").len() > 0);
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_postgres),
    ignore = "needs PostgreSQL: set TEST_DATABASE_URL"
)]
async fn sql_store_on_its_own_postgres_database_conforms() {
    let signpost_db = TestDb::new().await;
    let store_db = TestDb::new().await;
    let db = signpost_db.migrated().await;
    let url = store_db.url.replacen("postgres://", "postgresql://", 1);
    let config = json!({"type": "sql", "connection_string": url, "table_prefix": "store_"});
    conformance("sql on its own PostgreSQL", open(config, &db).await).await;
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mysql),
    ignore = "needs MySQL or MariaDB: set TEST_MYSQL_URL"
)]
async fn sql_store_on_mysql_conforms() {
    let Some(url) = required_env("TEST_MYSQL_URL", "the MySQL store test") else {
        return;
    };
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let prefix = unique_prefix();
    // As the Data Store Service's deployments wrote it.
    let connection = url.replacen("mysql://", "mysql+pymysql://", 1);
    let config =
        json!({"Type": "SQLAlchemy", "connectionString": connection, "objectPrefix": prefix});
    conformance("sql on MySQL", open(config, &db).await).await;
    let mysql = sea_orm::Database::connect(&url).await.expect("mysql");
    for table in ["object_chunks", "objects"] {
        mysql
            .execute_unprepared(&format!("DROP TABLE {prefix}{table}"))
            .await
            .expect("drop");
    }
}

#[cfg(feature = "dynamodb")]
async fn dynamodb_conforms(single_table: &str) {
    let Some(endpoint) = required_env("TEST_DYNAMODB_ENDPOINT", "the DynamoDB store test") else {
        return;
    };
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let prefix = unique_prefix();
    let config = json!({"Type": "DynamoDB", "aws_access_key_id": "test",
        "aws_secret_access_key": "test", "region_name": "eu-west-2", "endpoint_url": endpoint,
        "single_table_mode": single_table, "objectPrefix": prefix});
    let parsed = StoreConfig::from_json(&config).expect("config");
    let StoreConfig::Dynamodb { .. } = &parsed else {
        panic!("{parsed:?}");
    };
    let store = open(config, &db).await;
    conformance(
        &format!("dynamodb, single_table_mode {single_table}"),
        store,
    )
    .await;
    let tables = dynamodb_tables(&endpoint, &prefix).await;
    if single_table == "True" {
        assert_eq!(tables, [format!("{prefix}objects")]);
    } else {
        assert!(tables.len() > 1, "a table per segment: {tables:?}");
    }
}

/// The store's own view of which tables it made, deleted afterwards.
#[cfg(feature = "dynamodb")]
async fn dynamodb_tables(endpoint: &str, prefix: &str) -> Vec<String> {
    use signpost::store::dynamodb::{DynamoDbStore, DynamoSettings};
    let settings = DynamoSettings {
        region: Some("eu-west-2".into()),
        endpoint_url: Some(endpoint.to_owned()),
        access_key_id: Some("test".into()),
        secret_access_key: Some("test".into()),
        table_prefix: prefix.to_owned(),
        ..Default::default()
    };
    let store = DynamoDbStore::new(&settings).await;
    let tables = store.table_names().await.expect("tables");
    store.delete_tables().await.expect("delete tables");
    tables
}

#[cfg(feature = "dynamodb")]
#[tokio::test]
#[cfg_attr(
    not(signpost_test_dynamodb),
    ignore = "needs a DynamoDB server: set TEST_DYNAMODB_ENDPOINT"
)]
async fn dynamodb_store_in_single_table_mode_conforms() {
    dynamodb_conforms("True").await;
}

#[cfg(feature = "dynamodb")]
#[tokio::test]
#[cfg_attr(
    not(signpost_test_dynamodb),
    ignore = "needs a DynamoDB server: set TEST_DYNAMODB_ENDPOINT"
)]
async fn dynamodb_store_with_a_table_per_segment_conforms() {
    dynamodb_conforms("False").await;
}

/// A port held for a store that is down: bound, so no other test or outgoing
/// connection can take it meanwhile, but not listening, so connecting to it is
/// refused as it would be with nothing there.
fn hold_port() -> (tokio::net::TcpSocket, u16) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .expect("bind");
    let port = socket.local_addr().expect("address").port();
    (socket, port)
}

/// From now on, accepts connections on the held port and pipes each to
/// `target`: a store server that was down at start coming up.
fn forward(held: tokio::net::TcpSocket, target: String) {
    let listener = held.listen(128).expect("listen");
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
}

async fn readiness(app: &crate::helpers::TestApp) -> (u16, Value) {
    let response = app
        .client
        .get(app.url("/health/ready"))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// A store that cannot be reached at start: the server starts, readiness says
/// 503 naming the store, and turns 200 once the store answers.
async fn unreachable_then_up(
    config: Value,
    kind: &str,
    held: tokio::net::TcpSocket,
    target: String,
) {
    let app = crate::helpers::spawn_app_with(|settings| settings.objectstore = Some(config)).await;
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["objectStore"], "UNAVAILABLE", "{body}");
    assert_eq!(body["checks"]["database"], "OK", "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(kind), "names the store: {body}");
    forward(held, target);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (status, body) = readiness(&app).await;
        if status == 200 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still not ready: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_mysql),
    ignore = "needs MySQL or MariaDB: set TEST_MYSQL_URL"
)]
async fn a_mysql_store_down_at_start_fails_readiness_until_it_answers() {
    let Some(url) = required_env("TEST_MYSQL_URL", "the MySQL readiness test") else {
        return;
    };
    let real = url::Url::parse(&url).expect("TEST_MYSQL_URL is a URL");
    let target = format!(
        "{}:{}",
        real.host_str().unwrap_or("127.0.0.1"),
        real.port().unwrap_or(3306)
    );
    let (held, port) = hold_port();
    let mut down = real.clone();
    down.set_port(Some(port)).expect("port");
    let prefix = unique_prefix();
    let config =
        json!({"type": "sql", "connection_string": down.to_string(), "table_prefix": prefix});
    unreachable_then_up(config, "sql (MySQL)", held, target).await;
    let mysql = sea_orm::Database::connect(&url).await.expect("mysql");
    for table in ["object_chunks", "objects"] {
        mysql
            .execute_unprepared(&format!("DROP TABLE IF EXISTS {prefix}{table}"))
            .await
            .expect("drop");
    }
}

#[cfg(feature = "dynamodb")]
#[tokio::test]
#[cfg_attr(
    not(signpost_test_dynamodb),
    ignore = "needs a DynamoDB server: set TEST_DYNAMODB_ENDPOINT"
)]
async fn a_dynamodb_store_down_at_start_fails_readiness_until_it_answers() {
    let Some(endpoint) = required_env("TEST_DYNAMODB_ENDPOINT", "the DynamoDB readiness test")
    else {
        return;
    };
    let real = url::Url::parse(&endpoint).expect("TEST_DYNAMODB_ENDPOINT is a URL");
    let target = format!(
        "{}:{}",
        real.host_str().unwrap_or("127.0.0.1"),
        real.port_or_known_default().unwrap_or(80)
    );
    let (held, port) = hold_port();
    let prefix = unique_prefix();
    let config = json!({"type": "dynamodb", "endpoint_url": format!("http://127.0.0.1:{port}"),
        "region": "eu-west-2", "access_key_id": "test", "secret_access_key": "test",
        "table_prefix": prefix, "timeout_secs": 1});
    unreachable_then_up(config, "dynamodb", held, target).await;
    dynamodb_tables(&endpoint, &prefix).await;
}
