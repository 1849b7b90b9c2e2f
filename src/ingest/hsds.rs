//! Open Referral / HSDS JSON APIs: the service pages are fetched and stored as
//! files of the run, and each file is loaded by turning its services (with the
//! organisations, locations, contacts, cost options and taxonomy terms nested in
//! them) into HSDS *tabular* CSVs, zipped, through the CSV import — which already
//! knows HSDS's file and column names, checks every row, and applies them in
//! dependency order in one transaction.

use super::IngestError;
use super::config::SourceConfig;
use super::fetch::{RemoteFile, download};
use crate::store::{Key, Store};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::io::Write;

/// The largest page read back.
pub const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

/// The services of a stored page (`contents`) or a single service.
fn services_of(json: &Value) -> Vec<&Value> {
    match json.get("contents").and_then(Value::as_array) {
        Some(contents) => contents.iter().collect(),
        None if json.get("id").is_some() => vec![json],
        None => Vec::new(),
    }
}

/// A list entry without its organisation is a summary: the full service is
/// fetched on its own.
fn is_summary(service: &Value) -> bool {
    service.get("organization").is_none() && service.get("organization_id").is_none()
}

/// Fetches every page of `{url}/services?page=N` into the store as
/// `<prefix><stamp>-services-page-NNNN.json`, and `/services/{id}` for each
/// summary entry as `<prefix><stamp>-service-<id>.json`; the files stored.
pub async fn fetch_pages(
    client: &reqwest::Client,
    source: &SourceConfig,
    base: &str,
    store: &Store,
    prefix: &str,
    stamp: &str,
) -> Result<u32, IngestError> {
    let base = base.trim_end_matches('/');
    let bad_url = |error: url::ParseError| IngestError::Source(format!("{base}: {error}"));
    let mut page = 1u32;
    let mut stored = 0u32;
    loop {
        let file = RemoteFile {
            name: format!("{stamp}-services-page-{page:04}.json"),
            url: url::Url::parse(&format!("{base}/services?page={page}")).map_err(bad_url)?,
        };
        let key = Key::parse(&format!("{prefix}{}", file.name))?;
        download(client, source, &file, store, &key).await?;
        stored += 1;
        let (_, body) = store.get(&key).await?;
        let body = crate::store::read_all(body, MAX_PAGE_BYTES).await?;
        let json: Value = serde_json::from_slice(&body).map_err(|error| {
            IngestError::Source(format!("{}: not an HSDS page: {error}", file.url))
        })?;
        for service in services_of(&json).into_iter().filter(|s| is_summary(s)) {
            let Some(id) = service.get("id").and_then(Value::as_str) else {
                continue;
            };
            if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                continue;
            }
            let single = RemoteFile {
                name: format!("{stamp}-service-{id}.json"),
                url: url::Url::parse(&format!("{base}/services/{id}")).map_err(bad_url)?,
            };
            let key = Key::parse(&format!("{prefix}{}", single.name))?;
            download(client, source, &single, store, &key).await?;
            stored += 1;
        }
        let total = json.get("total_pages").and_then(Value::as_u64).unwrap_or(1);
        if u64::from(page) >= total || json.get("last_page") == Some(&Value::Bool(true)) {
            return Ok(stored);
        }
        page += 1;
    }
}

/// The rows of one tabular file, columns in first-seen order, one row per id.
#[derive(Default)]
struct Table {
    columns: Vec<String>,
    rows: Vec<Map<String, Value>>,
    ids: HashSet<String>,
}

impl Table {
    fn add(&mut self, mut row: Map<String, Value>, extra: &[(&str, Option<&Value>)]) {
        row.retain(|_, value| !value.is_object() && !value.is_array());
        for (name, value) in extra {
            if let Some(value) = value.filter(|v| !v.is_null()) {
                row.insert((*name).to_owned(), value.clone());
            }
        }
        if let Some(id) = row.get("id").map(cell)
            && !self.ids.insert(id)
        {
            return;
        }
        for name in row.keys() {
            if !self.columns.contains(name) {
                self.columns.push(name.clone());
            }
        }
        self.rows.push(row);
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn objects(value: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// The services of the stored JSON `body` as a zip of HSDS tabular CSVs; `None`
/// when it holds no full service.
pub fn tabular_zip(body: &[u8]) -> Result<Option<Vec<u8>>, IngestError> {
    let json: Value = serde_json::from_slice(body)
        .map_err(|error| IngestError::Load(format!("not HSDS JSON: {error}")))?;
    let mut tables: BTreeMap<&'static str, Table> = BTreeMap::new();
    for service in services_of(&json).into_iter().filter(|s| !is_summary(s)) {
        let Some(fields) = service.as_object() else {
            continue;
        };
        let id = service.get("id");
        let organization = service.get("organization").and_then(Value::as_object);
        let organization_id = service
            .get("organization_id")
            .or_else(|| organization.and_then(|o| o.get("id")));
        if let Some(organization) = organization {
            tables
                .entry("organizations")
                .or_default()
                .add(organization.clone(), &[]);
        }
        tables
            .entry("services")
            .or_default()
            .add(fields.clone(), &[("organization_id", organization_id)]);
        for link in objects(service.get("service_at_locations")) {
            let location = link.get("location").and_then(Value::as_object);
            let location_id = link
                .get("location_id")
                .or_else(|| location.and_then(|l| l.get("id")));
            if let Some(location) = location {
                tables
                    .entry("locations")
                    .or_default()
                    .add(location.clone(), &[]);
            }
            tables.entry("service_at_locations").or_default().add(
                link.clone(),
                &[("service_id", id), ("location_id", location_id)],
            );
        }
        for (file, nested) in [("contacts", "contacts"), ("cost_options", "cost_options")] {
            for object in objects(service.get(nested)) {
                tables
                    .entry(file)
                    .or_default()
                    .add(object.clone(), &[("service_id", id)]);
            }
        }
        for attribute in objects(service.get("attributes")) {
            let term = attribute.get("taxonomy_term").and_then(Value::as_object);
            if let Some(term) = term {
                let taxonomy = term.get("taxonomy_detail").and_then(Value::as_object);
                if let Some(taxonomy) = taxonomy {
                    tables
                        .entry("taxonomies")
                        .or_default()
                        .add(taxonomy.clone(), &[]);
                }
                let taxonomy_id = term
                    .get("taxonomy_id")
                    .or_else(|| taxonomy.and_then(|t| t.get("id")));
                tables
                    .entry("taxonomy_terms")
                    .or_default()
                    .add(term.clone(), &[("taxonomy_id", taxonomy_id)]);
            }
            let term_id = attribute
                .get("taxonomy_term_id")
                .or_else(|| term.and_then(|t| t.get("id")));
            let service_link = Value::String("service".into());
            tables.entry("attributes").or_default().add(
                attribute.clone(),
                &[
                    ("link_id", id),
                    ("link_type", Some(&service_link)),
                    ("taxonomy_term_id", term_id),
                ],
            );
        }
    }
    if tables.is_empty() {
        return Ok(None);
    }
    let fail = |error: &dyn std::fmt::Display| IngestError::Load(format!("building CSVs: {error}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, table) in &tables {
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
    Ok(Some(zip.finish().map_err(|e| fail(&e))?.into_inner()))
}
