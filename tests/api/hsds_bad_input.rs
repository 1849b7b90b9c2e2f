//! Bad HSDS 3.0 input, file by file: each bad row is refused with the physical
//! line of the file it is on (header = line 1, whatever the line endings), the
//! column as the file names it (HSDS's `location_id`, not Signpost's `venue_id`)
//! and a reason, and the import changes nothing, not even the good rows beside
//! it. Alongside, the HSDS particulars that must go in as HSDS means them:
//! overnight schedules, attributes by `link_entity`, both `fees` columns, columns
//! Signpost does not store, the `publish` option, and `taxonomies.version`.
//!
//! Each test starts on a fresh database. Tests about references first import the
//! fixture package (`tests/fixtures/hsds/package`, every reference resolving) as
//! the parents the bad file hangs off.

use crate::helpers::{TestDb, fresh};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use signpost::import::run::ImportOutcome;
use signpost::import::{ImportOptions, Problem, import_file};
use signpost::store::Store;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

// Records of the fixture package.
const ORGANIZATION: &str = "b530b2f6-7c26-4157-8be6-c937cb179b00";
const SERVICE: &str = "b0079efc-6cba-45a0-ad4b-d7a9e631de9a";
const LOCATION: &str = "a87ac4d0-b6ff-49c4-872d-4cd252afb2a1";
const PHONE: &str = "c7aecdb6-42f0-4e80-8ce7-0a2d3c252f7a";
const TERM: &str = "dd417b78-507e-49a0-82c8-be0e36279d67";

// Records the tests write (none of them in the fixture).
const NEW_1: &str = "0190b000-0000-7000-8000-000000000001";
const NEW_2: &str = "0190b000-0000-7000-8000-000000000002";
const NEW_3: &str = "0190b000-0000-7000-8000-000000000003";
const MISSING: &str = "0190b000-0000-7000-8000-00000000dead";

const PHONES_HEADER: &str = "id,location_id,service_id,organization_id,contact_id,service_at_location_id,number,extension,type,description";
const SCHEDULES_HEADER: &str = "id,service_id,location_id,service_at_location_id,freq,byday,bymonthday,opens_at,closes_at,description";

struct Setup {
    _test_db: TestDb,
    db: DatabaseConnection,
    store: Store,
}

async fn empty() -> Setup {
    let (test_db, db) = fresh().await;
    Setup {
        _test_db: test_db,
        db,
        store: Arc::new(signpost::store::memory::MemoryStore::new()),
    }
}

/// A fresh database holding the whole fixture package.
async fn with_fixture() -> Setup {
    let setup = empty().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds/package");
    let mut members = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixture dir") {
        let path = entry.expect("fixture entry").path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            members.push((name, std::fs::read(&path).expect("read fixture")));
        }
    }
    let outcome = import(&setup, "fixture.zip", zip_of(&members), options()).await;
    assert!(
        outcome.succeeded(),
        "the fixture imports: {:?}",
        outcome.errors
    );
    setup
}

fn zip_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, content) in members {
        writer
            .start_file(name.as_str(), options)
            .expect("zip member");
        writer.write_all(content).expect("zip write");
    }
    writer.finish().expect("zip finish").into_inner()
}

fn options() -> ImportOptions {
    ImportOptions::default()
}

async fn import(
    setup: &Setup,
    name: &str,
    bytes: impl Into<Vec<u8>>,
    options: ImportOptions,
) -> ImportOutcome {
    let body = signpost::store::body_of(bytes.into());
    import_file(&setup.db, &setup.store, name, body, &options, Some("test"))
        .await
        .unwrap_or_else(|error| panic!("{name} could not be imported at all: {error}"))
}

/// Lines joined with `\n`, ending with one.
fn csv(lines: &[&str]) -> String {
    lines.iter().map(|line| format!("{line}\n")).collect()
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count query")
        .expect("count row");
    row.try_get("", "n").expect("count")
}

/// One column of the row with `id` in `table` (`T` = `Option<_>` where it may be NULL).
async fn value<T: sea_orm::TryGetable>(
    db: &DatabaseConnection,
    table: &str,
    id: &str,
    column: &str,
) -> T {
    let id: Uuid = id.parse().expect("uuid");
    let backend = db.get_database_backend();
    let placeholder = match backend {
        sea_orm::DbBackend::Postgres => "$1",
        _ => "?",
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT {column} AS v FROM {table} WHERE id = {placeholder}"),
            [id.into()],
        ))
        .await
        .expect("value query")
        .unwrap_or_else(|| panic!("{table} has no row {id}"));
    row.try_get("", "v")
        .unwrap_or_else(|error| panic!("{table}.{column}: {error}"))
}

/// The import failed, every error is about `line`, and one is about `column`
/// (as the file names it): that one is returned, for its message.
fn refused<'a>(outcome: &'a ImportOutcome, line: u64, column: &str) -> &'a Problem {
    assert!(!outcome.succeeded(), "accepted: {:?}", outcome.warnings);
    assert_eq!(outcome.import.state.to_string(), "failed");
    assert!(
        outcome.errors.iter().all(|e| e.row == Some(line)),
        "errors not all on line {line}: {:?}",
        outcome.errors
    );
    outcome
        .errors
        .iter()
        .find(|e| e.column.as_deref() == Some(column))
        .unwrap_or_else(|| panic!("no error on column {column}: {:?}", outcome.errors))
}

/// [`refused`], with that error the only one and its message containing `reason`.
fn refused_only(outcome: &ImportOutcome, line: u64, column: &str, reason: &str) {
    let error = refused(outcome, line, column);
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
    assert!(
        error.message.contains(reason),
        "line {line}, {column}: {:?} does not say {reason:?}",
        error.message
    );
}

fn accepted(outcome: &ImportOutcome) {
    assert!(
        outcome.succeeded(),
        "refused: {:?} (warnings {:?})",
        outcome.errors,
        outcome.warnings
    );
}

/// A phones.csv row: `parents` are the five parent cells, in header order.
fn phone(id: &str, parents: [&str; 5], kind: &str) -> String {
    format!("{id},{},+44 113 496 0999,,{kind},", parents.join(","))
}

#[tokio::test]
async fn a_phone_with_no_parent_is_refused_on_its_first_parent_column() {
    let setup = with_fixture().await;
    let before = count(&setup.db, "phones").await;
    let file = csv(&[
        PHONES_HEADER,
        &phone(NEW_1, [LOCATION, "", "", "", ""], "voice"),
        &phone(NEW_2, ["", "", "", "", ""], "voice"),
    ]);
    let outcome = import(&setup, "phones.csv", file, options()).await;
    refused_only(
        &outcome,
        3,
        "location_id",
        "needs one of location_id, service_id, organization_id, contact_id, service_at_location_id",
    );
    assert_eq!(count(&setup.db, "phones").await, before, "phones changed");
}

#[tokio::test]
async fn a_phone_at_a_location_that_does_not_exist_is_refused() {
    let setup = with_fixture().await;
    let before = count(&setup.db, "phones").await;
    let file = csv(&[
        PHONES_HEADER,
        &phone(NEW_1, [LOCATION, "", "", "", ""], "voice"),
        &phone(NEW_2, [MISSING, "", "", "", ""], "voice"),
    ]);
    let outcome = import(&setup, "phones.csv", file, options()).await;
    refused_only(&outcome, 3, "location_id", MISSING);
    assert!(
        outcome.errors[0].message.contains("no live"),
        "{:?}",
        outcome.errors[0]
    );
    assert_eq!(count(&setup.db, "phones").await, before, "phones changed");
}

#[tokio::test]
async fn a_phone_type_outside_hsds_is_refused_naming_the_types() {
    let setup = with_fixture().await;
    let before = count(&setup.db, "phones").await;
    let file = csv(&[
        PHONES_HEADER,
        &phone(NEW_1, [LOCATION, "", "", "", ""], "textphone"),
        &phone(NEW_2, [LOCATION, "", "", "", ""], "mobile"),
    ]);
    let outcome = import(&setup, "phones.csv", file, options()).await;
    refused_only(
        &outcome,
        3,
        "type",
        "\"mobile\" is not one of text, voice, fax, cell, video, pager, textphone",
    );
    assert_eq!(count(&setup.db, "phones").await, before, "phones changed");
}

#[tokio::test]
async fn schedule_recurrence_parts_that_do_not_parse_blame_the_bad_part() {
    let setup = with_fixture().await;
    let before = count(&setup.db, "schedules").await;
    let good = format!("{NEW_1},{SERVICE},,,WEEKLY,MO,,09:00,17:00,Mondays");
    for (bad, column) in [
        (
            format!("{NEW_2},{SERVICE},,,WEEKLY,,2,09:00,17:00,Second of the month"),
            "bymonthday",
        ),
        (
            format!("{NEW_2},{SERVICE},,,WEEKLY,MONDAY,,09:00,17:00,Mondays"),
            "byday",
        ),
    ] {
        let file = csv(&[SCHEDULES_HEADER, &good, &bad]);
        let outcome = import(&setup, "schedules.csv", file, options()).await;
        refused_only(&outcome, 3, column, "is not an RRULE");
        assert_eq!(
            count(&setup.db, "schedules").await,
            before,
            "{column}: schedules changed"
        );
    }
}

#[tokio::test]
async fn closing_before_opening_is_an_overnight_opening_only_when_recurring() {
    let setup = with_fixture().await;
    let before = count(&setup.db, "schedules").await;
    let once = csv(&[
        SCHEDULES_HEADER,
        &format!("{NEW_1},{SERVICE},,,,,,17:00,09:00,Overnight once"),
    ]);
    let outcome = import(&setup, "schedules.csv", once, options()).await;
    refused_only(
        &outcome,
        2,
        "closes_at",
        "an overnight opening needs a recurrence (freq)",
    );
    assert_eq!(count(&setup.db, "schedules").await, before);

    let weekly = csv(&[
        SCHEDULES_HEADER,
        &format!("{NEW_1},{SERVICE},,,WEEKLY,FR,,17:00,09:00,Friday nights"),
    ]);
    accepted(&import(&setup, "schedules.csv", weekly, options()).await);
    assert_eq!(count(&setup.db, "schedules").await, before + 1);
    let stored: (String, String, String) = (
        value(&setup.db, "schedules", NEW_1, "freq").await,
        value(&setup.db, "schedules", NEW_1, "opens_at").await,
        value(&setup.db, "schedules", NEW_1, "closes_at").await,
    );
    assert_eq!(
        stored,
        ("WEEKLY".into(), "17:00".into(), "09:00".into()),
        "freq, opens_at, closes_at"
    );
}

#[tokio::test]
async fn attributes_link_to_known_entities_only() {
    let setup = with_fixture().await;
    let before = count(&setup.db, "taxonomy_refs").await;
    let header = "id,link_id,taxonomy_term_id,link_type,link_entity,value";
    let spaceship = csv(&[
        header,
        &format!("{NEW_1},{PHONE},{TERM},phone_type,phone,"),
        &format!("{NEW_2},{PHONE},{TERM},vehicle,spaceship,warp"),
    ]);
    let outcome = import(&setup, "attributes.csv", spaceship, options()).await;
    // (A second error on link_id, "an attribute is about exactly one record",
    // follows from the first: the row names no target column.)
    let error = refused(&outcome, 3, "link_entity");
    let known = "service, organization, location, event, service_at_location, contact, phone, \
                 schedule, address, language, accessibility, service_area, funding, cost_option, \
                 required_document, program, organization_identifier";
    assert!(
        error.message.contains("\"spaceship\"") && error.message.contains(known),
        "{:?}",
        error.message
    );
    assert_eq!(count(&setup.db, "taxonomy_refs").await, before);

    let on_a_phone = csv(&[
        header,
        &format!("{NEW_1},{PHONE},{TERM},phone_type,phone,24h"),
    ]);
    accepted(&import(&setup, "attributes.csv", on_a_phone, options()).await);
    assert_eq!(count(&setup.db, "taxonomy_refs").await, before + 1);
    let target: Option<Uuid> = value(&setup.db, "taxonomy_refs", NEW_1, "phone_id").await;
    assert_eq!(target, Some(PHONE.parse().expect("uuid")), "phone_id");
    let others: Option<Uuid> = value(&setup.db, "taxonomy_refs", NEW_1, "service_id").await;
    assert_eq!(others, None, "only phone_id is set");
    let stored: Option<String> = value(&setup.db, "taxonomy_refs", NEW_1, "value").await;
    assert_eq!(stored.as_deref(), Some("24h"));
}

#[tokio::test]
async fn a_service_area_extent_must_be_what_its_extent_type_says() {
    let setup = with_fixture().await;
    let before = count(&setup.db, "service_areas").await;
    let header = "id,service_id,name,description,extent,extent_type,uri";
    let good = format!("{NEW_1},{SERVICE},Leeds,,Leeds district,text,");
    for (bad, column, reason) in [
        (
            format!("{NEW_2},{SERVICE},Leeds,,Leeds,geojson,"),
            "extent",
            "is not GeoJSON",
        ),
        (
            format!("{NEW_2},{SERVICE},Leeds,,Leeds,,"),
            "extent_type",
            "is required with an extent",
        ),
    ] {
        let file = csv(&[header, &good, &bad]);
        let outcome = import(&setup, "service_areas.csv", file, options()).await;
        refused_only(&outcome, 3, column, reason);
        assert_eq!(
            count(&setup.db, "service_areas").await,
            before,
            "{column}: service_areas changed"
        );
    }
}

#[tokio::test]
async fn errors_name_the_physical_line_whatever_the_line_endings() {
    let setup = with_fixture().await;
    let before = count(&setup.db, "phones").await;
    let at_location = [LOCATION, "", "", "", ""];
    let row_1 = phone(NEW_1, at_location, "voice");
    let row_2 = phone(NEW_2, at_location, "fax");
    // Row 1 again, with its description over two lines.
    let row_1_quoted = |newline: &str| {
        format!(
            "{NEW_1},{LOCATION},,,,,+44 113 496 0999,,voice,\"Front desk{newline}(ask for Sam)\""
        )
    };
    let bad_type = phone(NEW_3, at_location, "mobile");
    let same_id = phone(NEW_1, at_location, "cell");
    let cases = [
        ("CRLF", "\r\n", row_1.clone(), 4),
        ("CR", "\r", row_1.clone(), 4),
        ("LF, quoted LF", "\n", row_1_quoted("\n"), 5),
        ("CRLF, quoted CRLF", "\r\n", row_1_quoted("\r\n"), 5),
        ("CR, quoted CR", "\r", row_1_quoted("\r"), 5),
    ];
    for (case, newline, first, line) in cases {
        // A row-by-row check (the type) and a check across rows (the id).
        for (third, column, reason) in [
            (&bad_type, "type", "\"mobile\" is not one of".to_owned()),
            (&same_id, "id", format!("{NEW_1} is also the id on row 2")),
        ] {
            let file: String = [PHONES_HEADER, &first, &row_2, third]
                .iter()
                .map(|l| format!("{l}{newline}"))
                .collect();
            let outcome = import(&setup, "phones.csv", file, options()).await;
            let error = refused(&outcome, line, column);
            assert!(
                outcome.errors.len() == 1 && error.message.contains(&reason),
                "{case}, {column}: {:?}",
                outcome.errors
            );
            assert_eq!(
                count(&setup.db, "phones").await,
                before,
                "{case}: phones changed"
            );
        }
    }
}

async fn one_organization(setup: &Setup) {
    let file = csv(&["id,name", &format!("{ORGANIZATION},Leeds Community Advice")]);
    accepted(&import(setup, "organizations.csv", file, options()).await);
}

#[tokio::test]
async fn fees_and_fees_description_are_stored_apart() {
    let setup = empty().await;
    one_organization(&setup).await;
    let file = csv(&[
        "id,organization_id,name,fees,fees_description",
        &format!("{NEW_1},{ORGANIZATION},Debt Advice,£5 a session,Free for under 18s"),
    ]);
    accepted(&import(&setup, "services.csv", file, options()).await);
    let fees: Option<String> = value(&setup.db, "services", NEW_1, "fees").await;
    let description: Option<String> = value(&setup.db, "services", NEW_1, "fees_description").await;
    assert_eq!(
        (fees.as_deref(), description.as_deref()),
        (Some("£5 a session"), Some("Free for under 18s"))
    );
}

#[tokio::test]
async fn a_column_signpost_does_not_store_is_a_warning_or_in_strict_mode_an_error() {
    let setup = empty().await;
    one_organization(&setup).await;
    let file = |id: &str| {
        csv(&[
            "id,organization_id,name,colour",
            &format!("{id},{ORGANIZATION},Debt Advice,teal"),
        ])
    };
    let strict = ImportOptions {
        strict: true,
        ..options()
    };
    let outcome = import(&setup, "services.csv", file(NEW_1), strict).await;
    assert!(!outcome.succeeded(), "strict mode accepted colour");
    assert!(
        outcome.errors.len() == 1
            && outcome.errors[0].row == Some(1)
            && outcome.errors[0].message.contains("colour")
            && outcome.errors[0].message.contains("strict"),
        "{:?}",
        outcome.errors
    );
    assert_eq!(count(&setup.db, "services").await, 0);

    let outcome = import(&setup, "services.csv", file(NEW_2), options()).await;
    accepted(&outcome);
    assert!(
        outcome.warnings.len() == 1
            && outcome.warnings[0].row == Some(1)
            && outcome.warnings[0].message.contains("colour")
            && outcome.warnings[0].message.contains("ignored"),
        "{:?}",
        outcome.warnings
    );
    assert_eq!(count(&setup.db, "services").await, 1);
}

#[tokio::test]
async fn publish_sets_published_unless_the_file_says_otherwise() {
    let package = |published_column: Option<&str>| {
        let (head, cell) = match published_column {
            Some(value) => (",published", format!(",{value}")),
            None => ("", String::new()),
        };
        zip_of(&[
            (
                "organizations.csv".to_owned(),
                csv(&[
                    &format!("id,name{head}"),
                    &format!("{ORGANIZATION},Leeds Community Advice{cell}"),
                ])
                .into_bytes(),
            ),
            (
                "services.csv".to_owned(),
                csv(&[
                    &format!("id,organization_id,name{head}"),
                    &format!("{SERVICE},{ORGANIZATION},Debt Advice{cell}"),
                ])
                .into_bytes(),
            ),
        ])
    };
    // (publish option, the files' own published column, stored)
    for (publish, column, expected) in [
        (true, None, true),
        (false, None, false),
        (true, Some("false"), false),
        (false, Some("true"), true),
    ] {
        let setup = empty().await;
        let options = ImportOptions {
            publish,
            ..options()
        };
        accepted(&import(&setup, "hsds.zip", package(column), options).await);
        let stored: (bool, bool) = (
            value(&setup.db, "providers", ORGANIZATION, "published").await,
            value(&setup.db, "services", SERVICE, "published").await,
        );
        assert_eq!(
            stored,
            (expected, expected),
            "publish {publish}, published column {column:?}: (organization, service)"
        );
    }
}

#[tokio::test]
async fn an_hsds_taxonomy_version_is_the_taxonomys_own() {
    let setup = empty().await;
    let file = csv(&["id,name,version", &format!("{NEW_1},Service Types,2.1")]);
    accepted(&import(&setup, "taxonomies.csv", file, options()).await);
    let label: Option<String> = value(&setup.db, "taxonomies", NEW_1, "version_label").await;
    let version: i32 = value(&setup.db, "taxonomies", NEW_1, "version").await;
    assert_eq!((label.as_deref(), version), (Some("2.1"), 1));
}
