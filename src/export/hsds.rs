//! The directory as an HSDS 3.0 tabular package: a zip of the 21 HSDS files with
//! HSDS column names (see [`crate::hsds::package`]) and a `datapackage.json`
//! describing them, which Signpost (or any HSDS tool) imports again.
//!
//! The zip is written to a temporary file on a blocking thread, a keyset page of
//! each table at a time, so memory stays bounded by a page whatever the size of
//! the directory; the caller streams the finished file. Live records only: an
//! HSDS package has no tombstones. `metadata.csv` holds the imported provenance
//! and then every change made in Signpost, from the change log
//! ([`super::provenance`]).

use super::rows::{self, Order, Position, RowSink};
use crate::hsds::attribute;
use crate::hsds::package::{FILES, File, Source};
use crate::import::spec::{self, Kind};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::io::{Seek, Write};

/// Rows per page read.
const PAGE_ROWS: u64 = 2_000;

/// What a package holds: rows per file, in package order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PackageReport {
    pub files: Vec<(String, u64)>,
}

/// Writes the package into a new temporary file, returned at its start.
pub async fn write_package(
    db: &DatabaseConnection,
) -> Result<(std::fs::File, PackageReport), String> {
    let db = db.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let file = tempfile::tempfile().map_err(|e| format!("creating the package file: {e}"))?;
        let mut zip = zip::ZipWriter::new(file);
        let mut report = PackageReport::default();
        for hsds_file in FILES {
            let rows = write_member(&db, &runtime, &mut zip, hsds_file)?;
            report.files.push((format!("{}.csv", hsds_file.name), rows));
        }
        zip.start_file("datapackage.json", options())
            .map_err(|e| format!("writing the package: {e}"))?;
        let package = serde_json::to_vec_pretty(&datapackage())
            .map_err(|e| format!("writing datapackage.json: {e}"))?;
        zip.write_all(&package)
            .map_err(|e| format!("writing the package: {e}"))?;
        let mut file = zip
            .finish()
            .map_err(|e| format!("writing the package: {e}"))?;
        file.rewind()
            .map_err(|e| format!("reading the package: {e}"))?;
        Ok((file, report))
    })
    .await
    .map_err(|e| format!("writing the package: {e}"))?
}

fn options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

fn write_member(
    db: &DatabaseConnection,
    runtime: &tokio::runtime::Handle,
    zip: &mut zip::ZipWriter<std::fs::File>,
    file: &'static File,
) -> Result<u64, String> {
    let failed = |e: &dyn std::fmt::Display| format!("writing {}.csv: {e}", file.name);
    zip.start_file(format!("{}.csv", file.name), options())
        .map_err(|e| failed(&e))?;
    let mut sink = CsvSink {
        file,
        csv: csv::Writer::from_writer(Vec::new()),
        failure: None,
    };
    let names: Vec<&str> = file.columns.iter().map(|(name, _)| *name).collect();
    sink.csv.write_record(&names).map_err(|e| failed(&e))?;
    let mut after: Option<Position> = None;
    let mut total = 0;
    loop {
        let page = runtime
            .block_on(rows::after(
                db,
                file.kind,
                Order::Full,
                after,
                PAGE_ROWS,
                &mut sink,
            ))
            .map_err(|e| failed(&e))?;
        if let Some(failure) = sink.failure.take() {
            return Err(failed(&failure));
        }
        let page_csv = std::mem::replace(&mut sink.csv, csv::Writer::from_writer(Vec::new()));
        let bytes = page_csv.into_inner().map_err(|e| failed(&e))?;
        zip.write_all(&bytes).map_err(|e| failed(&e))?;
        total += page.rows as u64;
        if !page.more {
            break;
        }
        after = page.last;
    }
    if file.kind == crate::repo::RecordType::Metadata {
        total += write_change_log(db, runtime, zip).map_err(|e| failed(&e))?;
    }
    Ok(total)
}

/// The change log as HSDS `metadata` rows (see [`super::provenance`]), a page at
/// a time.
fn write_change_log(
    db: &DatabaseConnection,
    runtime: &tokio::runtime::Handle,
    zip: &mut zip::ZipWriter<std::fs::File>,
) -> Result<u64, String> {
    let mut after = None;
    let mut total = 0;
    loop {
        let (rows, next) = runtime
            .block_on(super::provenance::page(db, after, PAGE_ROWS))
            .map_err(|e| e.to_string())?;
        let mut csv = csv::Writer::from_writer(Vec::new());
        for row in &rows {
            csv.write_record(row).map_err(|e| e.to_string())?;
        }
        zip.write_all(&csv.into_inner().map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        total += rows.len() as u64;
        match next {
            Some(next) => after = Some(next),
            None => return Ok(total),
        }
    }
}

/// Writes each row as the file's HSDS columns.
struct CsvSink {
    file: &'static File,
    csv: csv::Writer<Vec<u8>>,
    failure: Option<String>,
}

impl RowSink for CsvSink {
    fn row<M: Serialize>(&mut self, model: &M, _deleted: bool) {
        if self.failure.is_some() {
            return;
        }
        let row = match serde_json::to_value(model) {
            Ok(Value::Object(row)) => row,
            Ok(_) => return self.failure = Some("a row is not a record".into()),
            Err(error) => return self.failure = Some(error.to_string()),
        };
        let cells = self
            .file
            .columns
            .iter()
            .map(|(_, source)| cell(&row, *source));
        if let Err(error) = self.csv.write_record(cells) {
            self.failure = Some(error.to_string());
        }
    }
}

/// The text of one HSDS cell of `row`.
fn cell(row: &Map<String, Value>, source: Source) -> String {
    let target = || {
        attribute::target_columns()
            .find(|column| row.get(*column).is_some_and(|value| !value.is_null()))
    };
    match source {
        Source::Column(column) => text(row.get(column).unwrap_or(&Value::Null)),
        Source::LinkId => target()
            .and_then(|column| row.get(column))
            .map(text)
            .unwrap_or_default(),
        Source::LinkEntity => target()
            .and_then(attribute::link_entity)
            .unwrap_or_default()
            .to_owned(),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Bool(flag) => flag.to_string(),
        other => other.to_string(),
    }
}

/// The package's `datapackage.json` (Frictionless Tabular Data Package): each
/// file's fields with their types, required columns and allowed values, its
/// primary key and its foreign keys.
pub fn datapackage() -> Value {
    let resources: Vec<Value> = FILES
        .iter()
        .map(|file| {
            let columns = spec::columns(file.kind);
            let mut foreign_keys = Vec::new();
            let fields: Vec<Value> = file
                .columns
                .iter()
                .map(|(name, source)| {
                    let column = match source {
                        Source::Column(stored) => columns.iter().find(|c| c.name == *stored),
                        _ => None,
                    };
                    let mut field = json!({ "name": name, "type": "string" });
                    if *source == Source::LinkId {
                        field["format"] = json!("uuid");
                        field["constraints"] = json!({ "required": true });
                    }
                    if let Some(column) = column {
                        describe(&mut field, column);
                        if let Kind::Ref(parent) = column.kind
                            && *name != "id"
                            && let Some(parent) = crate::hsds::package::file_of(parent)
                        {
                            foreign_keys.push(json!({
                                "fields": name,
                                "reference": { "resource": parent.name, "fields": "id" },
                            }));
                        }
                    }
                    field
                })
                .collect();
            json!({
                "name": file.name,
                "path": format!("{}.csv", file.name),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": fields,
                    "primaryKey": "id",
                    "foreignKeys": foreign_keys,
                },
            })
        })
        .collect();
    json!({
        "name": "human-services-data",
        "title": "Human Services Data Specification 3.0 package (written by Signpost)",
        "profile": "tabular-data-package",
        "resources": resources,
    })
}

fn describe(field: &mut Value, column: &spec::Column) {
    let (kind, format) = match column.kind {
        Kind::Ref(_) | Kind::Id => ("string", Some("uuid")),
        Kind::Int => ("integer", None),
        Kind::Money | Kind::Number | Kind::Latitude | Kind::Longitude => ("number", None),
        Kind::Date => ("date", None),
        Kind::Timestamp => ("datetime", None),
        Kind::Time => ("time", None),
        Kind::Bool => ("boolean", None),
        Kind::Email => ("string", Some("email")),
        Kind::Url => ("string", Some("uri")),
        Kind::Text | Kind::Enum(_) | Kind::Country | Kind::Currency | Kind::Rrule => {
            ("string", None)
        }
    };
    field["type"] = json!(kind);
    if let Some(format) = format {
        field["format"] = json!(format);
    }
    let mut constraints = Map::new();
    if column.required || column.name == "id" {
        constraints.insert("required".into(), json!(true));
    }
    if let Kind::Enum(values) = column.kind {
        constraints.insert("enum".into(), json!(values));
    }
    if !constraints.is_empty() {
        field["constraints"] = Value::Object(constraints);
    }
}

#[cfg(test)]
mod tests {
    use super::datapackage;

    #[test]
    fn the_datapackage_names_every_file_and_its_references() {
        let package = datapackage();
        let resources = package["resources"].as_array().cloned().unwrap_or_default();
        assert_eq!(resources.len(), 21);
        let phones = resources
            .iter()
            .find(|resource| resource["name"] == "phones")
            .cloned()
            .unwrap_or_default();
        assert_eq!(phones["path"], "phones.csv");
        let keys = phones["schema"]["foreignKeys"].to_string();
        assert!(keys.contains("\"resource\":\"locations\""), "{keys}");
        assert!(
            keys.contains("\"resource\":\"service_at_location\""),
            "{keys}"
        );
        let fields = phones["schema"]["fields"].to_string();
        assert!(fields.contains("\"textphone\""), "{fields}");
    }
}
