//! HSDS 3.0 tabular packages in and out: the official example (its broken
//! references repaired, `tests/fixtures/hsds/official/SOURCE.md`) and Signpost's
//! own fixture (several rows per file, CRLF and LF, quoted newlines, every object
//! on every parent it may have) each import whole, export with the same rows and
//! the same value in every HSDS column, and re-import changing nothing.

use crate::helpers::fresh;
use signpost::import::{ImportOptions, import_file};
use signpost::store::Store;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

pub(crate) type Rows = BTreeMap<String, BTreeMap<String, String>>;

fn fixture_dir(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hsds")
        .join(name)
}

/// The CSV files of a fixture directory, by file name.
pub(crate) fn fixture_files(name: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(fixture_dir(name)).expect("fixture dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            files.insert(name, std::fs::read(&path).expect("read"));
        }
    }
    files
}

pub(crate) fn zip_of(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    // Reverse order: children before their parents inside the archive.
    for (name, content) in files.iter().rev() {
        writer.start_file(name.as_str(), options).expect("member");
        writer.write_all(content).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

/// Imports the fixture package `name` (`official`, `package`), published.
pub(crate) async fn import_fixture(db: &sea_orm::DatabaseConnection, name: &str) {
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let options = ImportOptions {
        strict: true,
        publish: true,
        ..Default::default()
    };
    let body = signpost::store::body_of(zip_of(&fixture_files(name)));
    let outcome = import_file(db, &store, "hsds.zip", body, &options, Some("test"))
        .await
        .expect("import");
    assert!(outcome.succeeded(), "{name}: {:?}", outcome.errors);
}

pub(crate) fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut files = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("member");
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("read member");
        files.insert(entry.name().to_owned(), content);
    }
    files
}

/// A CSV file's header and its rows by id.
pub(crate) fn rows_of(bytes: &[u8]) -> (Vec<String>, Rows) {
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Rows::new();
    for record in reader.records() {
        let record = record.expect("record");
        let row: BTreeMap<String, String> = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        rows.insert(row["id"].clone(), row);
    }
    (header, rows)
}

/// Columns whose codes Signpost stores in one spelling (`gbp` → `GBP`).
const CODES: &[&str] = &[
    "currency",
    "country",
    "freq",
    "wkst",
    "type",
    "address_type",
    "location_type",
    "status",
    "extent_type",
];

fn same_value(column: &str, sent: &str, got: &str) -> bool {
    if sent == got {
        return true;
    }
    if let (Ok(a), Ok(b)) = (sent.parse::<f64>(), got.parse::<f64>()) {
        return a == b;
    }
    if let (Ok(a), Ok(b)) = (
        chrono::DateTime::parse_from_rfc3339(sent),
        chrono::DateTime::parse_from_rfc3339(got),
    ) {
        return a == b;
    }
    CODES.contains(&column) && sent.eq_ignore_ascii_case(got)
}

async fn round_trip(fixture: &str) {
    let (_test_db, db) = fresh().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let sent = fixture_files(fixture);
    let options = ImportOptions {
        strict: true,
        publish: true,
        ..Default::default()
    };
    let body = signpost::store::body_of(zip_of(&sent));
    let outcome = import_file(&db, &store, "hsds.zip", body, &options, Some("test"))
        .await
        .expect("import");
    assert!(
        outcome.succeeded() && outcome.warnings.is_empty(),
        "{fixture}: errors {:?} warnings {:?}",
        outcome.errors,
        outcome.warnings
    );
    assert_eq!(
        outcome.files.len(),
        sent.len(),
        "{fixture}: every file applied"
    );

    let (mut package, report) = signpost::export::hsds::write_package(&db)
        .await
        .expect("export");
    let mut bytes = Vec::new();
    package.read_to_end(&mut bytes).expect("read package");
    let exported = unzip(&bytes);
    assert!(exported.contains_key("datapackage.json"));
    assert_eq!(exported.len(), 22, "21 HSDS files and datapackage.json");
    for (name, content) in &sent {
        let (columns, rows_in) = rows_of(content);
        let out = exported
            .get(name)
            .unwrap_or_else(|| panic!("{fixture}: the export has no {name}"));
        let (exported_columns, rows_out) = rows_of(out);
        assert_eq!(columns, exported_columns, "{fixture}/{name}: HSDS columns");
        assert_eq!(
            rows_in.keys().collect::<Vec<_>>(),
            rows_out.keys().collect::<Vec<_>>(),
            "{fixture}/{name}: the same rows"
        );
        for (id, row) in &rows_in {
            for column in &columns {
                let (sent, got) = (&row[column], &rows_out[id][column]);
                assert!(
                    same_value(column, sent, got),
                    "{fixture}/{name} {id} {column}: sent {sent:?}, exported {got:?}"
                );
            }
        }
        println!(
            "{fixture}/{name}: {} rows in, {} out",
            rows_in.len(),
            rows_out.len()
        );
    }
    assert_eq!(
        report.files.iter().map(|(_, rows)| rows).sum::<u64>(),
        sent.values()
            .map(|c| rows_of(c).1.len() as u64)
            .sum::<u64>()
    );

    // The export imports again and changes nothing.
    let again = import_file(
        &db,
        &store,
        "hsds-export.zip",
        signpost::store::body_of(bytes),
        &options,
        Some("test"),
    )
    .await
    .expect("re-import");
    assert!(again.succeeded(), "{:?}", again.errors);
    for file in &again.files {
        // `updates` counts rows whose id exists; `unchanged` those left as they were.
        assert_eq!(
            (file.inserts, file.updates - file.unchanged, file.deletes),
            (0, 0, 0),
            "{fixture}: re-importing {} changed rows",
            file.file
        );
    }
}

#[tokio::test]
async fn the_official_hsds_example_goes_in_and_out_unchanged() {
    round_trip("official").await;
}

#[tokio::test]
async fn the_fixture_package_goes_in_and_out_unchanged() {
    round_trip("package").await;
}

/// After a published import, the public reads the HSDS objects through GraphQL.
#[tokio::test]
async fn imported_hsds_objects_are_read_through_their_parents() {
    let test_db = crate::helpers::TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let options = ImportOptions {
        publish: true,
        ..Default::default()
    };
    let body = signpost::store::body_of(zip_of(&fixture_files("package")));
    let outcome = import_file(&db, &store, "hsds.zip", body, &options, Some("test"))
        .await
        .expect("import");
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let app = crate::helpers::TestApp::over(test_db, |_| {}).await;
    let response = app
        .graphql(
            r#"query ($id: ID!) {
              service(id: $id) {
                phones { nodes { number type } }
                schedules { nodes { freq byday opensAt closesAt validFrom } }
                languages { nodes { name code } }
                serviceAreas { nodes { name extentType } }
                funding { nodes { source } }
                requiredDocuments { nodes { document } }
                taxonomyRefs { nodes { linkType linkEntity } }
                venues { nodes { addresses { nodes { postalCode addressType } } postalCode } }
              }
            }"#,
            serde_json::json!({ "id": "b0079efc-6cba-45a0-ad4b-d7a9e631de9a" }),
        )
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    let service = &response["data"]["service"];
    assert_eq!(service["phones"]["nodes"][0]["number"], "+44 7700 900123");
    assert_eq!(service["phones"]["nodes"][0]["type"], "text");
    let schedule = &service["schedules"]["nodes"][0];
    assert_eq!(
        (&schedule["freq"], &schedule["byday"], &schedule["opensAt"]),
        (
            &serde_json::json!("WEEKLY"),
            &serde_json::json!("MO,TU,WE"),
            &serde_json::json!("09:00")
        )
    );
    assert_eq!(schedule["validFrom"], "2024-01-01");
    assert_eq!(service["languages"]["nodes"][0]["code"], "en");
    assert_eq!(service["serviceAreas"]["nodes"][0]["name"], "Leeds");
    assert!(service["funding"]["nodes"][0]["source"].is_string());
    assert!(service["requiredDocuments"]["nodes"][0]["document"].is_string());
    assert_eq!(service["taxonomyRefs"]["nodes"][0]["linkEntity"], "service");
    // A venue's address columns are its main (physical) address, fed from
    // addresses.csv (none for a virtual venue).
    for venue in service["venues"]["nodes"].as_array().into_iter().flatten() {
        match venue["addresses"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|address| address["addressType"] == "physical")
        {
            Some(physical) => {
                assert_eq!(venue["postalCode"], physical["postalCode"], "{venue}")
            }
            None => assert!(venue["postalCode"].is_null(), "{venue}"),
        }
    }
}

/// The one row `select` (ending in `… = `) gives for the record `id`.
async fn row_for(db: &sea_orm::DatabaseConnection, select: &str, id: &str) -> sea_orm::QueryResult {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.get_database_backend();
    let placeholder = signpost::repo::main_address::placeholder(backend, 1);
    let id = uuid::Uuid::parse_str(id).expect("uuid");
    db.query_one_raw(Statement::from_sql_and_values(
        backend,
        format!("{select}{placeholder}"),
        [sea_orm::Value::from(id)],
    ))
    .await
    .expect("query")
    .expect("a row")
}

/// A venue's address columns and its main address stay one truth whichever side is
/// written: Signpost's `venues.csv` writes the address row, HSDS `addresses.csv`
/// feeds the venue.
#[tokio::test]
async fn venue_addresses_have_one_truth() {
    let (_test_db, db) = fresh().await;
    let venue = "0190d000-0000-7000-8000-000000000001";
    let import =
        async |name: &str, body: String| crate::helpers::import_text(&db, name, body).await;
    let postcodes = async || {
        let row = row_for(
            &db,
            "SELECT v.postal_code AS venue, a.postal_code AS address \
             FROM venues v JOIN addresses a ON a.id = v.id WHERE v.id = ",
            venue,
        )
        .await;
        (
            row.try_get::<String>("", "venue").expect("venue"),
            row.try_get::<String>("", "address").expect("address"),
        )
    };
    import(
        "venues.csv",
        format!("id,name,address_1,city,postal_code\n{venue},Hall,1 High St,Leeds,LS1 1AA\n"),
    )
    .await;
    assert_eq!(postcodes().await, ("LS1 1AA".into(), "LS1 1AA".into()));
    import(
        "addresses.csv",
        format!(
            "id,location_id,address_1,city,postal_code\n{venue},{venue},2 High St,Leeds,LS2 2BB\n"
        ),
    )
    .await;
    assert_eq!(postcodes().await, ("LS2 2BB".into(), "LS2 2BB".into()));
    import(
        "venues.csv",
        format!("id,name,postal_code\n{venue},Hall,LS3 3CC\n"),
    )
    .await;
    assert_eq!(postcodes().await, ("LS3 3CC".into(), "LS3 3CC".into()));

    // An address moved from one venue to another feeds both: the one it left is
    // left without an address, and the one it joined keeps its own main address.
    let other = "0190d000-0000-7000-8000-000000000002";
    let moved = "0190d000-0000-7000-8000-000000000003";
    let venue_postcode = async |id: &str| {
        row_for(&db, "SELECT postal_code FROM venues WHERE id = ", id)
            .await
            .try_get::<Option<String>>("", "postal_code")
            .expect("postal_code")
    };
    import("venues.csv", format!("id,name\n{other},Annex\n")).await;
    import(
        "addresses.csv",
        format!(
            "id,location_id,address_1,city,postal_code\n{moved},{other},9 Low St,York,YO1 9ZZ\n"
        ),
    )
    .await;
    assert_eq!(venue_postcode(other).await.as_deref(), Some("YO1 9ZZ"));
    import(
        "addresses.csv",
        format!(
            "id,location_id,address_1,city,postal_code\n{moved},{venue},9 Low St,York,YO1 9ZZ\n"
        ),
    )
    .await;
    assert_eq!(venue_postcode(other).await, None);
    assert_eq!(postcodes().await, ("LS3 3CC".into(), "LS3 3CC".into()));
}

/// A package may hold a type with no records (an export of a directory without
/// programmes): an empty member of a zip is nothing to do, not an error.
#[tokio::test]
async fn an_empty_member_of_a_package_is_nothing_to_do() {
    let (_test_db, db) = fresh().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    let mut files = BTreeMap::new();
    files.insert(
        "organizations.csv".to_owned(),
        b"id,name,description\n0190e000-0000-7000-8000-000000000001,Food Bank,Feeds people\n"
            .to_vec(),
    );
    files.insert(
        "programs.csv".to_owned(),
        b"id,organization_id,name,alternate_name,description\n".to_vec(),
    );
    let outcome = import_file(
        &db,
        &store,
        "package.zip",
        signpost::store::body_of(zip_of(&files)),
        &ImportOptions::default(),
        None,
    )
    .await
    .expect("import");
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    assert_eq!(outcome.import.rows_inserted, 1);
}
