//! `signpost store check-config [--connect]`: the object-store configuration as
//! Signpost reads it, whichever spelling it was written in (its own, or the Data
//! Store Service's `APIAPP_OBJECTSTORECONFIG` documents), with secrets and
//! passwords shown as `***`. A bad configuration never gets this far: it stops
//! the command with exit code 2 and the path of the field at fault.

use crate::config::Config;
use crate::db::{self, DbSettings};
use clap::Args;

#[derive(Debug, Args)]
pub struct CheckConfigArgs {
    /// Also open the store and check that it answers (exit 1 when it does not).
    #[arg(long)]
    pub connect: bool,
}

pub async fn run(config: &Config, args: CheckConfigArgs) -> anyhow::Result<()> {
    let store = config.store_config()?;
    println!("{}", serde_json::to_string_pretty(&store)?);
    if args.connect {
        let db = db::connect(&DbSettings::from_config(config)).await?;
        let opened = store
            .open(&db, Some(&config.data_dir.join("objects")))
            .await?;
        opened.check().await?;
        println!("the store answers");
    }
    Ok(())
}
