//! A stored record as the JSON object HSDS 3.0 defines for it: the HSDS field names
//! of the package mapping (`crate::hsds::package`), so the REST API, the CSV
//! package and imports agree on every name. HSDS allows no `null`: a field without a
//! value is left out, except the string fields HSDS requires, which are empty.

use crate::hsds::attribute::LINK_ENTITIES;
use crate::hsds::package::{Source, file_of};
use crate::repo::RecordType;
use serde_json::{Map, Value};

/// HSDS numbers that Signpost keeps as decimals, which serialise as text.
const DECIMALS: &[(RecordType, &str)] = &[(RecordType::CostOptions, "amount")];

/// `model` (a record of `kind`, serialised with its column names) as HSDS JSON.
pub fn hsds_object(kind: RecordType, model: &Value, required: &[&str]) -> Value {
    let mut object = Map::new();
    let Some(file) = file_of(kind) else {
        return Value::Object(object);
    };
    // An attribute's target: the one link column that is set.
    let target = || {
        LINK_ENTITIES.iter().find_map(|(entity, column)| {
            model
                .get(*column)
                .and_then(Value::as_str)
                .map(|id| (*entity, id))
        })
    };
    for (name, source) in file.columns {
        let value = match source {
            Source::Column(column) => match model.get(*column) {
                Some(Value::String(text)) if DECIMALS.contains(&(kind, column)) => text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number),
                Some(Value::Null) | None => None,
                Some(value) => Some(value.clone()),
            },
            Source::LinkId => target().map(|(_, id)| Value::String(id.to_owned())),
            Source::LinkEntity => target().map(|(entity, _)| Value::String(entity.to_owned())),
        };
        match value {
            Some(value) => {
                object.insert((*name).to_owned(), value);
            }
            None if *name == "id" || required.contains(name) => {
                object.insert((*name).to_owned(), Value::String(String::new()));
            }
            None => {}
        }
    }
    Value::Object(object)
}
