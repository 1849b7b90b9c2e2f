//! `signpost serve` (also what `signpost` alone does).

use crate::config::Config;
use crate::db::{self, DbSettings};
use crate::demo;
use crate::state::AppState;
use anyhow::Context;
use clap::Args;
use std::time::Instant;

#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    /// Do not apply pending migrations at start; refuse to start if any are pending.
    #[arg(long)]
    pub no_migrate: bool,
}

/// How many services the automatic demo dataset has.
const AUTO_DEMO_SCALE: usize = 300;

pub async fn run(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let state = prepare(config, &args).await?;
    let listener = tokio::net::TcpListener::bind(state.config.bind)
        .await
        .with_context(|| format!("Failed to listen on {} (SIGNPOST_BIND)", state.config.bind))?;
    tracing::info!(
        address = %listener.local_addr()?,
        startup_ms = started.elapsed().as_millis() as u64,
        "Signpost is ready"
    );
    crate::http::serve(listener, state, crate::http::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Connects, migrates and (on the embedded default database) loads the demo data:
/// everything before listening. Tests use it to build the state of a real server.
pub async fn prepare(config: Config, args: &ServeArgs) -> anyhow::Result<AppState> {
    crate::install_tls_provider();
    crate::ingest::schedule::check(&config.ingest)?;
    // Configs built in code (tests, embedders) skip `Config::load`'s checks.
    config
        .check_secrets()
        .map_err(|error| crate::cli::UsageError(error.to_string()))?;
    let auth = crate::auth::Auth::from_config(&config).await?;
    let settings = DbSettings::serving(&config);
    let db = db::connect(&settings).await?;
    if args.no_migrate {
        db::require_current_schema(&db).await?;
    } else {
        db::migrate_up(&db, &settings).await?;
    }
    if config.uses_default_database() && demo::is_empty(&db).await? {
        tracing::info!(
            services = AUTO_DEMO_SCALE,
            "empty default database: loading a small demo directory (set DATABASE_URL to start empty)"
        );
        let report = demo::load(&db, &demo::DemoOptions::new(AUTO_DEMO_SCALE, 1)).await?;
        tracing::info!(rows = report.total_rows(), "demo directory loaded");
    }
    let interrupted =
        crate::import::progress::sweep_interrupted(&db, crate::import::progress::STALE_AFTER)
            .await?;
    if interrupted > 0 {
        tracing::warn!(
            imports = interrupted,
            "imports left running by a stopped process marked failed"
        );
    }
    let store = config.open_store(&db).await?;
    tracing::info!("object store ready");
    let mut state = AppState::new(db, config, auth, store);
    state.cache = crate::cache::start(
        &state.db,
        state.config.database_url(),
        &state.config.cache,
        &state.jobs,
        state.metrics.clone(),
    )
    .await?;
    crate::import::progress::spawn_sweeper(&state.jobs, state.db.clone());
    crate::notify::worker::spawn(
        &state.jobs,
        state.db.clone(),
        std::sync::Arc::new(state.config.notify()),
        state.replica.clone(),
    );
    crate::ingest::schedule::spawn(
        &state.jobs,
        state.db.clone(),
        state.store.clone(),
        state.ingest.clone(),
        state.replica.clone(),
    );
    Ok(state)
}
