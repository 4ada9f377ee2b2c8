//! The `backchannel` command line: one module per subcommand under `cmd/`.

mod cmd;

use clap::{Parser, Subcommand};

/// Find informal inter-agency data requests in government email releases.
///
/// backchannel reads a production of released email (.eml, mbox, maildir folders and
/// printed or OCR'd text), recovers every message including quoted ones, finds the
/// agencies, redactions and data requests in each, flags the person-to-person requests
/// for another agency's data made outside formal channels, and writes a workbook.
#[derive(Debug, Parser)]
#[command(name = "backchannel", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Analyze(cmd::analyze::Args),
    Rules(cmd::rules::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => cmd::analyze::run(args),
        Command::Rules(args) => cmd::rules::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("backchannel: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}
