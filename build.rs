//! Tests that need something optional — PostgreSQL, an S3 or DynamoDB server,
//! MySQL/MariaDB, Chromium, Python
//! `mohawk` — are compiled as `#[ignore]`d (with the reason) unless it is configured,
//! so `cargo test` reports them as ignored instead of passing without their subject.
//! `.ci/run` sets every variable after installing what it names.

/// (environment variable, cfg it turns on)
const OPTIONAL: [(&str, &str); 6] = [
    ("TEST_DATABASE_URL", "signpost_test_postgres"),
    ("TEST_S3_ENDPOINT", "signpost_test_s3"),
    ("TEST_DYNAMODB_ENDPOINT", "signpost_test_dynamodb"),
    ("TEST_MYSQL_URL", "signpost_test_mysql"),
    ("SIGNPOST_TEST_BROWSER", "signpost_test_browser"),
    ("SIGNPOST_TEST_MOHAWK", "signpost_test_mohawk"),
];

fn main() {
    for (variable, cfg) in OPTIONAL {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={variable}");
        if std::env::var(variable).is_ok_and(|value| !value.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
