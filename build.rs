//! Tests that need something optional — PostgreSQL, an S3 server, Chromium, Python
//! `mohawk` — are compiled as `#[ignore]`d (with the reason) unless it is configured,
//! so `cargo test` reports them as ignored instead of passing without their subject.
//! `.ci/run` sets every variable after installing what it names.

/// (environment variable, cfg it turns on)
const OPTIONAL: [(&str, &str); 4] = [
    ("TEST_DATABASE_URL", "signpost_test_postgres"),
    ("TEST_S3_ENDPOINT", "signpost_test_s3"),
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
