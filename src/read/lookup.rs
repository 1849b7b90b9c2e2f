//! Which table holds an id: `node(id:)` takes any record's UUID, and UUIDs do not
//! say their type.

use super::Table;
use super::sql::Frag;
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::HashMap;
use uuid::Uuid;

/// The tables whose records are GraphQL nodes.
pub const NODE_TABLES: [Table; 10] = [
    Table::Providers,
    Table::Services,
    Table::Venues,
    Table::Contacts,
    Table::Eligibilities,
    Table::CostOptions,
    Table::Events,
    Table::Taxonomies,
    Table::TaxonomyTerms,
    Table::TaxonomyRefs,
];

/// The table of each id found (live or not; visibility is checked when loading).
pub async fn tables_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Table>, DbErr> {
    let mut found = HashMap::with_capacity(ids.len());
    if ids.is_empty() {
        return Ok(found);
    }
    let selects = NODE_TABLES.iter().enumerate().map(|(index, table)| {
        let mut select = Frag::raw(format!(
            "SELECT id, {index} AS kind FROM {} WHERE ",
            table.name()
        ));
        select.append(Frag::id_in("id", ids, db.get_database_backend()));
        select
    });
    let mut sql = Frag::default();
    for (index, select) in selects.enumerate() {
        if index > 0 {
            sql.push(" UNION ALL ");
        }
        sql.append(select);
    }
    let rows = db
        .query_all_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    for row in &rows {
        let id: Uuid = row.try_get("", "id")?;
        let kind: i32 = row.try_get("", "kind")?;
        if let Some(table) = usize::try_from(kind).ok().and_then(|k| NODE_TABLES.get(k)) {
            found.insert(id, *table);
        }
    }
    Ok(found)
}
