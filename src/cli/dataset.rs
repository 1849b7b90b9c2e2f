//! `signpost dataset …`: datasets from a terminal, as the GraphQL mutations do
//! them. `upload` previews the file (every column's inferred type, the types it
//! fits, samples, missing columns), then loads it with the inferred types and any
//! `--type column=TYPE`, unless `--dry-run`. Exit 0 when done, 1 when the file was
//! refused (the reason names the row and column), 2 for bad usage.
//!
//! The change is recorded for data-flow and webhooks like any other; the serving
//! replicas send it (this process does not run the notification worker).

use super::UsageError;
use crate::config::Config;
use crate::dataset::version::{self, preview_of};
use crate::dataset::{DatasetError, load};
use crate::db::{self, DbSettings};
use clap::{Args, Subcommand};
use entities::dataset_versions::DatasetVersionState as State;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct DatasetArgs {
    #[command(subcommand)]
    pub command: DatasetCommand,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Make a new, empty dataset.
    Create {
        organisation: String,
        dataset: String,
    },
    /// Upload a CSV file as a new version: previewed, then loaded.
    Upload {
        organisation: String,
        dataset: String,
        file: PathBuf,
        /// A column's type instead of the inferred one: `opened=timestamp`
        /// (integer, numeric, boolean, date, timestamp, text). Repeatable.
        #[arg(long = "type", value_name = "COLUMN=TYPE")]
        types: Vec<String>,
        /// Preview only, then discard the version.
        #[arg(long)]
        dry_run: bool,
    },
    /// Load an earlier completed version's file again, as a new version.
    Restore { version_id: uuid::Uuid },
    /// Every dataset with its current version.
    List,
}

fn usage(error: DatasetError) -> anyhow::Error {
    match error {
        DatasetError::Usage(message)
        | DatasetError::NotFound(message)
        | DatasetError::Conflict(message) => anyhow::Error::new(UsageError(message)),
        other => anyhow::Error::new(other),
    }
}

pub async fn run(config: &Config, args: DatasetArgs) -> anyhow::Result<()> {
    let settings = DbSettings::from_config(config);
    let db = db::connect(&settings).await?;
    db::migrate_up(&db, &settings).await?;
    match args.command {
        DatasetCommand::Create {
            organisation,
            dataset,
        } => {
            let created = version::create(&db, &organisation, &dataset, Some("cli"))
                .await
                .map_err(usage)?;
            println!(
                "dataset {}/{} created",
                created.organisation, created.dataset
            );
            Ok(())
        }
        DatasetCommand::List => {
            use sea_orm::{EntityTrait, QueryOrder};
            let all = entities::datasets::Entity::find()
                .order_by_asc(entities::datasets::Column::Organisation)
                .order_by_asc(entities::datasets::Column::Dataset)
                .all(&db)
                .await?;
            for dataset in all {
                match version::current(&db, &dataset).await.map_err(usage)? {
                    Some(current) => println!(
                        "{}/{}: version {}, {} rows (id {})",
                        dataset.organisation,
                        dataset.dataset,
                        current.number,
                        current.rows_total,
                        current.id
                    ),
                    None => println!(
                        "{}/{}: no version yet",
                        dataset.organisation, dataset.dataset
                    ),
                }
            }
            Ok(())
        }
        DatasetCommand::Restore { version_id } => {
            let store = config.open_store(&db).await?;
            let restored = version::restore(&db, version_id, Some("cli"))
                .await
                .map_err(usage)?;
            finish(load::process(&db, &store, restored, &config.dataset_limits()).await?)
        }
        DatasetCommand::Upload {
            organisation,
            dataset,
            file,
            types,
            dry_run,
        } => {
            let overrides = types
                .iter()
                .map(|pair| {
                    pair.split_once('=')
                        .map(|(column, kind)| (column.trim().to_owned(), kind.trim().to_owned()))
                        .ok_or_else(|| UsageError(format!("--type {pair:?}: write COLUMN=TYPE")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if let Some((column, kind)) = overrides.iter().find(|(_, kind)| {
                crate::dataset::ColumnType::from_name(&kind.to_ascii_lowercase()).is_none()
            }) {
                return Err(UsageError(format!(
                    "--type {column}={kind}: not a type (integer, numeric, boolean, date, timestamp, text)"
                ))
                .into());
            }
            let found = version::find(&db, &organisation, &dataset).await.map_err(|error| match error {
                DatasetError::NotFound(message) => anyhow::Error::new(UsageError(format!(
                    "{message}: make it first with `signpost dataset create {organisation} {dataset}`"
                ))),
                other => usage(other),
            })?;
            let name = file
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let opened = tokio::fs::File::open(&file)
                .await
                .map_err(|error| UsageError(format!("{}: {error}", file.display())))?;
            let body = Box::pin(tokio_util::io::ReaderStream::with_capacity(
                opened,
                256 * 1024,
            ));
            let store = config.open_store(&db).await?;
            let limits = config.dataset_limits();
            let uploaded = version::upload(&db, &store, &found, &name, body, &limits, Some("cli"))
                .await
                .map_err(usage)?;
            let verified = version::verify(&db, &store, uploaded, &limits)
                .await
                .map_err(usage)?;
            if verified.state != State::Verified {
                return finish(verified);
            }
            print_preview(&verified);
            if dry_run {
                version::discard(&db, &store, verified.id)
                    .await
                    .map_err(usage)?;
                println!(
                    "dry run: version {} discarded, nothing changed",
                    verified.number
                );
                return Ok(());
            }
            let confirmed = version::confirm(&db, verified.id, &overrides)
                .await
                .map_err(usage)?;
            finish(load::process(&db, &store, confirmed, &limits).await?)
        }
    }
}

fn print_preview(version: &entities::dataset_versions::Model) {
    let Some(preview) = preview_of(version) else {
        return;
    };
    println!("version {}: {} rows", version.number, preview.rows);
    for column in &preview.columns {
        let fits: Vec<&str> = column.fits.iter().map(|kind| kind.name()).collect();
        println!(
            "  {}: {} (fits {}; {} empty) e.g. {}",
            column.name,
            column.inferred.name(),
            fits.join(", "),
            column.empty,
            column.samples.join(" | ")
        );
    }
    for warning in &preview.warnings {
        eprintln!("warning: {warning}");
    }
}

/// Prints how the version ended; an error when it did not complete.
fn finish(version: entities::dataset_versions::Model) -> anyhow::Result<()> {
    match version.state {
        State::Completed => {
            println!(
                "version {} completed: {} rows",
                version.number, version.rows_total
            );
            Ok(())
        }
        state => Err(anyhow::anyhow!(
            "version {} {state}: {}",
            version.number,
            version.error_message.unwrap_or_default()
        )),
    }
}
