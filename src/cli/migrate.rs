//! `signpost migrate up|down|status|fresh`.

use crate::config::Config;
use crate::db::{self, DbSettings, MigrateAction};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(subcommand)]
    pub action: MigrateCommand,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations (all unless --steps).
    Up {
        #[arg(long)]
        steps: Option<u32>,
    },
    /// Roll back the newest migration (or --steps of them, or --all).
    Down {
        #[arg(long, conflicts_with = "all")]
        steps: Option<u32>,
        #[arg(long)]
        all: bool,
    },
    /// List migrations and whether each is applied.
    Status,
    /// Roll back every migration and apply them again: an empty, current schema.
    Fresh,
}

pub async fn run(config: &Config, args: MigrateArgs) -> anyhow::Result<()> {
    let settings = DbSettings::from_config(config);
    let db = db::connect(&settings).await?;
    let action = match args.action {
        MigrateCommand::Status => {
            for (name, applied) in db::migration_status(&db).await? {
                println!("{}  {name}", if applied { "applied" } else { "pending" });
            }
            return Ok(());
        }
        MigrateCommand::Up { steps } => MigrateAction::Up(steps),
        MigrateCommand::Down { all: true, .. } => MigrateAction::Down(None),
        MigrateCommand::Down { steps, .. } => MigrateAction::Down(Some(steps.unwrap_or(1))),
        MigrateCommand::Fresh => MigrateAction::Fresh,
    };
    db::migrate(&db, &settings, action).await?;
    for (name, applied) in db::migration_status(&db).await? {
        println!("{}  {name}", if applied { "applied" } else { "pending" });
    }
    Ok(())
}
