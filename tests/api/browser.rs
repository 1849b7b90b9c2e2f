//! GraphiQL in a real browser: Debian's Chromium driven by `playwright-core`
//! (`tests/browser/graphiql.mjs`) with the network cut off. `.ci/run` installs
//! both; elsewhere the test says it is skipped unless `CI=true`, where a missing
//! browser fails it.

use crate::fixtures;
use crate::helpers::spawn_app;
use std::path::{Path, PathBuf};

const CHROMIUM: &str = "/usr/bin/chromium";

#[tokio::test]
#[cfg_attr(
    not(signpost_test_browser),
    ignore = "needs Chromium and tests/browser/node_modules: set SIGNPOST_TEST_BROWSER=1"
)]
async fn graphiql_runs_its_example_in_a_real_browser() {
    let Some(tools) = BrowserTools::find("graphiql_runs_its_example_in_a_real_browser") else {
        return;
    };
    let app = spawn_app().await;
    let provider = fixtures::provider(&app.db, "Leeds Citizens Advice").await;
    fixtures::service(&app.db, provider, "Housing Advice Line").await;
    let mut node = std::process::Command::new("node");
    node.arg(tools.dir.join("graphiql.mjs"))
        .arg(app.url(""))
        .arg("Housing Advice Line")
        .env("CHROMIUM_PATH", &tools.chromium);
    let output = tokio::task::spawn_blocking(move || node.output())
        .await
        .expect("join")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "browser run failed\nstdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(r#""ok":true"#), "{stdout}");
}

/// Node, Chromium and `tests/browser/node_modules`: there, or the test is skipped
/// (and fails under `CI=true`, where `.ci/run` installs them).
pub struct BrowserTools {
    pub dir: PathBuf,
    pub chromium: String,
}

impl BrowserTools {
    pub fn find(test: &str) -> Option<BrowserTools> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
        let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| CHROMIUM.into());
        let missing: Vec<&str> = [
            ("node", which("node")),
            ("chromium", Path::new(&chromium).exists()),
            (
                "tests/browser/node_modules (npm ci --prefix tests/browser)",
                dir.join("node_modules/playwright-core").is_dir()
                    && dir.join("node_modules/axe-core").is_dir(),
            ),
        ]
        .into_iter()
        .filter(|(_, present)| !present)
        .map(|(name, _)| name)
        .collect();
        if missing.is_empty() {
            return Some(BrowserTools { dir, chromium });
        }
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "browser test cannot run under CI: missing {missing:?}"
        );
        eprintln!("SKIPPED {test}: missing {missing:?}");
        None
    }
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// The `graphql-http` package's audits of the GraphQL-over-HTTP specification
/// (`tests/browser/http-audit.mjs`): all 61, MUST, SHOULD and MAY, pass.
#[tokio::test]
#[cfg_attr(
    not(signpost_test_browser),
    ignore = "needs tests/browser/node_modules (npm ci): set SIGNPOST_TEST_BROWSER=1"
)]
async fn graphql_over_http_audits_all_pass() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/http-audit.mjs");
    let app = spawn_app().await;
    let mut node = std::process::Command::new("node");
    node.arg(script).arg(app.url("/graphql"));
    let output = tokio::task::spawn_blocking(move || node.output())
        .await
        .expect("join")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "no report\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(report["failed"], serde_json::json!([]), "{report}");
    assert_eq!(report["total"], 61, "the package ran every audit: {report}");
    assert!(output.status.success());
}
