//! The references the delete guard and cascade follow
//! (`signpost::repo::children::child_links`, read from the record catalogue) are
//! exactly the database's own foreign keys between directory tables: a reference
//! the guard misses would let a delete leave live records pointing at a tombstone.

use crate::helpers::fresh;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use signpost::repo::RecordType;
use signpost::repo::children::child_links;
use std::collections::BTreeSet;

#[tokio::test]
async fn delete_guards_follow_every_foreign_key() {
    let (_t, db) = fresh().await;
    let backend = db.get_database_backend();
    let tables: BTreeSet<&str> = RecordType::ALL.iter().map(|kind| kind.name()).collect();
    let mut in_database = BTreeSet::new();
    for table in &tables {
        let sql = match backend {
            DbBackend::Postgres => format!(
                "SELECT kcu.column_name AS col, ccu.table_name AS parent \
                 FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage kcu \
                   ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
                 JOIN information_schema.constraint_column_usage ccu \
                   ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
                 WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() \
                   AND tc.table_name = '{table}'"
            ),
            _ => format!(
                "SELECT \"from\" AS col, \"table\" AS parent FROM pragma_foreign_key_list('{table}')"
            ),
        };
        let rows = db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .expect("foreign keys");
        for row in rows {
            let column: String = row.try_get("", "col").expect("col");
            let parent: String = row.try_get("", "parent").expect("parent");
            if tables.contains(parent.as_str()) {
                in_database.insert((parent, table.to_string(), column));
            }
        }
    }
    let guarded: BTreeSet<(String, String, String)> = child_links()
        .iter()
        .map(|link| {
            (
                link.parent.to_owned(),
                link.child.to_owned(),
                link.column.to_owned(),
            )
        })
        .collect();
    assert!(in_database.len() > 40, "{in_database:?}");
    assert_eq!(
        guarded.difference(&in_database).collect::<Vec<_>>(),
        Vec::<&(String, String, String)>::new(),
        "guarded without a foreign key"
    );
    assert_eq!(
        in_database.difference(&guarded).collect::<Vec<_>>(),
        Vec::<&(String, String, String)>::new(),
        "foreign keys the delete guard does not follow"
    );
}
