//! A `service_full` record, with every object nested in it, as HSDS *tabular*
//! CSVs in a zip the CSV import reads (see the module above for why).

use super::super::IngestError;
use crate::hsds::nesting::Object;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

use Object as O;

/// The rows of one tabular file, columns in first-seen order, one row per id:
/// an object met again (the same phone under the service and under its contact)
/// adds the columns it fills that the first did not.
#[derive(Default)]
struct Table {
    columns: Vec<String>,
    rows: Vec<Map<String, Value>>,
    ids: HashMap<String, usize>,
}

impl Table {
    fn add(&mut self, id: &str, row: Map<String, Value>) {
        for name in row.keys() {
            if !self.columns.contains(name) {
                self.columns.push(name.clone());
            }
        }
        match self.ids.get(id) {
            Some(&at) => {
                let kept = &mut self.rows[at];
                for (name, value) in row {
                    if !value.is_null() && kept.get(&name).is_none_or(Value::is_null) {
                        kept.insert(name, value);
                    }
                }
            }
            None => {
                self.ids.insert(id.to_owned(), self.rows.len());
                self.rows.push(row);
            }
        }
    }
}

/// A JSON scalar as a CSV cell: whole numbers without a fraction (`12`, not
/// `12.0`), so integer columns read them.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() && float.fract() == 0.0 && float.abs() < 1e15 => {
                format!("{float:.0}")
            }
            _ => number.to_string(),
        },
        other => other.to_string(),
    }
}

/// A service turned into tabular files.
struct Tables {
    service: String,
    tables: BTreeMap<&'static str, Table>,
    warnings: BTreeSet<String>,
}

impl Tables {
    /// Adds `object` (of kind `kind`, at `path`, nested in `parent` if any) and
    /// everything nested in it; its id.
    fn add(
        &mut self,
        kind: Object,
        object: &Map<String, Value>,
        path: &str,
        parent: Option<(Object, &str)>,
        defaults: &[(&'static str, &str)],
    ) -> Result<String, IngestError> {
        let id = match object.get("id") {
            Some(Value::String(id)) if !id.trim().is_empty() => id.clone(),
            Some(Value::Number(id)) => id.to_string(),
            _ => {
                return Err(IngestError::Load(format!(
                    "service {}: {path} has no id",
                    self.service
                )));
            }
        };
        let mut row: Map<String, Value> = object
            .iter()
            .filter(|(_, value)| !value.is_object() && !value.is_array())
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        // The nesting says whose it is, whatever the object's own columns say.
        if let Some((parent, parent_id)) = parent {
            let [entity_column, id_column] = kind.parent_columns(parent);
            if !entity_column.is_empty() {
                row.insert(entity_column.into(), parent.entity().into());
            }
            row.insert(id_column.into(), parent_id.into());
        }
        for (column, value) in defaults {
            if row.get(*column).is_none_or(Value::is_null) {
                row.insert((*column).into(), (*value).into());
            }
        }
        // The service's organisation, for a program nested in it (programs
        // belong to one).
        let organization_id = (kind == O::Service)
            .then(|| {
                object
                    .get("organization")
                    .and_then(|o| o.get("id"))
                    .or_else(|| object.get("organization_id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .flatten();
        let mut lists = Vec::new();
        for (name, value) in object {
            if let Some(&(_, nested, column)) = kind.ones().iter().find(|(key, ..)| key == name) {
                match value {
                    Value::Object(nested_object) => {
                        let defaults: Vec<(&'static str, &str)> = match &organization_id {
                            Some(org) if nested == O::Program => {
                                vec![("organization_id", org.as_str())]
                            }
                            _ => Vec::new(),
                        };
                        let nested_id = self.add(
                            nested,
                            nested_object,
                            &format!("{path}.{name}"),
                            None,
                            &defaults,
                        )?;
                        row.insert(column.into(), nested_id.into());
                    }
                    Value::Null => {}
                    _ => self.not_loaded(kind, name, "is not an object"),
                }
            } else if let Some(&(_, nested)) = kind.lists().iter().find(|(key, _)| key == name) {
                match value {
                    Value::Array(items) => lists.push((name, nested, items)),
                    Value::Null => {}
                    _ => self.not_loaded(kind, name, "is not an array"),
                }
            } else if value.is_object() || value.as_array().is_some_and(|a| !a.is_empty()) {
                self.not_loaded(kind, name, "is not part of an HSDS 3.0 service");
            }
        }
        for (name, nested, items) in lists {
            for (index, item) in items.iter().enumerate() {
                match item.as_object() {
                    Some(item) => {
                        self.add(
                            nested,
                            item,
                            &format!("{path}.{name}[{index}]"),
                            Some((kind, &id)),
                            &[],
                        )?;
                    }
                    None => self.not_loaded(kind, name, "holds something that is not an object"),
                }
            }
        }
        self.tables.entry(kind.file()).or_default().add(&id, row);
        Ok(id)
    }

    fn not_loaded(&mut self, kind: Object, name: &str, why: &str) {
        self.warnings
            .insert(format!("`{name}` in a {} {why}: not loaded", kind.entity()));
    }
}

/// A service file as the CSV import takes it.
#[derive(Debug)]
pub struct Tabular {
    /// The service's id.
    pub service: String,
    /// A zip of HSDS tabular CSVs.
    pub zip: Vec<u8>,
    /// Nested things not loaded (the import warns of fields it does not store).
    pub warnings: Vec<String>,
}

/// The stored JSON `body` as HSDS tabular CSVs: a single service (`service_full`)
/// with everything nested in it; `None` for a page of the list (`contents`),
/// whose entries are loaded from their own files.
pub fn tabular_zip(body: &[u8]) -> Result<Option<Tabular>, IngestError> {
    let json: Value = serde_json::from_slice(body)
        .map_err(|error| IngestError::Load(format!("not HSDS JSON: {error}")))?;
    if json.get("contents").is_some_and(Value::is_array) {
        return Ok(None);
    }
    let Some(service) = json.as_object() else {
        return Err(IngestError::Load(
            "not an HSDS service: not a JSON object".into(),
        ));
    };
    let Some(service_id) = service
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
    else {
        return Err(IngestError::Load("not an HSDS service: no id".into()));
    };
    let mut tables = Tables {
        service: service_id.to_owned(),
        tables: BTreeMap::new(),
        warnings: BTreeSet::new(),
    };
    tables.add(O::Service, service, "service", None, &[])?;
    let fail = |error: &dyn std::fmt::Display| {
        IngestError::Load(format!("service {service_id}: building CSVs: {error}"))
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, table) in &tables.tables {
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(&table.columns).map_err(|e| fail(&e))?;
        for row in &table.rows {
            let cells = table
                .columns
                .iter()
                .map(|column| row.get(column).map(cell).unwrap_or_default());
            csv.write_record(cells).map_err(|e| fail(&e))?;
        }
        let bytes = csv.into_inner().map_err(|e| fail(&e))?;
        zip.start_file(
            format!("{name}.csv"),
            zip::write::SimpleFileOptions::default(),
        )
        .map_err(|e| fail(&e))?;
        zip.write_all(&bytes).map_err(|e| fail(&e))?;
    }
    Ok(Some(Tabular {
        service: tables.service,
        zip: zip.finish().map_err(|e| fail(&e))?.into_inner(),
        warnings: tables.warnings.into_iter().collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::fetchable;
    use super::*;
    use crate::hsds::package::{FILES, Source};
    use serde_json::json;
    use std::io::Read;

    /// The CSVs of a zip, by name: header and rows as maps.
    fn unzip(zip: &[u8]) -> BTreeMap<String, Vec<BTreeMap<String, String>>> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("zip");
        let mut files = BTreeMap::new();
        for index in 0..archive.len() {
            let mut member = archive.by_index(index).expect("member");
            let mut text = String::new();
            member.read_to_string(&mut text).expect("utf-8");
            let mut csv = csv::Reader::from_reader(text.as_bytes());
            let header: Vec<String> = csv
                .headers()
                .expect("header")
                .iter()
                .map(str::to_owned)
                .collect();
            let rows = csv
                .records()
                .map(|record| {
                    header
                        .iter()
                        .cloned()
                        .zip(record.expect("row").iter().map(str::to_owned))
                        .collect()
                })
                .collect();
            files.insert(member.name().to_owned(), rows);
        }
        files
    }

    fn hsds_columns(file: &str) -> Vec<&'static str> {
        FILES
            .iter()
            .find(|f| f.name == file)
            .unwrap_or_else(|| panic!("{file} is not an HSDS file"))
            .columns
            .iter()
            .map(|(name, _)| *name)
            .collect()
    }

    #[test]
    fn every_object_has_an_hsds_file_and_every_parent_column_is_one_of_its_columns() {
        assert!(FILES.iter().any(|f| f.name == "service_at_location"));
        for kind in Object::ALL {
            let columns = hsds_columns(kind.file());
            for &(_, nested, _) in kind.ones() {
                hsds_columns(nested.file());
            }
            for &(key, nested) in kind.lists() {
                let nested_columns = hsds_columns(nested.file());
                for column in nested.parent_columns(kind) {
                    if !column.is_empty() {
                        assert!(
                            nested_columns.contains(&column),
                            "{key} of a {}: {column} is not a column of {}",
                            kind.entity(),
                            nested.file()
                        );
                    }
                }
                if nested == O::Attribute {
                    assert!(
                        crate::hsds::attribute::target_column(kind.entity()).is_some(),
                        "attributes of a {} have no link_entity",
                        kind.entity()
                    );
                }
            }
            for &(_, _, column) in kind.ones() {
                assert!(columns.contains(&column), "{column} in {}", kind.file());
            }
        }
        // Attributes name their target as HSDS 3.0 does.
        let attributes = FILES.iter().find(|f| f.name == "attributes").expect("file");
        assert!(
            attributes
                .columns
                .iter()
                .any(|(name, source)| *name == "link_entity" && *source == Source::LinkEntity)
        );
    }

    #[test]
    fn a_page_of_the_list_loads_nothing_even_with_organizations_in_it() {
        let page = json!({ "total_pages": 1, "contents": [
            { "id": "s1", "name": "A", "organization": { "id": "o1", "name": "O" } }
        ] });
        let converted = tabular_zip(page.to_string().as_bytes()).expect("a page");
        assert!(converted.is_none());
    }

    #[test]
    fn nested_objects_go_to_their_files_with_their_parents_ids() {
        let service = json!({
            "id": "s1", "name": "Meals", "status": "active", "minimum_age": 12.0,
            "organization": { "id": "o1", "name": "Food Bank", "description": "d",
                "organization_identifiers": [{ "id": "oi1", "identifier_type": "charity", "identifier": "123" }],
                "phones": [{ "id": "p9", "number": "0113 000" }] },
            "program": { "id": "pr1", "name": "Food", "description": "d" },
            "phones": [{ "id": "p1", "number": "0113 111",
                "languages": [{ "id": "l1", "name": "Urdu", "code": "ur" }] }],
            "contacts": [{ "id": "c1", "name": "Ann", "phones": [{ "id": "p2", "number": "0113 222" }] }],
            "service_at_locations": [{ "id": "sal1",
                "phones": [{ "id": "p3", "number": "0113 333" }],
                "schedules": [{ "id": "sc1", "freq": "WEEKLY", "byday": "MO" }],
                "location": { "id": "loc1", "name": "Hall",
                    "addresses": [{ "id": "a1", "address_1": "1 Main St", "postal_code": "LS1 1AA" }],
                    "accessibility": [{ "id": "ac1", "description": "Ramp" }],
                    "phones": [{ "id": "p1", "number": "0113 111" }] } }],
            "attributes": [{ "id": "at1", "link_type": "audience", "value": "adults",
                "taxonomy_term": { "id": "t1", "name": "Food", "description": "d",
                    "taxonomy_detail": { "id": "x1", "name": "Needs", "description": "d" } } }],
            "metadata": [{ "id": "m1", "last_action_type": "create" }],
            "mystery": [{ "id": "q1" }],
        });
        let converted = tabular_zip(service.to_string().as_bytes())
            .expect("converted")
            .expect("a service");
        assert_eq!(converted.service, "s1");
        let files = unzip(&converted.zip);
        let row = |file: &str, id: &str| {
            files[file]
                .iter()
                .find(|row| row["id"] == id)
                .unwrap_or_else(|| panic!("{id} in {file}: {:?}", files.get(file)))
                .clone()
        };
        let services = row("services.csv", "s1");
        assert_eq!(services["organization_id"], "o1");
        assert_eq!(services["program_id"], "pr1");
        assert_eq!(services["minimum_age"], "12");
        assert_eq!(row("programs.csv", "pr1")["organization_id"], "o1");
        assert_eq!(
            row("organization_identifiers.csv", "oi1")["organization_id"],
            "o1"
        );
        assert_eq!(row("phones.csv", "p9")["organization_id"], "o1");
        // p1 is the service's phone and the location's: both say so.
        let p1 = row("phones.csv", "p1");
        assert_eq!(
            (p1["service_id"].as_str(), p1["location_id"].as_str()),
            ("s1", "loc1")
        );
        assert_eq!(row("languages.csv", "l1")["phone_id"], "p1");
        assert_eq!(row("phones.csv", "p2")["contact_id"], "c1");
        assert_eq!(row("contacts.csv", "c1")["service_id"], "s1");
        assert_eq!(row("phones.csv", "p3")["service_at_location_id"], "sal1");
        assert_eq!(
            row("schedules.csv", "sc1")["service_at_location_id"],
            "sal1"
        );
        let sal = row("service_at_location.csv", "sal1");
        assert_eq!(
            (sal["service_id"].as_str(), sal["location_id"].as_str()),
            ("s1", "loc1")
        );
        assert_eq!(row("addresses.csv", "a1")["location_id"], "loc1");
        assert_eq!(row("accessibility.csv", "ac1")["location_id"], "loc1");
        let attribute = row("attributes.csv", "at1");
        assert_eq!(attribute["link_entity"], "service");
        assert_eq!(attribute["link_id"], "s1");
        assert_eq!(attribute["link_type"], "audience", "the object's own");
        assert_eq!(attribute["taxonomy_term_id"], "t1");
        assert_eq!(row("taxonomy_terms.csv", "t1")["taxonomy_id"], "x1");
        row("taxonomies.csv", "x1");
        let metadata = row("metadata.csv", "m1");
        assert_eq!(
            (
                metadata["resource_type"].as_str(),
                metadata["resource_id"].as_str()
            ),
            ("service", "s1")
        );
        assert!(!files.contains_key("service_at_locations.csv"));
        assert_eq!(
            converted.warnings,
            ["`mystery` in a service is not part of an HSDS 3.0 service: not loaded"]
        );
    }

    #[test]
    fn an_object_without_an_id_fails_naming_the_service_and_where() {
        let service = json!({ "id": "s1", "name": "Meals",
            "contacts": [{ "id": "c1", "name": "Ann", "phones": [{ "number": "1" }] }] });
        let error = tabular_zip(service.to_string().as_bytes()).expect_err("no id");
        assert_eq!(
            error.to_string(),
            "service s1: service.contacts[0].phones[0] has no id"
        );
    }

    #[test]
    fn only_safe_ids_are_fetched() {
        assert!(fetchable("0190c000-0000-7000-8000-000000000001"));
        for bad in ["", "../x", "a/b", "a?b", "é", &"x".repeat(201)] {
            assert!(!fetchable(bad), "{bad}");
        }
    }
}
