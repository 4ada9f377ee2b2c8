//! `backchannel case DIR`: what a case holds, production by production; and the
//! `analyze --case DIR` flow that adds a production to it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use backchannel::case::changes::ChangeCounts;
use backchannel::case::{self, hash_files, Case, UpdateFacts};
use backchannel::ingest::discover;
use backchannel::model::SummaryValue;
use backchannel::pipeline::{run_plan, RunOutput, StageClock};
use backchannel::report::Run;
use backchannel::rules::Rules;

use super::analyze::{self, Args as AnalyzeArgs};

/// Show what a case holds: its productions, when each was added, and what each added.
///
/// Examples:
///   backchannel case ~/foia/ice-case
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case folder (the one given to `analyze --case`).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let case = Case::open_existing(&args.dir)
        .with_context(|| format!("opening the case in {}", args.dir.display()))?;
    let productions = case.productions()?;
    let updates = case.state()?;
    println!(
        "case {}: {} production{}, {} update{}",
        case.path().display(),
        productions.len(),
        if productions.len() == 1 { "" } else { "s" },
        updates,
        if updates == 1 { "" } else { "s" },
    );
    println!(
        "{:<24} {:<20} {:>6} {:>6} {:>9} {:>6} {:>11} {:>9} {:>8} {:>8} {:>6}  rules",
        "production",
        "added (UTC)",
        "files",
        "known",
        "messages",
        "new",
        "re-produced",
        "new flags",
        "released",
        "withheld",
        "errors",
    );
    for p in &productions {
        println!(
            "{:<24} {:<20} {:>6} {:>6} {:>9} {:>6} {:>11} {:>9} {:>8} {:>8} {:>6}  {}",
            p.name,
            p.added_at,
            p.files,
            p.files_known,
            p.messages,
            p.new_messages,
            p.reproduced,
            p.new_flags,
            p.newly_released,
            p.newly_withheld,
            p.error_rows,
            p.rules_sha256.get(..8).unwrap_or_default()
        );
    }
    println!("known: files the case already held, not read again; new and re-produced: distinct messages first seen in it and seen before; released and withheld: redacted spans it shows that an earlier production withheld, and the reverse; rules: the start of the SHA-256 of the rules it was read with");
    Ok(())
}

/// The marker a case's reports folder holds: which case, at which state, they show.
const MARKER: &str = ".backchannel-case";

/// Forgets that `out` holds a case's reports (a run outside the case wrote over them).
pub fn forget_case_reports(out: &Path) {
    let _ = std::fs::remove_file(out.join(MARKER));
}

/// The case, its state and whether the workbook was written.
fn marker_text(case: &Case, state: i64, xlsx: bool) -> String {
    let path = std::fs::canonicalize(case.path()).unwrap_or_else(|_| case.path().to_path_buf());
    format!("{}\n{state}\nxlsx={xlsx}\n", path.display())
}

/// Whether `out` holds the case's reports at its present state, as asked for.
fn reports_current(out: &Path, case: &Case, state: i64, xlsx: bool) -> bool {
    let marker = std::fs::read_to_string(out.join(MARKER)).ok();
    marker.as_deref() == Some(marker_text(case, state, xlsx).as_str())
        && out.join("messages.csv").is_file()
}

fn mark_reports(out: &Path, case: &Case, xlsx: bool) -> anyhow::Result<()> {
    let state = case.state()?;
    std::fs::write(out.join(MARKER), marker_text(case, state, xlsx))
        .with_context(|| format!("writing {}", out.join(MARKER).display()))
}

/// The production's name: given, or the input's own name.
fn production_name(args: &AnalyzeArgs, inputs: &[PathBuf]) -> anyhow::Result<String> {
    if let Some(name) = &args.production {
        anyhow::ensure!(!name.trim().is_empty(), "--production needs a name");
        return Ok(name.trim().to_string());
    }
    let [input] = inputs else {
        anyhow::bail!("several inputs make one production: name it with --production NAME");
    };
    let absolute = std::fs::canonicalize(input).unwrap_or_else(|_| input.clone());
    absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .with_context(|| {
            format!(
                "{} has no name to give the production: use --production NAME",
                input.display()
            )
        })
}

/// `analyze INPUT --case DIR`: adds the production to the case and writes the case's
/// reports.
pub fn add_production(
    args: &AnalyzeArgs,
    dir: &Path,
    inputs: &[PathBuf],
    started: Instant,
) -> anyhow::Result<()> {
    let name = production_name(args, inputs)?;
    let out = args.out.clone().unwrap_or_else(|| dir.join("reports"));
    let mut case = Case::open_or_create(dir)
        .with_context(|| format!("opening the case in {}", dir.display()))?;
    let mut clock = StageClock::default();
    let found = discover(inputs).map_err(|e| analyze::pipeline_error(e, &out, inputs))?;
    let hashed = hash_files(found.files);
    clock.lap("discover and hash");
    let rules_json =
        Rules::canonical_json(args.rules.as_deref()).with_context(|| match &args.rules {
            Some(path) => format!("loading rules from {}", path.display()),
            None => "loading the default rules".to_string(),
        })?;
    let rules_sha256 = case::sha256_hex(rules_json.as_bytes());
    let productions = case.productions()?;
    if let Some(existing) = productions.iter().find(|p| p.name == name) {
        if case.holds_same_files(existing.id, &hashed)? {
            if existing.rules_sha256 == rules_sha256 {
                return unchanged(args, &case, &name, &out, inputs, started);
            }
            anyhow::ensure!(
                args.replace,
                "the case holds production {name:?} with these same files, read with other \
                 rules: --replace reads them again with these"
            );
        }
    }
    let read_with_other_rules: Vec<&str> = (productions.iter())
        .filter(|p| p.name != name && p.rules_sha256 != rules_sha256)
        .map(|p| p.name.as_str())
        .collect();
    let rules = analyze::load_rules(args)?;
    let options = analyze::run_options(args, &out)?;
    let inputs_text = (inputs.iter().map(|p| p.display().to_string()))
        .collect::<Vec<_>>()
        .join("; ");
    let update = case.begin(&name, &inputs_text, &rules_sha256, args.replace)?;
    let (plan, new_files) = update.plan(&hashed, &found.errors)?;
    let index = (plan.productions.iter().position(|n| n.as_str() == name))
        .and_then(|i| u32::try_from(i).ok())
        .context("the production is missing from its own plan")?;
    let progress = analyze::progress_bar(args.quiet);
    let output = run_plan(plan, inputs, &rules, &options, &progress, started, clock)
        .map_err(|e| analyze::pipeline_error(e, &out, inputs))?;
    progress.finish_and_clear();
    let mut after = StageClock::default();
    let changes = case::changes::changes(&output.records, &output.redaction_diffs, index)?;
    let facts = UpdateFacts {
        output: &output,
        production_index: index,
        files: &new_files,
        changes: &changes,
        walk_errors: &found.errors,
        seconds: started.elapsed().as_secs_f64(),
    };
    store_and_report(update, &facts, args, dir, &out, &name)?;
    mark_reports(&out, &case, !args.no_xlsx)?;
    after.lap("store in the case, write reports");
    if !args.quiet {
        analyze::print_summary(&output, &out, started.elapsed().as_secs_f64());
        let known = new_files.iter().filter(|f| f.kept_from.is_some()).count();
        print_changes(&name, new_files.len(), known, &changes, &case);
    }
    if !read_with_other_rules.is_empty() {
        eprintln!(
            "note: the case's productions {} were read with other rules: their findings are as \
             read then (--replace each to read it with these rules)",
            read_with_other_rules.join(", ")
        );
    }
    if args.timings {
        analyze::print_timings(&output, &after);
    }
    Ok(())
}

/// Commits the update while the (unmarked) reports are written. The reports come from the
/// run, not from the database, so the two go side by side: the update on this thread (its
/// one SQLite writer), the reports on another.
fn store_and_report(
    update: case::Update<'_>,
    facts: &UpdateFacts<'_>,
    args: &AnalyzeArgs,
    dir: &Path,
    out: &Path,
    name: &str,
) -> anyhow::Result<()> {
    forget_case_reports(out);
    let (committed, reported) = std::thread::scope(|scope| {
        let reports = scope.spawn(|| write_unmarked(args, out, facts.output, facts.changes, name));
        let committed = update.commit(facts);
        (committed, reports.join())
    });
    committed.with_context(|| {
        format!(
            "storing the production in {} (the case is as it was)",
            dir.display()
        )
    })?;
    match reported {
        Ok(written) => written,
        Err(_) => anyhow::bail!("writing the reports to {} stopped", out.display()),
    }
}

/// The same production again: nothing to add. The reports are written again only if
/// they do not show the case as it is.
fn unchanged(
    args: &AnalyzeArgs,
    case: &Case,
    name: &str,
    out: &Path,
    inputs: &[PathBuf],
    started: Instant,
) -> anyhow::Result<()> {
    let state = case.state()?;
    if !reports_current(out, case, state, !args.no_xlsx) {
        let rules = analyze::load_rules(args)?;
        let options = analyze::run_options(args, out)?;
        let plan = case::plan_stored(case)?;
        let progress = analyze::progress_bar(args.quiet);
        let output = run_plan(
            plan,
            inputs,
            &rules,
            &options,
            &progress,
            started,
            StageClock::default(),
        )
        .map_err(|e| analyze::pipeline_error(e, out, inputs))?;
        progress.finish_and_clear();
        let last = case.productions()?.pop().unwrap_or_default();
        let changes = case.changes_of(last.id)?;
        write_case_reports(args, case, out, &output, &changes, &last.name)?;
    }
    if !args.quiet {
        eprintln!(
            "backchannel: the case already holds production {name:?} with these same files: nothing changed ({:.2} s)",
            started.elapsed().as_secs_f64()
        );
        eprintln!("reports of the case are in {}", out.display());
    }
    Ok(())
}

fn write_case_reports(
    args: &AnalyzeArgs,
    case: &Case,
    out: &Path,
    output: &RunOutput,
    changes: &[backchannel::model::Change],
    production: &str,
) -> anyhow::Result<()> {
    // The marker goes first: reports stopped part way are not taken as current.
    forget_case_reports(out);
    write_unmarked(args, out, output, changes, production)?;
    mark_reports(out, case, !args.no_xlsx)
}

/// The case's reports, not yet marked as current.
fn write_unmarked(
    args: &AnalyzeArgs,
    out: &Path,
    output: &RunOutput,
    changes: &[backchannel::model::Change],
    production: &str,
) -> anyhow::Result<()> {
    let mut summary = output.summary.clone();
    summary.extra = case_lines(output, changes, production);
    let run = Run {
        changes: Some(changes),
        summary: &summary,
        ..Run::from(output)
    };
    analyze::write(out, &run, args)
}

/// The Summary sheet's lines on the case: its productions, the one just added and what
/// it changed.
fn case_lines(
    output: &RunOutput,
    changes: &[backchannel::model::Change],
    production: &str,
) -> Vec<(String, SummaryValue)> {
    let names = output
        .records
        .case
        .as_ref()
        .map(|c| c.names.as_slice())
        .unwrap_or_default();
    let counts = ChangeCounts::of(changes);
    let text = |t: String| SummaryValue::Text(t);
    vec![
        (
            "productions in the case".into(),
            text(
                names
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ),
        (
            "production of What's new".into(),
            text(production.to_string()),
        ),
        (
            "new messages".into(),
            SummaryValue::Count(counts.new_messages),
        ),
        (
            "re-produced messages".into(),
            SummaryValue::Count(counts.reproduced),
        ),
        ("new flags".into(), SummaryValue::Count(counts.new_flags)),
        (
            "newly released spans".into(),
            SummaryValue::Count(counts.newly_released),
        ),
        (
            "newly withheld spans".into(),
            SummaryValue::Count(counts.newly_withheld),
        ),
    ]
}

fn print_changes(
    name: &str,
    files: usize,
    known: usize,
    changes: &[backchannel::model::Change],
    case: &Case,
) {
    let counts = ChangeCounts::of(changes);
    eprintln!(
        "case {}: production {name:?}: {files} files ({known} already in the case, not read again), {} new messages, {} re-produced, {} new flags, {} newly released and {} newly withheld redacted spans (changes.csv)",
        case.path().display(),
        counts.new_messages,
        counts.reproduced,
        counts.new_flags,
        counts.newly_released,
        counts.newly_withheld,
    );
}
