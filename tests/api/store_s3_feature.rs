//! Without the `s3` feature there is no S3 client to test: say so in the summary
//! rather than leave the S3 tests out silently.

#[cfg(not(feature = "s3"))]
#[test]
#[ignore = "the S3 store tests need the s3 feature: cargo test --workspace --all-features"]
fn s3_store_tests_need_the_s3_feature() {}
