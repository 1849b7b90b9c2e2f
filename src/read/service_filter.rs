//! The domain filters of api.md that are more than a column comparison: `age`,
//! `free` and `taxonomyTerms`. Each returns a condition over a table aliased by its
//! own name, to be ANDed, ORed or negated like any other.

use super::sql::Frag;
use sea_orm::{ConnectionTrait, DbErr, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Services whose own age range and every linked live eligibility's range admit
/// `age` (a missing bound admits all).
pub fn age(age: i32) -> Frag {
    let value = Value::from(age);
    Frag::bind(
        "(services.minimum_age IS NULL OR services.minimum_age <= ?) \
         AND (services.maximum_age IS NULL OR services.maximum_age >= ?) \
         AND NOT EXISTS (SELECT 1 FROM service_eligibilities age_se \
         JOIN eligibilities age_e ON age_e.id = age_se.eligibility_id \
         WHERE age_se.service_id = services.id AND age_se.deleted_at IS NULL \
         AND age_e.deleted_at IS NULL \
         AND (age_e.minimum_age > ? OR age_e.maximum_age < ?))",
        [value.clone(), value.clone(), value.clone(), value],
    )
}

/// `free: true`: services with no live cost option whose amount is above zero;
/// `free: false`: the others.
pub fn free(free: bool) -> Frag {
    let paid = Frag::raw(
        "EXISTS (SELECT 1 FROM cost_options free_co WHERE free_co.service_id = services.id \
         AND free_co.deleted_at IS NULL AND free_co.amount > 0)",
    );
    if free { paid.negate() } else { paid }
}

/// Each of `roots` with the live terms under it (itself included), in one
/// recursive statement. Unknown or deleted roots map to an empty set.
pub async fn with_descendants(
    db: &impl ConnectionTrait,
    roots: &[Uuid],
) -> Result<HashMap<Uuid, HashSet<Uuid>>, DbErr> {
    let mut expanded: HashMap<Uuid, HashSet<Uuid>> =
        roots.iter().map(|id| (*id, HashSet::new())).collect();
    if roots.is_empty() {
        return Ok(expanded);
    }
    // UNION (not UNION ALL) stops at a cycle in bad data instead of looping.
    let mut sql =
        Frag::raw("WITH RECURSIVE tree(root, id) AS (SELECT id, id FROM taxonomy_terms WHERE ");
    sql.append(Frag::is_in("id", roots.iter().map(|id| Value::from(*id))))
        .push(
            " AND deleted_at IS NULL UNION SELECT tree.root, child.id FROM taxonomy_terms child \
             JOIN tree ON child.parent_id = tree.id WHERE child.deleted_at IS NULL) \
             SELECT root, id FROM tree",
        );
    let rows = db
        .query_all_raw(sql.into_statement(db.get_database_backend()))
        .await?;
    for row in &rows {
        let root: Uuid = row.try_get("", "root")?;
        let id: Uuid = row.try_get("", "id")?;
        expanded.entry(root).or_default().insert(id);
    }
    Ok(expanded)
}

/// Rows of `alias` tagged (by a live taxonomy ref through `ref_column`) with any of
/// `terms`.
pub fn tagged_with_any(alias: &str, ref_column: &str, terms: &HashSet<Uuid>) -> Frag {
    let mut ids: Vec<Uuid> = terms.iter().copied().collect();
    ids.sort();
    let mut sql = Frag::raw(format!(
        "EXISTS (SELECT 1 FROM taxonomy_refs tagged WHERE tagged.{ref_column} = {alias}.id \
         AND tagged.deleted_at IS NULL AND "
    ));
    sql.append(Frag::is_in(
        "tagged.taxonomy_term_id",
        ids.into_iter().map(Value::from),
    ))
    .push(")");
    sql
}
