//! The admin console in a real browser (`tests/browser/admin.mjs`): Debian's
//! Chromium signs in through a real OpenID Connect provider (`oidc_provider`)
//! with the authorization code flow and PKCE, then works every page against a
//! real server and database, with an HTTP ingest source on 127.0.0.1 and the
//! network otherwise cut off. Screenshots of each page are written to
//! `<target dir>/admin-console-screenshots/<sqlite|postgres>/`.
//!
//! Access tokens live 10 seconds here, so the console has to renew them
//! silently (refresh grants) many times while the script runs.

use crate::browser::BrowserTools;
use crate::helpers::{postgres_url, spawn_app_with};
use crate::ingest_run::{Files, serve, source, zip_of};
use crate::oidc_provider::{OidcProvider, ProviderSettings, TestUser};
use entities::imports;
use sea_orm::EntityTrait;
use signpost::ingest::{IngestConfig, Loader};
use std::path::{Path, PathBuf};

/// Small, so the page's own size check can be shown refusing a file.
const MAX_UPLOAD_BYTES: u64 = 64 * 1024;

fn official_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds/official")
}

fn official(name: &str) -> Vec<u8> {
    let path = official_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let backend = if postgres_url().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    target.join("admin-console-screenshots").join(backend)
}

#[tokio::test]
#[cfg_attr(
    not(signpost_test_browser),
    ignore = "needs Chromium and tests/browser/node_modules: set SIGNPOST_TEST_BROWSER=1"
)]
async fn admin_console_works_in_a_real_browser() {
    let Some(tools) = BrowserTools::find("admin_console_works_in_a_real_browser") else {
        return;
    };
    let provider = OidcProvider::start(
        vec![
            TestUser::new("admin", &["admin"]),
            TestUser::new("reader", &["reader"]),
        ],
        ProviderSettings {
            access_token_secs: 10,
            ..ProviderSettings::default()
        },
    )
    .await;
    // The ingest source offers the official organisations and a services file
    // whose only row names a provider nobody has: one file loads, one fails.
    let files = Files::default();
    files.put("organizations.csv", official("organizations.csv"));
    files.put(
        "services.csv",
        "id,organization_id,name\n5e2c7d9a-0000-4000-8000-000000000001,0190a000-0000-7000-8000-00000000beef,Lost\n",
    );
    let index = serve(files).await;
    let issuer = provider.issuer.clone();
    let jwks = provider.jwks_url();
    let app = spawn_app_with(|config| {
        config.oidc_issuer = Some(issuer.clone());
        config.oidc_client_id = Some("signpost-admin".into());
        config.jwt_jwks = Some(jwks);
        config.jwt_issuer = Some(issuer.clone());
        config.jwt_audience = Some("signpost".into());
        config.jwt_leeway_secs = 0;
        config.import_max_file_bytes = MAX_UPLOAD_BYTES;
        config.ingest = IngestConfig {
            sources: vec![source(
                "local-files",
                &index,
                r"\.csv$",
                Loader::Directory { replace: false },
            )],
        };
    })
    .await;

    // The official HSDS example as a tabular package: every file in one zip.
    let package = tempfile::tempdir().expect("temp dir");
    let package_zip = package.path().join("hsds-example.zip");
    let members: Vec<(String, String)> = std::fs::read_dir(official_dir())
        .expect("fixtures")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "csv"))
        .map(|path| {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(&path).expect("csv"))
        })
        .collect();
    let members: Vec<(&str, &str)> = members
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_str()))
        .collect();
    std::fs::write(&package_zip, zip_of(&members)).expect("zip");

    let shots = screenshot_dir();
    let mut node = std::process::Command::new("node");
    node.arg(tools.dir.join("admin.mjs"))
        .arg(app.url(""))
        .arg(&provider.issuer)
        .arg(&shots)
        .arg(MAX_UPLOAD_BYTES.to_string())
        .arg(&package_zip)
        .env("CHROMIUM_PATH", &tools.chromium);
    let output = tokio::task::spawn_blocking(move || node.output())
        .await
        .expect("join")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains(r#""ok":true"#),
        "the console failed in the browser (screenshots in {})\nstdout: {stdout}\nstderr: {}",
        shots.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("admin console screenshots: {}", shots.display());
    if let Some(line) = stdout.lines().last()
        && let Ok(report) = serde_json::from_str::<serde_json::Value>(line)
    {
        eprintln!("admin console timings (ms): {}", report["seen"]["timings"]);
    }

    // Every sign-in went through the provider's code flow with PKCE, and the
    // 10-second tokens were renewed without leaving the page.
    assert_eq!(
        provider.grants("authorization_code"),
        4,
        "admin, reader, reader after a reload, admin without refresh tokens"
    );
    assert!(
        provider.grants("refresh_token") >= 1,
        "no silent renewal happened"
    );

    let all = imports::Entity::find().all(&app.db).await.expect("imports");
    // The refused file was a dry run that failed; nothing applied it.
    let refused: Vec<_> = all
        .iter()
        .filter(|i| i.dry_run && i.state == imports::ImportState::Failed)
        .collect();
    assert_eq!(refused.len(), 1, "{all:#?}");
    assert!(all.iter().all(|i| i.confirms != Some(refused[0].id)));
    // The apply whose answer was lost and retried made one import, not two.
    for dry_run in all.iter().filter(|i| i.dry_run) {
        let confirmations = all
            .iter()
            .filter(|i| i.confirms == Some(dry_run.id))
            .count();
        assert!(
            confirmations <= 1,
            "{} confirmed {confirmations} times",
            dry_run.file_name
        );
    }
    // The upload tried after the sign-in expired sent nothing.
    let organisation_checks = all
        .iter()
        .filter(|i| i.dry_run && i.file_name == "organizations.csv")
        .count();
    assert_eq!(organisation_checks, 1, "{all:#?}");
    let confirmed = all.iter().filter(|i| i.confirms.is_some()).count();
    assert_eq!(
        confirmed, 3,
        "organizations.csv, services.csv and the package were applied once each"
    );
    assert!(
        all.iter()
            .any(|i| i.restored_from.is_some() && i.state == imports::ImportState::Completed),
        "the restore completed"
    );
}
