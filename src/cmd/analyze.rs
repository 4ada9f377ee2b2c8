//! `backchannel analyze`: runs the pipeline over a production and writes the reports.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use backchannel::parse::ocr::Ocr;
use backchannel::pipeline::{run as run_pipeline, Options};
use backchannel::report::{top_agencies, write_reports, ReportOptions, Run};
use backchannel::rules::Rules;

/// Read a production and write the findings.
///
/// Reads every file under the inputs (folders are walked recursively; the format is
/// detected from content), recovers each message including quoted and forwarded ones,
/// and writes messages.csv, flags.csv, agencies.csv, redactions.csv, errors.csv,
/// findings.xlsx, messages.parquet and messages.ndjson into the output folder, and
/// documents.csv, one row per source file.
///
/// Examples:
///   backchannel analyze                          # the sample production in corpus/
///   backchannel analyze ~/foia/ice-2019 --out ~/foia/ice-2019-reports
///   backchannel analyze batch1/ batch2/ extra.mbox --rules my-rules.json --quiet
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders to read. Default: corpus/ (the sample production).
    /// Example: `backchannel analyze releases/2019 releases/extra.mbox`
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Folder to write the reports into (created if missing). Default: reports/, or
    /// with --case, the case folder's reports/.
    /// Example: `--out ~/foia/reports`
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Add the inputs to a case: a folder holding case.sqlite (made if missing) with
    /// every production added before. Files the case already holds (same content) are
    /// not read again; the reports cover the whole case, with `production` and
    /// `first_seen` columns, and changes.csv (the What's new sheet) says what this
    /// production changed. The update is one transaction: a run stopped part way leaves
    /// the case as it was. Example: `--case ~/foia/ice-case`
    #[arg(long, value_name = "DIR")]
    pub case: Option<PathBuf>,

    /// The production's name in the case. Default: the input folder's (or file's) name.
    /// Adding files under a name the case already holds is refused unless they are the
    /// same files (then nothing changes) or --replace is given.
    /// Example: `--production "interim release 3"`
    #[arg(long, value_name = "NAME", requires = "case")]
    pub production: Option<String>,

    /// Replace the case's production of the same name with these files.
    /// Example: `--replace`
    #[arg(long, requires = "case")]
    pub replace: bool,

    /// A rules file extending the defaults (see `backchannel rules`): its lists are added
    /// to the default lists, its scoring values replace the defaults.
    /// Example: `--rules my-rules.json`
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Skip findings.xlsx (the CSV, Parquet and NDJSON files are still written).
    /// Example: `--no-xlsx`
    #[arg(long)]
    pub no_xlsx: bool,

    /// Files larger than this many megabytes are reported in errors.csv, not read.
    /// Example: `--max-file-mb 1024`
    #[arg(long, value_name = "MB", default_value_t = 256)]
    pub max_file_mb: u64,

    /// Stop reading one file after this many seconds and report it in errors.csv, so
    /// that a pathological file cannot stall the run; 0 for no limit. OCR of a long
    /// scanned PDF can need more. Example: `--max-file-secs 3600`
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub max_file_secs: u64,

    /// Read PDF pages that have no text layer (scans) with tesseract, which must be
    /// installed; without it such pages are listed in documents.csv as needing OCR.
    /// Images are taken out of the PDF; scans in unusual encodings need poppler's
    /// pdftoppm too. Example: `--ocr`
    #[arg(long)]
    pub ocr: bool,

    /// Tesseract language(s) for --ocr. Example: `--ocr-lang eng+spa`
    #[arg(long, value_name = "LANG", default_value = "eng", requires = "ocr")]
    pub ocr_lang: String,

    /// No progress bar and no summary on stderr.
    /// Example: `--quiet`
    #[arg(long, short)]
    pub quiet: bool,

    /// Print the wall time of each stage on stderr (even with --quiet), to see where a
    /// run's time goes. Example: `--timings`
    #[arg(long)]
    pub timings: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let inputs = if args.inputs.is_empty() {
        vec![PathBuf::from("corpus")]
    } else {
        args.inputs.clone()
    };
    if let Some(dir) = &args.case {
        return super::case::add_production(&args, dir, &inputs, started);
    }
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("reports"));
    let rules = load_rules(&args)?;
    let progress = progress_bar(args.quiet);
    let run_options = run_options(&args, &out)?;
    let output = run_pipeline(&inputs, &rules, &run_options, &progress)
        .map_err(|e| pipeline_error(e, &out, &inputs))?;
    progress.finish_and_clear();
    let run = Run::from(&output);
    let mut clock = backchannel::pipeline::StageClock::default();
    write(&out, &run, &args)?;
    super::case::forget_case_reports(&out);
    clock.lap("write reports");
    if !args.quiet {
        print_summary(&output, &out, started.elapsed().as_secs_f64());
    }
    if args.timings {
        print_timings(&output, &clock);
    }
    Ok(())
}

/// The default rules, extended with the user's.
pub(super) fn load_rules(args: &Args) -> anyhow::Result<Rules> {
    match &args.rules {
        Some(path) => Rules::with_user_file(path)
            .with_context(|| format!("loading rules from {}", path.display())),
        None => Rules::default_rules().context("loading the default rules"),
    }
}

/// How the pipeline reads, from the flags; its records wait in `out`.
pub(super) fn run_options(args: &Args, out: &std::path::Path) -> anyhow::Result<Options> {
    let ocr = match args.ocr {
        true => Some(Ocr::find(&args.ocr_lang).map_err(anyhow::Error::msg)?),
        false => None,
    };
    Ok(Options {
        max_file_bytes: args.max_file_mb.saturating_mul(1024 * 1024),
        max_file_time: (args.max_file_secs > 0).then(|| Duration::from_secs(args.max_file_secs)),
        ocr,
        // Findings wait for the reports beside them, not in memory nor in a /tmp that
        // may be memory too.
        store_dir: Some(out.to_path_buf()),
    })
}

/// A pipeline error with what the user can check.
pub(super) fn pipeline_error(
    e: backchannel::error::Error,
    out: &std::path::Path,
    inputs: &[PathBuf],
) -> anyhow::Error {
    let context = match e {
        // The record store, in the output folder, could not be made.
        backchannel::error::Error::Write { .. } => format!(
            "writing to {} (is it writable, with free space?)",
            out.display()
        ),
        _ => format!(
            "reading {} (check that the path exists and is readable)",
            inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    anyhow::Error::new(e).context(context)
}

/// Writes the reports of `run` into `out`.
pub(super) fn write(out: &std::path::Path, run: &Run<'_>, args: &Args) -> anyhow::Result<()> {
    let options = ReportOptions {
        xlsx: !args.no_xlsx,
    };
    write_reports(out, run, &options)
        .with_context(|| format!("writing reports to {} (is it writable?)", out.display()))?;
    Ok(())
}

/// The stages' times, on stderr.
pub(super) fn print_timings(
    output: &backchannel::pipeline::RunOutput,
    after: &backchannel::pipeline::StageClock,
) {
    for lap in output.summary.stage_secs.iter().chain(after.laps()) {
        let cpu = lap
            .cpu_percent()
            .map_or("     ".into(), |p| format!("{p:3.0} %"));
        eprintln!("{:8.3} s  {cpu}  {}", lap.wall_secs, lap.stage);
    }
}

/// A progress bar on stderr that shows itself only once a run has taken longer than a
/// moment, and never when stderr is not a terminal or with `--quiet`.
pub(super) fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {pos}/{len} files {wide_bar} {elapsed}")
    {
        bar.set_style(style);
    }
    let delayed = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        if !delayed.is_finished() {
            delayed.set_draw_target(ProgressDrawTarget::stderr());
            delayed.enable_steady_tick(Duration::from_millis(120));
        }
    });
    bar
}

/// The summary line; `secs` is the whole run's, reports included (the Summary sheet's
/// time stops before them, as it is written with them).
pub(super) fn print_summary(
    output: &backchannel::pipeline::RunOutput,
    out: &std::path::Path,
    secs: f64,
) {
    let s = &output.summary;
    let top = top_agencies(&output.records, 5)
        .into_iter()
        .map(|(name, n)| format!("{name} ({n})"))
        .collect::<Vec<_>>()
        .join(", ");
    let mb = s.bytes as f64 / 1_048_576.0;
    eprintln!(
        "backchannel: {} files ({:.1} MB: {} with messages, {} without, {} not read), {} messages ({} distinct, in {} threads), {} flagged informal requests, {} redaction differences, {} error rows, {:.2} s ({:.1} MB/s)",
        s.files,
        mb,
        s.files_with_messages,
        s.files_without_messages,
        s.files_unread,
        s.messages,
        s.distinct_messages,
        s.threads,
        s.flagged,
        s.redaction_diffs,
        s.error_rows,
        secs,
        if secs > 0.0 { mb / secs } else { 0.0 }
    );
    if !top.is_empty() {
        eprintln!("top agencies: {top}");
    }
    eprintln!("reports written to {}", out.display());
}
