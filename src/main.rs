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
    Case(cmd::case::Args),
    Rules(cmd::rules::Args),
}

fn main() -> std::process::ExitCode {
    quiet_worker_panics();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => cmd::analyze::run(args),
        Command::Case(args) => cmd::case::run(args),
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

/// A panic while a worker reads a file becomes that file's error row (and a file stopped
/// at its time limit unwinds, see `backchannel::watchdog`): the default message would only
/// repeat it on stderr, in the middle of the progress bar. Panics elsewhere still print.
fn quiet_worker_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_worker = std::thread::current()
            .name()
            .is_some_and(|name| name.starts_with(backchannel::workers::THREAD_PREFIX));
        if !in_worker && !backchannel::watchdog::is_over_time(info.payload()) {
            default(info);
        }
    }));
}
