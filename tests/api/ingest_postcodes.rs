//! The ONS Postcode Directory loader: the data CSV picked out of a zip beside
//! documentation CSVs, rows normalised and upserted in batches, Windows-1252 and
//! BOM files decoded, a bad row failing the file by line and column and leaving
//! the table as it was, a reload updating rather than duplicating, and (on
//! PostgreSQL) a connection lost mid-COPY failing the load and leaving nothing.

use crate::helpers::TestDb;
use entities::postcodes;
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use signpost::ingest::IngestError;
use signpost::ingest::postcodes::load_postcodes;
use signpost::read::near::postcode_point;
use signpost::store::{Key, Store, body_of};
use std::io::Write;
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const HEADER: &str = "pcd,pcds,dointr,doterm,lat,long,ctry\n";

async fn fresh() -> (TestDb, DatabaseConnection, Store) {
    let test_db = TestDb::new().await;
    let db = test_db.migrated().await;
    let store: Store = Arc::new(signpost::store::memory::MemoryStore::new());
    (test_db, db, store)
}

fn zip_of(members: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in members {
        writer.start_file(*name, options)?;
        writer.write_all(content)?;
    }
    Ok(writer.finish()?.into_inner())
}

/// Stores `bytes` as `sources/ons/<name>` and loads it (one transaction,
/// committed on success).
async fn load(
    db: &DatabaseConnection,
    store: &Store,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Result<u64, IngestError>, Box<dyn std::error::Error>> {
    let key = Key::parse(&format!("sources/ons/{name}"))?;
    store.put(&key, body_of(bytes)).await?;
    Ok(load_postcodes(db, store.clone(), key, name, None).await)
}

async fn all(db: &DatabaseConnection) -> Result<Vec<postcodes::Model>, sea_orm::DbErr> {
    postcodes::Entity::find()
        .order_by_asc(postcodes::Column::Postcode)
        .all(db)
        .await
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// A data CSV of `n` rows: postcodes `X<i/10> <i%10>AA`, latitudes from 50.
fn many(n: usize, lat_shift: f64) -> String {
    let mut csv = String::from(HEADER);
    for i in 0..n {
        let lat = 50.0 + i as f64 * 0.001 + lat_shift;
        csv.push_str(&format!(
            "X{0}{1}AA,X{0} {1}AA,202001,,{lat},-1.5,E92000001\n",
            i / 10,
            i % 10
        ));
    }
    csv
}

#[tokio::test]
async fn the_data_csv_of_a_zip_loads_normalised_and_resolves_near_lookups() -> TestResult {
    let (_t, db, store) = fresh().await;
    let data = format!(
        "{HEADER}\
         LS1 4AP,ls1 4ap,198001,,53.799,-1.549,E92000001\n\
         AB1 0AA,AB1 0AA,198001,199606,57.101474,-2.242851,S92000003\n\
         ZZ993WZ,ZZ99 3WZ,199901,,99.999999,0.000000,S99999999\n\
         EC1A1BB,EC1A 1BB,198001,,51.0,-0.1,E92000001\n\
         EC1A1BB,EC1A 1BB,198001,,51.520,-0.097,E92000001\n"
    );
    // Bigger than the data, but documentation: no `pcds`.
    let docs = "LAD23CD,LAD23NM\n".to_owned() + &"E06000001,Hartlepool\n".repeat(200);
    // ONSPD also splits the data by area: a smaller CSV with `pcds`.
    let part = format!("{HEADER}AB1 0AB,AB1 0AB,198001,,57.1,-2.2,S92000003\n");
    let zip = zip_of(&[
        (
            "Documents/LA_UA names and codes UK as at 04_23.csv",
            docs.into_bytes(),
        ),
        ("Data/multi_csv/ONSPD_FEB_2024_UK_AB.csv", part.into_bytes()),
        ("Data/ONSPD_FEB_2024_UK.csv", data.into_bytes()),
        (
            "User Guide/readme.txt",
            b"pcds,lat,long,doterm\n".repeat(100),
        ),
    ])?;
    assert_eq!(load(&db, &store, "x.zip", zip).await??, 5);

    let rows = all(&db).await?;
    let codes: Vec<&str> = rows.iter().map(|row| row.postcode.as_str()).collect();
    assert_eq!(codes, ["AB10AA", "EC1A1BB", "LS14AP", "ZZ993WZ"]);
    let [ab, ec, ls, zz] = &rows[..] else {
        return Err("four rows".into());
    };
    assert!(ab.terminated && close(ab.latitude, 57.101474) && close(ab.longitude, -2.242851));
    assert!(!ec.terminated && close(ec.latitude, 51.52) && close(ec.longitude, -0.097));
    assert!(!ls.terminated && close(ls.latitude, 53.799) && close(ls.longitude, -1.549));
    assert_eq!(
        (zz.latitude, zz.longitude, zz.terminated),
        (None, None, false)
    );
    assert!(
        rows.iter()
            .all(|row| row.source_file.as_deref() == Some("x.zip"))
    );

    let point = postcode_point(&db, "ls1 4ap")
        .await?
        .ok_or("ls1 4ap resolves")?;
    assert!(close(Some(point.latitude), 53.799) && close(Some(point.longitude), -1.549));
    assert_eq!(postcode_point(&db, "AB1 0AA").await?, None, "terminated");
    assert_eq!(postcode_point(&db, "zz99 3wz").await?, None, "no location");
    Ok(())
}

#[tokio::test]
async fn windows_1252_and_bom_files_load_with_columns_in_any_order_and_case() -> TestResult {
    let (_t, db, store) = fresh().await;
    let cp1252 =
        b"Place,PCDS,Long,Lat,DoTerm\r\n\"Caf\xe9 \xa3\",LS1 4AP,-1.549,53.799,\r\n".to_vec();
    assert_eq!(load(&db, &store, "cp1252.csv", cp1252).await??, 1);
    let bom =
        b"\xEF\xBB\xBFpcds,lat,long,doterm,place\nLS2 7EW,53.80,-1.55,,Caf\xC3\xA9\n".to_vec();
    assert_eq!(load(&db, &store, "bom.csv", bom).await??, 1);
    let rows = all(&db).await?;
    assert_eq!(rows.len(), 2);
    assert!(close(rows[0].latitude, 53.799) && close(rows[0].longitude, -1.549));
    assert_eq!(rows[1].postcode, "LS27EW");
    Ok(())
}

#[tokio::test]
async fn a_bad_row_fails_the_file_by_line_and_column_and_the_rollback_keeps_the_table() -> TestResult
{
    let (_t, db, store) = fresh().await;
    load(&db, &store, "good.csv", many(30, 0.0).into_bytes()).await??;
    let before = all(&db).await?;

    // The bad row comes after a whole batch has been written.
    let mut bad = many(1500, 1.0);
    bad.push_str("BD1 1AA,BD1 1AA,202001,,fifty,-1.5,E92000001\n");
    let error = load(
        &db,
        &store,
        "bad.zip",
        zip_of(&[("data.csv", bad.into_bytes())])?,
    )
    .await?
    .err()
    .ok_or("a bad latitude fails")?;
    assert!(matches!(error, IngestError::Load(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("line 1502, column lat"), "{message}");
    assert!(message.contains("fifty"), "{message}");
    assert_eq!(all(&db).await?, before, "rolled back");

    let cases: [(&str, &str); 5] = [
        ("pcds,lat,doterm\nLS1 4AP,53.8,\n", "`long`"),
        (
            "pcds,lat,long,doterm\nLS1 4AP,53.8,-1.5,\n,53.8,-1.5,\n",
            "line 3, column pcds",
        ),
        (
            "pcds,lat,long,doterm\nLS1 4AP,91,-1.5,\n",
            "line 2, column lat",
        ),
        (
            "pcds,lat,long,doterm\nLS1 4AP,53.8,-181,\n",
            "line 2, column long",
        ),
        (
            "pcds,lat,long,doterm\nLS1 4AP,53.8,\n",
            "line 2, column long",
        ),
    ];
    for (csv, expected) in cases {
        let error = load(&db, &store, "case.csv", csv.as_bytes().to_vec())
            .await?
            .err()
            .ok_or(format!("{csv:?} fails"))?;
        assert!(error.to_string().contains(expected), "{csv:?}: {error}");
    }
    let no_data = zip_of(&[("readme.csv", b"name,value\na,b\n".to_vec())])?;
    let error = load(&db, &store, "none.zip", no_data)
        .await?
        .err()
        .ok_or("no data")?;
    assert!(error.to_string().contains("pcds"), "{error}");
    assert_eq!(all(&db).await?, before);
    Ok(())
}

#[tokio::test]
async fn thousands_of_rows_load_across_batches_and_a_reload_updates_them() -> TestResult {
    let (_t, db, store) = fresh().await;
    let first = zip_of(&[("ONSPD.csv", many(2600, 0.0).into_bytes())])?;
    assert_eq!(load(&db, &store, "x.zip", first).await??, 2600);
    let rows = all(&db).await?;
    assert_eq!(rows.len(), 2600);
    let last = rows
        .iter()
        .find(|row| row.postcode == "X2599AA")
        .ok_or("last row")?;
    assert!(close(last.latitude, 50.0 + 2599.0 * 0.001));

    // The same postcodes again, moved north, one terminated: updated in place.
    let mut second = many(2600, 0.5);
    second.push_str("X00AA,X0 0AA,202001,202402,50.5,-1.5,E92000001\n");
    let second = zip_of(&[("ONSPD.csv", second.into_bytes())])?;
    assert_eq!(load(&db, &store, "y.zip", second).await??, 2601);
    let rows = all(&db).await?;
    assert_eq!(rows.len(), 2600);
    assert!(
        rows.iter()
            .all(|row| row.source_file.as_deref() == Some("y.zip"))
    );
    let first_row = rows
        .iter()
        .find(|row| row.postcode == "X00AA")
        .ok_or("X00AA")?;
    assert!(first_row.terminated && close(first_row.latitude, 50.5));
    let last = rows
        .iter()
        .find(|row| row.postcode == "X2599AA")
        .ok_or("last row")?;
    assert!(!last.terminated && close(last.latitude, 50.5 + 2599.0 * 0.001));
    Ok(())
}

#[tokio::test]
async fn a_zip_that_lies_about_its_sizes_is_stopped_and_loads_nothing() -> TestResult {
    let (_test_db, db, store) = fresh().await;
    let zip = zip_of(&[("data.csv", many(20_000, 0.0).into_bytes())])?;
    let lying = crate::helpers::lying_about_sizes(zip, 2048);
    let error = load(&db, &store, "lying.zip", lying)
        .await?
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(error.contains("declares"), "{error}");
    assert!(all(&db).await?.is_empty());
    Ok(())
}

/// On PostgreSQL the rows stream through `COPY` into a stage on a connection of the
/// load's own: cut off mid-stream, the load fails, says why, and writes nothing.
#[tokio::test]
#[cfg_attr(
    not(signpost_test_postgres),
    ignore = "needs PostgreSQL: set TEST_DATABASE_URL"
)]
async fn a_connection_lost_mid_copy_fails_the_load_and_leaves_nothing() -> TestResult {
    let (test_db, db, store) = fresh().await;
    // Named, so that only this test's load is cut off, not another test's.
    let mut settings = test_db.settings();
    let (name, url) = crate::helpers::named_url(&settings.url, "postcode_victim");
    settings.url = url;
    let named = signpost::db::connect(&settings).await?;
    let key = Key::parse("sources/ons/big.csv")?;
    store
        .put(&key, body_of(many(400_000, 0.0).into_bytes()))
        .await?;
    let loading = tokio::spawn(async move {
        load_postcodes(&named, store, key, "big.csv", None)
            .await
            .map_err(|error| error.to_string())
    });
    crate::helpers::cut_off(&db, "COPY postcode_stage", &name, || !loading.is_finished()).await;
    let error = loading
        .await?
        .err()
        .ok_or("a lost connection fails the load")?;
    assert!(
        error.contains("staging postcodes") || error.contains("connection"),
        "says what happened: {error}"
    );
    assert!(all(&db).await?.is_empty(), "nothing was written");
    Ok(())
}
