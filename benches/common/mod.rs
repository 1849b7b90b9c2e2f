//! What the benchmarks share: running the release `signpost` binary as an operator
//! would, timed, with its peak RSS.

// Each benchmark compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// What one run of the binary took.
pub struct Run {
    pub seconds: f64,
    /// Peak RSS in MB, when `/usr/bin/time` is installed.
    pub rss_mb: Option<f64>,
    pub stdout: String,
}

impl Run {
    pub fn rss(&self) -> String {
        self.rss_mb.map_or("?".into(), |mb| format!("{mb:.0} MB"))
    }
}

/// Runs `signpost ARGS` in `dir` on database `url`, failing unless it succeeds.
pub fn signpost(dir: &Path, url: &str, args: &[&str]) -> anyhow::Result<Run> {
    let binary = env!("CARGO_BIN_EXE_signpost");
    let timed = Path::new("/usr/bin/time").exists();
    let mut command = if timed {
        let mut command = Command::new("/usr/bin/time");
        command.args(["-v", binary]);
        command
    } else {
        Command::new(binary)
    };
    command
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env("SIGNPOST_DATA_DIR", dir)
        .env_remove("SIGNPOST_OBJECTSTORE")
        .env("RUST_LOG", "warn");
    let started = Instant::now();
    let output = command.output()?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    anyhow::ensure!(
        output.status.success(),
        "signpost {}: {stderr}",
        args.join(" ")
    );
    let rss_mb = stderr
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|kb| kb.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    Ok(Run {
        seconds,
        rss_mb,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    })
}

/// Creates a scratch PostgreSQL database next to `admin`'s, runs `work` on its URL,
/// and drops it whatever happens.
pub fn with_scratch_database(
    admin: &str,
    name: &str,
    work: impl FnOnce(&str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let database = format!("{name}_{}", std::process::id());
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    let psql = |sql: String| {
        Command::new("psql")
            .args([admin, "-q", "-c", &sql])
            .status()
    };
    psql(format!("CREATE DATABASE {database}"))?;
    let result = work(&format!("{base}/{database}"));
    psql(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))?;
    result
}

/// A server a benchmark started, stopped when dropped.
pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until the server at `base` answers `/health/ready` (20 s at most).
pub async fn ready(base: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..400 {
        if let Ok(response) = client.get(format!("{base}/health/ready")).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    anyhow::bail!("the server at {base} did not become ready")
}

/// `psql URL -qAt -c SQL`: its output, trimmed; fails unless it succeeds.
pub fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let output = Command::new("psql")
        .args([url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
