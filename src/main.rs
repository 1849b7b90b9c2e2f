//! The `signpost` binary: parse the command line, read the config, dispatch.

use clap::Parser;
use signpost::cli::{Cli, Command};
use signpost::config::Config;
use std::process::ExitCode;

/// Exit code for a bad setting or usage (clap uses 2 for usage errors too).
const EXIT_USAGE: u8 = 2;

/// mimalloc rather than glibc's malloc: a page of GraphQL output is thousands of
/// short-lived allocations across worker threads, where glibc's arenas contend
/// (a quarter of the server's CPU in the read benchmark went to malloc and free).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("signpost: configuration error: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    signpost::telemetry::init(config.log_format);
    signpost::install_tls_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("signpost: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            None => signpost::cli::serve::run(config, Default::default()).await,
            Some(Command::Serve(args)) => signpost::cli::serve::run(config, args).await,
            Some(Command::Migrate(args)) => signpost::cli::migrate::run(&config, args).await,
            Some(Command::DemoData(args)) => signpost::cli::demo_data::run(&config, args).await,
            Some(Command::Import(args)) => signpost::cli::import::run(&config, args).await,
            Some(Command::Ingest(args)) => signpost::cli::ingest::run(&config, args).await,
            Some(Command::Dataset(args)) => signpost::cli::dataset::run(&config, args).await,
            Some(Command::Store(args)) => signpost::cli::store::run(&config, args).await,
            Some(Command::ExportHsds(args)) => signpost::cli::export_hsds::run(&config, args).await,
            Some(Command::HawkRequest(args)) => {
                signpost::cli::hawk_request::run(&config, args).await
            }
            Some(Command::PrintSchema) => {
                signpost::cli::print_schema::run();
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("signpost: {error:#}");
            if error.downcast_ref::<signpost::cli::UsageError>().is_some() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
