//! A stored record as the JSON object HSDS 3.0 defines for it: the HSDS field names
//! of the package mapping (`crate::hsds::package`), so the REST API, the CSV
//! package and imports agree on every name. HSDS allows no `null`: a field without a
//! value is left out, except the string fields HSDS requires, which are empty.

use crate::hsds::package::{Source, file_of};
use crate::repo::RecordType;
use serde_json::{Map, Value};

/// `model` (a record of `kind`, serialised with its column names) as HSDS JSON.
pub fn hsds_object(kind: RecordType, model: &Value, required: &[&str]) -> Value {
    let mut object = Map::new();
    let Some(file) = file_of(kind) else {
        return Value::Object(object);
    };
    for (name, source) in file.columns {
        let Source::Column(column) = source else {
            continue;
        };
        match model.get(*column) {
            Some(Value::Null) | None if required.contains(name) => {
                object.insert((*name).to_owned(), Value::String(String::new()));
            }
            Some(Value::Null) | None => {}
            Some(value) => {
                object.insert((*name).to_owned(), value.clone());
            }
        }
    }
    Value::Object(object)
}
