use crate::helpers::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use signpost::db::{self, MigrateAction};

async fn table_count(db: &sea_orm::DatabaseConnection) -> i64 {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name <> 'seaql_migrations'"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' \
             AND name <> 'seaql_migrations' AND name NOT LIKE 'sqlite_%'"
        }
    };
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let test_db = TestDb::new().await;
    let conn = test_db.connect().await;
    let settings = test_db.settings();

    db::migrate(&conn, &settings, MigrateAction::Up(None))
        .await
        .unwrap();
    let status = db::migration_status(&conn).await.unwrap();
    assert!(status.len() >= 2 && status.iter().all(|(_, applied)| *applied));
    let tables = table_count(&conn).await;
    assert!(
        tables >= 21,
        "every table of docs/data-model.md exists, found {tables}"
    );

    db::migrate(&conn, &settings, MigrateAction::Down(None))
        .await
        .unwrap();
    assert_eq!(table_count(&conn).await, 0, "down removes everything");
    assert!(
        db::migration_status(&conn)
            .await
            .unwrap()
            .iter()
            .all(|(_, applied)| !applied)
    );

    db::migrate(&conn, &settings, MigrateAction::Up(None))
        .await
        .unwrap();
    assert_eq!(table_count(&conn).await, tables);
    db::migrate(&conn, &settings, MigrateAction::Fresh)
        .await
        .unwrap();
    assert_eq!(table_count(&conn).await, tables);
}

#[tokio::test]
async fn replicas_migrating_at_once_do_not_race() {
    let test_db = TestDb::new().await;
    let settings = test_db.settings();
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let settings = settings.clone();
        tasks.push(tokio::spawn(async move {
            let conn = db::connect(&settings).await.unwrap();
            db::migrate_up(&conn, &settings).await
        }));
    }
    for task in tasks {
        task.await.unwrap().expect("every replica starts");
    }
    let conn = test_db.connect().await;
    assert!(
        db::migration_status(&conn)
            .await
            .unwrap()
            .iter()
            .all(|(_, applied)| *applied)
    );
}

#[tokio::test]
async fn serve_with_no_migrate_refuses_a_schema_that_is_behind() {
    let test_db = TestDb::new().await;
    let args = signpost::cli::serve::ServeArgs { no_migrate: true };
    let error = signpost::cli::serve::prepare(test_db.config(), &args)
        .await
        .err()
        .expect("pending migrations stop the start");
    assert!(error.to_string().contains("migrate up"), "{error}");
}
