//! HSDS `metadata` fed by the change log: every edit made in Signpost (one change
//! log row per field, by whom and when) goes out as a provenance row of the HSDS
//! package, after the provenance that came in with imported data. A row keeps its
//! change log row's id, so a package exported, imported and exported again holds
//! each change once.

use entities::{change_log, metadata};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use std::collections::HashSet;
use uuid::Uuid;

/// The HSDS `metadata` columns, in HSDS order.
pub const COLUMNS: [&str; 9] = [
    "id",
    "resource_id",
    "resource_type",
    "last_action_date",
    "last_action_type",
    "field_name",
    "previous_value",
    "replacement_value",
    "updated_by",
];

/// Who made a change the log has no actor for (a command-line edit).
const UNKNOWN_ACTOR: &str = "signpost";

/// A page of change log rows after `after` (by id) as HSDS `metadata` rows,
/// leaving out those the `metadata` table already holds (imported from an
/// earlier export), and the id to continue after, if the log goes on.
pub async fn page(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<[String; 9]>, Option<Uuid>), DbErr> {
    let mut query = change_log::Entity::find()
        .order_by_asc(change_log::Column::Id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(change_log::Column::Id.gt(after));
    }
    let entries = query.all(db).await?;
    let ids: Vec<Uuid> = entries.iter().map(|entry| entry.id).collect();
    let imported: HashSet<Uuid> = if ids.is_empty() {
        HashSet::new()
    } else {
        metadata::Entity::find()
            .select_only()
            .column(metadata::Column::Id)
            .filter(metadata::Column::Id.is_in(ids.iter().copied()))
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let next = match entries.last() {
        Some(last) if entries.len() as u64 == limit => Some(last.id),
        _ => None,
    };
    let rows = entries
        .iter()
        .filter(|entry| !imported.contains(&entry.id))
        .map(metadata_row)
        .collect();
    Ok((rows, next))
}

/// One change log row as an HSDS `metadata` row (in [`COLUMNS`] order).
fn metadata_row(entry: &change_log::Model) -> [String; 9] {
    [
        entry.id.to_string(),
        entry.record_id.to_string(),
        resource_type(&entry.record_type),
        entry.changed_at.date_naive().format("%Y-%m-%d").to_string(),
        entry.action.clone(),
        entry.field.clone().unwrap_or_default(),
        value_text(entry.old_value.as_ref()),
        value_text(entry.new_value.as_ref()),
        entry
            .actor
            .clone()
            .unwrap_or_else(|| UNKNOWN_ACTOR.to_owned()),
    ]
}

/// The HSDS object a table holds, as `metadata.resource_type` names it
/// (`organization` for `providers`); Signpost's own tables keep their names.
fn resource_type(table: &str) -> String {
    let file = crate::hsds::package::FILES
        .iter()
        .find(|file| file.kind.name() == table);
    let Some(file) = file else {
        return table.to_owned();
    };
    match file.name {
        "organizations" => "organization".to_owned(),
        "taxonomies" => "taxonomy".to_owned(),
        "addresses" => "address".to_owned(),
        name => name.strip_suffix('s').unwrap_or(name).to_owned(),
    }
}

fn value_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{COLUMNS, resource_type};
    use crate::hsds::package::FILES;

    #[test]
    fn columns_are_the_hsds_metadata_file() {
        let file = FILES.iter().find(|file| file.name == "metadata");
        let names: Vec<&str> = file
            .map(|file| file.columns.iter().map(|(name, _)| *name).collect())
            .unwrap_or_default();
        assert_eq!(names, COLUMNS);
    }

    #[test]
    fn resource_types_are_hsds_object_names() {
        assert_eq!(resource_type("providers"), "organization");
        assert_eq!(resource_type("venues"), "location");
        assert_eq!(resource_type("service_venues"), "service_at_location");
        assert_eq!(resource_type("taxonomy_refs"), "attribute");
        assert_eq!(resource_type("addresses"), "address");
        assert_eq!(resource_type("service_areas"), "service_area");
        assert_eq!(resource_type("accessibility"), "accessibility");
        assert_eq!(resource_type("events"), "events");
    }
}
