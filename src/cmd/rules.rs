//! `backchannel rules`: prints the default rules file.

use std::io::Write;

use anyhow::Context;

/// Print the default rules file, to copy and extend.
///
/// The rules hold the agency gazetteer (names, aliases, email domains), the patterns that
/// name agencies no list holds, and the phrase lists that find requests, data types,
/// formal channels and bypasses. Lists in a file given to `analyze --rules` are added to
/// these; scalar settings (the scoring weights) replace them.
///
/// Example: backchannel rules > my-rules.json
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(backchannel::rules::DEFAULT_RULES.as_bytes())
        .context("writing the rules to standard output")?;
    Ok(())
}
