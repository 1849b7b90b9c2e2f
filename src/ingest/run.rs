//! One run of a source: list → download what the store lacks → load every stored
//! file the registry has not finished with, each alone, carrying on past
//! failures — all under the source's lease.

use super::config::{Listing, Loader, SourceConfig};
use super::lease::Lease;
use super::{IngestError, fetch, hsds, postcodes, registry};
use crate::import::{ImportOptions, Mode};
use crate::store::{Key, ObjectMeta, Store};
use entities::ingest_runs::{self, IngestRunState};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long a lease lasts without a heartbeat: a run whose process died is
/// taken over this long after its last heartbeat.
pub const LEASE_TTL: Duration = Duration::from_secs(60);

/// What started a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    Mutation,
    Cli,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::Mutation => "mutation",
            Self::Cli => "cli",
        }
    }
}

/// Something a watcher (the command line's progress display) may show.
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

/// The most distinct warnings a run keeps (more are counted).
const MAX_WARNINGS: usize = 100;

/// A run as it finished, with its warnings: what went wrong without failing
/// anything (an API's `total_pages` promising pages it does not have, fields
/// Signpost does not store). The run's row has no place for them: they are
/// logged (`tracing::warn`) and shown to the watcher as they happen, and
/// returned here for the command line to print.
#[derive(Clone, Debug)]
pub struct Finished {
    pub run: ingest_runs::Model,
    pub warnings: Vec<String>,
}

/// A run's warnings, each logged and shown once however many files repeat it.
struct Warnings {
    source: String,
    progress: Option<Progress>,
    /// (warning, how many files gave it, the first of them).
    kept: Vec<(String, usize, Option<String>)>,
    index: HashMap<String, usize>,
    dropped: usize,
}

impl Warnings {
    fn new(source: &SourceConfig, progress: Option<Progress>) -> Self {
        Self {
            source: source.name.clone(),
            progress,
            kept: Vec::new(),
            index: HashMap::new(),
            dropped: 0,
        }
    }

    /// A warning, of stored file `file` if about one.
    fn add(&mut self, file: Option<&str>, warning: String) {
        if let Some(&at) = self.index.get(&warning) {
            self.kept[at].1 += 1;
            return;
        }
        if self.kept.len() >= MAX_WARNINGS {
            self.dropped += 1;
            return;
        }
        let shown = match file {
            Some(file) => format!("{file}: {warning}"),
            None => warning.clone(),
        };
        tracing::warn!(source = %self.source, "ingest: {shown}");
        if let Some(progress) = &self.progress {
            progress(&format!("warning: {shown}"));
        }
        self.index.insert(warning.clone(), self.kept.len());
        self.kept.push((warning, 1, file.map(str::to_owned)));
    }

    fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .kept
            .iter()
            .map(|(warning, files, first)| match (first, files) {
                (None, _) => warning.clone(),
                (Some(file), 1) => format!("{file}: {warning}"),
                (Some(file), 2) => format!("{file} (and 1 more file): {warning}"),
                (Some(file), files) => {
                    format!("{file} (and {} more files): {warning}", files - 1)
                }
            })
            .collect();
        if self.dropped > 0 {
            lines.push(format!("… and {} other warnings", self.dropped));
        }
        lines
    }
}

/// The lease name of a source's runs.
pub fn lease_name(source: &str) -> String {
    format!("ingest:{source}")
}

/// Records a new run of `source` (state `queued`); run it with [`run`].
pub async fn create(
    db: &DatabaseConnection,
    source: &SourceConfig,
    trigger: Trigger,
    force: bool,
    holder: &str,
) -> Result<ingest_runs::Model, IngestError> {
    Ok(ingest_runs::ActiveModel {
        id: Set(crate::stamp::new_id()),
        source: Set(source.name.clone()),
        trigger: Set(trigger.as_str().into()),
        state: Set(IngestRunState::Queued),
        force: Set(force),
        files_seen: Set(0),
        files_fetched: Set(0),
        files_loaded: Set(0),
        files_failed: Set(0),
        error_message: Set(None),
        holder: Set(Some(holder.to_owned())),
        started_at: Set(crate::stamp::now()),
        heartbeat_at: Set(None),
        finished_at: Set(None),
        warnings: Set(None),
    }
    .insert(db)
    .await?)
}

async fn save(db: &DatabaseConnection, run: &ingest_runs::Model) -> Result<(), IngestError> {
    let mut row: ingest_runs::ActiveModel = run.clone().into();
    row = sea_orm::ActiveModelTrait::reset_all(row);
    row.update(db).await?;
    Ok(())
}

/// Runs `run` of `source` to its end; the run as it finished. Errors of single
/// files are in the registry and the run's counts, not in the result.
pub async fn run(
    db: &DatabaseConnection,
    store: &Store,
    source: &SourceConfig,
    run: ingest_runs::Model,
    progress: Option<Progress>,
) -> Result<ingest_runs::Model, IngestError> {
    Ok(run_with_warnings(db, store, source, run, progress)
        .await?
        .run)
}

/// [`run`], returning the run's warnings too.
#[tracing::instrument(name = "ingest", skip_all, fields(source = %source.name, run = %run.id))]
pub async fn run_with_warnings(
    db: &DatabaseConnection,
    store: &Store,
    source: &SourceConfig,
    mut run: ingest_runs::Model,
    progress: Option<Progress>,
) -> Result<Finished, IngestError> {
    let mut warnings = Warnings::new(source, progress.clone());
    let say = |message: &str| {
        tracing::info!(source = %source.name, "{message}");
        if let Some(progress) = &progress {
            progress(message);
        }
    };
    let holder = run.holder.clone().unwrap_or_default();
    let Some(lease) = Lease::acquire(db, &lease_name(&source.name), &holder, LEASE_TTL).await?
    else {
        let other = Lease::holder_of(db, &lease_name(&source.name)).await?;
        run.state = IngestRunState::Failed;
        run.error_message = Some(format!(
            "another run of {} is in progress (held by {})",
            source.name,
            other.as_deref().unwrap_or("another replica")
        ));
        run.finished_at = Some(crate::stamp::now());
        save(db, &run).await?;
        return Ok(Finished {
            run,
            warnings: Vec::new(),
        });
    };
    run.state = IngestRunState::Running;
    run.heartbeat_at = Some(crate::stamp::now());
    save(db, &run).await?;
    let lost = Arc::new(AtomicBool::new(false));
    // Aborted when dropped, so no path out of here leaves it heartbeating.
    let heartbeat = tokio_util::task::AbortOnDropHandle::new(tokio::spawn(keep_alive(
        db.clone(),
        lease.clone(),
        run.id,
        lost.clone(),
    )));
    let outcome = crate::jobs::guarded(work(
        db,
        store,
        source,
        &mut run,
        &lost,
        &say,
        &mut warnings,
    ))
    .await
    .unwrap_or_else(|panic| Err(IngestError::Source(panic)));
    drop(heartbeat);
    if let Err(error) = lease.release(db).await {
        tracing::warn!(%error, "releasing an ingest lease");
    }
    let mut problems = Vec::new();
    let changed = *outcome.as_ref().unwrap_or(&0);
    if let Err(error) = outcome {
        problems.push(error.to_string());
    }
    if lost.load(Ordering::Relaxed) {
        problems.push(
            "the run's lease was lost (no heartbeat for too long); another run takes over".into(),
        );
    }
    run.state = if !problems.is_empty() {
        IngestRunState::Failed
    } else if run.files_failed > 0 {
        // Ran to its end, but not every file made it: not a success to report.
        IngestRunState::CompletedWithFailures
    } else {
        IngestRunState::Completed
    };
    run.error_message = (!problems.is_empty()).then(|| problems.join("; "));
    run.finished_at = Some(crate::stamp::now());
    let warnings = warnings.lines();
    // One warning a line, as stored.
    let stored: Vec<String> = warnings
        .iter()
        .map(|w| w.replace(['\r', '\n'], " "))
        .collect();
    run.warnings = (!stored.is_empty()).then(|| stored.join("\n"));
    save(db, &run).await?;
    if changed > 0 && run.state != IngestRunState::Failed {
        crate::notify::record(db, &crate::notify::Change::ingest_run(&run, changed)).await?;
    }
    say(&format!(
        "{}: {} listed, {} fetched, {} loaded, {} failed, {} warnings",
        run.state,
        run.files_seen,
        run.files_fetched,
        run.files_loaded,
        run.files_failed,
        warnings.len()
    ));
    Ok(Finished { run, warnings })
}

/// Heartbeats the lease (and the run row) until aborted; sets `lost` if the
/// lease went to someone else.
async fn keep_alive(db: DatabaseConnection, lease: Lease, run: uuid::Uuid, lost: Arc<AtomicBool>) {
    loop {
        tokio::time::sleep(LEASE_TTL / 4).await;
        match lease.heartbeat(&db).await {
            Ok(true) => {
                let _ = ingest_runs::ActiveModel {
                    id: Set(run),
                    heartbeat_at: Set(Some(crate::stamp::now())),
                    ..Default::default()
                }
                .update(&db)
                .await;
            }
            Ok(false) => {
                lost.store(true, Ordering::Relaxed);
                return;
            }
            Err(error) => tracing::warn!(%error, "ingest heartbeat"),
        }
    }
}

async fn work(
    db: &DatabaseConnection,
    store: &Store,
    source: &SourceConfig,
    run: &mut ingest_runs::Model,
    lost: &AtomicBool,
    say: &(dyn Fn(&str) + Sync),
    warnings: &mut Warnings,
) -> Result<u64, IngestError> {
    let prefix = format!("sources/{}/", source.name);
    let client = fetch::client(source)?;
    let mut listing_error = None;
    // Directory rows the run's files loaded: the run tells data-flow once.
    let mut changed = 0u64;
    if let Listing::HsdsApi { url, overlap_secs } = &source.list {
        // An API's pages change: each run stores a snapshot of its own, named
        // to the millisecond so that two runs in one second load their own.
        let stamp = run.started_at.format("%Y%m%dT%H%M%S%3fZ").to_string();
        say(&format!("listing {}/services", url.trim_end_matches('/')));
        let mut listed = hsds::Listed::default();
        let modified_after = if run.force {
            None
        } else {
            last_complete_start(db, &source.name, run.id)
                .await?
                .and_then(|at| {
                    // An overlap reaching before any date lists everything.
                    let overlap = chrono::TimeDelta::try_seconds(
                        i64::try_from(*overlap_secs).unwrap_or(i64::MAX),
                    )?;
                    at.checked_sub_signed(overlap)
                })
        };
        if let Some(since) = modified_after {
            say(&format!("listing services modified since {since}"));
        }
        let outcome = hsds::fetch_pages(
            &client,
            source,
            url,
            store,
            &prefix,
            &stamp,
            hsds::Bounds {
                modified_after,
                ..Default::default()
            },
            &mut listed,
        )
        .await;
        run.files_seen = (listed.stored as usize + listed.failed.len()) as i32;
        run.files_fetched = listed.stored as i32;
        run.files_failed += listed.failed.len() as i32;
        for warning in listed.warnings {
            warnings.add(None, warning);
        }
        for failure in &listed.failed {
            say(&format!("fetching failed: {failure}"));
        }
        let mut errors = Vec::new();
        if let Err(error) = outcome {
            errors.push(error.to_string());
        }
        match listed.failed.as_slice() {
            [] => {}
            [one] => errors.push(one.clone()),
            [first, rest @ ..] => errors.push(format!(
                "{first} (and {} more services not fetched)",
                rest.len()
            )),
        }
        if !errors.is_empty() {
            listing_error = Some(errors.join("; "));
        }
    } else {
        list_and_fetch(
            store,
            source,
            run,
            &client,
            &prefix,
            say,
            &mut listing_error,
        )
        .await?;
    }
    save(db, run).await?;
    let stored = crate::store::list_all(store.as_ref(), &prefix).await?;
    for meta in stored {
        if lost.load(Ordering::Relaxed) {
            break;
        }
        let Some(name) = meta.key.as_str().strip_prefix(&prefix).map(str::to_owned) else {
            continue;
        };
        let row = registry::find(db, &source.name, &name).await?;
        if !run.force && !registry::wants_loading(row.as_ref()) {
            continue;
        }
        say(&format!("loading {name}"));
        // Listings need not carry the hash (S3's do not); the object's own head does.
        let meta = match meta.sha256 {
            Some(_) => meta,
            None => store.head(&meta.key).await?,
        };
        let id = registry::begin(db, &source.name, &name, &meta, run.id).await?;
        match load(db, store, source, &name, &meta, id).await {
            Ok(Loaded {
                rows,
                warnings: said,
            }) => {
                run.files_loaded += 1;
                if !matches!(source.loader, Loader::Dataset { .. }) {
                    changed += rows;
                }
                say(&format!("loaded {name}: {rows} rows"));
                for warning in said {
                    warnings.add(Some(&name), warning);
                }
            }
            Err(error) => {
                run.files_failed += 1;
                let message = error.to_string();
                say(&format!("loading {name} failed: {message}"));
                registry::failed(db, id, &message).await?;
            }
        }
        save(db, run).await?;
    }
    match listing_error {
        Some(error) => Err(IngestError::Source(error)),
        None => Ok(changed),
    }
}

/// When the last run of `source` before `this` that completed with nothing
/// failed started.
async fn last_complete_start(
    db: &DatabaseConnection,
    source: &str,
    this: uuid::Uuid,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, IngestError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let last = ingest_runs::Entity::find()
        .filter(ingest_runs::Column::Source.eq(source))
        .filter(ingest_runs::Column::Id.ne(this))
        .filter(ingest_runs::Column::State.eq(IngestRunState::Completed))
        .order_by_desc(ingest_runs::Column::StartedAt)
        .one(db)
        .await?;
    Ok(last.map(|run| run.started_at))
}

/// Lists the source's files and downloads those the store lacks.
async fn list_and_fetch(
    store: &Store,
    source: &SourceConfig,
    run: &mut ingest_runs::Model,
    client: &reqwest::Client,
    prefix: &str,
    say: &(dyn Fn(&str) + Sync),
    listing_error: &mut Option<String>,
) -> Result<(), IngestError> {
    match fetch::list_files(client, source).await {
        Ok(remote) => {
            run.files_seen = remote.len() as i32;
            let held: HashSet<String> = crate::store::list_all(store.as_ref(), prefix)
                .await?
                .into_iter()
                .filter_map(|meta| meta.key.as_str().strip_prefix(prefix).map(str::to_owned))
                .collect();
            for file in remote.iter().filter(|file| !held.contains(&file.name)) {
                say(&format!("fetching {}", file.name));
                let key = Key::parse(&format!("{prefix}{}", file.name))?;
                match fetch::download(client, source, file, store, &key).await {
                    Ok(_) => run.files_fetched += 1,
                    Err(error) => {
                        run.files_failed += 1;
                        say(&format!("fetching {} failed: {error}", file.name));
                        listing_error.get_or_insert(error.to_string());
                    }
                }
            }
        }
        // Files stored by earlier runs are still loaded.
        Err(error) => *listing_error = Some(error.to_string()),
    }
    Ok(())
}

/// What loading a file did.
#[derive(Debug, Default)]
struct Loaded {
    rows: u64,
    /// The import's warnings (columns it does not store, …).
    warnings: Vec<String>,
}

/// Loads one stored file, marking it processed in the load's transaction.
async fn load(
    db: &DatabaseConnection,
    store: &Store,
    source: &SourceConfig,
    name: &str,
    meta: &ObjectMeta,
    id: uuid::Uuid,
) -> Result<Loaded, IngestError> {
    match &source.loader {
        Loader::Postcodes => {
            let rows =
                postcodes::load_postcodes(db, store.clone(), meta.key.clone(), name, Some(id))
                    .await?;
            Ok(Loaded {
                rows,
                warnings: Vec::new(),
            })
        }
        Loader::Hsds => {
            let (_, body) = store.get(&meta.key).await?;
            let body = crate::store::read_all(body, hsds::MAX_PAGE_BYTES).await?;
            // A page of the list is a file of the run that loads nothing: each
            // service it lists has its own file.
            let Some(tabular) = hsds::tabular_zip(&body)? else {
                registry::processed(db, id, 0).await?;
                return Ok(Loaded::default());
            };
            let zip_name = format!("{}.zip", name.trim_end_matches(".json"));
            let body = crate::store::body_of(tabular.zip);
            let service = &tabular.service;
            let mut loaded = import(db, store, source, &zip_name, body, false, id)
                .await
                .map_err(|error| match error {
                    IngestError::Load(message) => {
                        IngestError::Load(format!("service {service}: {message}"))
                    }
                    other => other,
                })?;
            let mut warnings = tabular.warnings;
            warnings.append(&mut loaded.warnings);
            loaded.warnings = warnings;
            Ok(loaded)
        }
        Loader::Directory { replace } => {
            let (_, body) = store.get(&meta.key).await?;
            import(db, store, source, name, body, *replace, id).await
        }
        Loader::Dataset {
            organisation,
            dataset,
        } => {
            let rows =
                super::dataset::load_file(db, store, source, organisation, dataset, name, meta)
                    .await?;
            registry::processed(db, id, rows).await?;
            Ok(Loaded {
                rows,
                warnings: Vec::new(),
            })
        }
    }
}

/// Loads a file through the CSV import and marks it processed. The import has
/// its own single transaction and history row: a crash between it and the
/// registry update loads the file again next run, which the import sees as the
/// same bytes — a no-op.
async fn import(
    db: &DatabaseConnection,
    store: &Store,
    source: &SourceConfig,
    name: &str,
    body: crate::store::Body,
    replace: bool,
    id: uuid::Uuid,
) -> Result<Loaded, IngestError> {
    let options = ImportOptions {
        mode: if replace { Mode::Replace } else { Mode::Upsert },
        publish: source.publish,
        ..ImportOptions::default()
    };
    let actor = format!("ingest:{}", source.name);
    let outcome = crate::import::import_file(db, store, name, body, &options, Some(&actor))
        .await
        .map_err(|error| IngestError::Load(error.to_string()))?;
    if !outcome.succeeded() {
        let errors: Vec<String> = outcome
            .errors
            .iter()
            .take(5)
            .map(ToString::to_string)
            .collect();
        return Err(IngestError::Load(format!(
            "import {} refused the file: {}{}",
            outcome.import.id,
            errors.join("; "),
            if outcome.errors.len() > 5 {
                "; …"
            } else {
                ""
            }
        )));
    }
    let rows = outcome.import.rows_total.max(0) as u64;
    registry::processed(db, id, rows).await?;
    Ok(Loaded {
        rows,
        // A file imported before (an API's unchanged service) says only that.
        warnings: match outcome.duplicate_of {
            Some(_) => Vec::new(),
            None => outcome.warnings.iter().map(ToString::to_string).collect(),
        },
    })
}
