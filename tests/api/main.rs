//! Integration tests: a real server on a random port and a real database per test
//! (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set).

// A panic in a test or a benchmark is its failure, not a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin_api;
mod admin_console;
mod auth_hawk;
mod auth_jwt;
mod browser;
mod browser_admin;
mod cli;
mod constraints;
mod dataflow;
mod datasets;
mod datasets_http;
mod db_outage;
mod demo;
mod export;
mod export_mohawk;
mod export_stream;
mod fixtures;
mod health;
mod helpers;
mod hostile;
mod hsds_api;
mod hsds_bad_input;
mod hsds_mutations;
mod hsds_package;
mod hsds_round_trip;
mod hsds_schema;
mod hsds_services;
mod http_graphql;
mod import_csv;
mod import_http;
mod import_kill;
mod import_zip;
mod ingest_fetch;
mod ingest_hsds_api;
mod ingest_postcodes;
mod ingest_run;
mod jobs;
mod migrations;
mod mutations;
mod mutations_taxonomy;
mod oidc_provider;
mod read_batching;
mod read_filters;
mod read_hsds_filters;
mod read_paging;
mod read_projection;
mod references;
mod repo;
mod response_cache;
mod schema;
mod service_visibility;
mod store_backends;
mod store_cleanup;
mod store_config_cli;
mod store_conformance;
#[cfg(feature = "s3")]
mod store_feeds;
mod store_s3_feature;
#[cfg(feature = "s3")]
mod store_stall;
mod store_wrappers;
