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
