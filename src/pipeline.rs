//! Drives the stages: takes input paths and compiled rules and gives the records (one per
//! message, in input order), the conversations, the redaction differences and the error
//! rows of a run. Files are read, parsed, extracted and flagged in parallel with rayon,
//! one file at a time per worker; each file's records go to the [`RecordStore`] as it is
//! done, so memory holds a [`Brief`] and a fixed-size [`Signature`] per message, not the
//! production or its findings; a panic inside one file becomes that file's error row.
//! Once every file is read, the thread/dedupe stage groups the briefs; the bodies of the
//! copies that are redacted differently come back from the store for their differences.
//!
//! A run over a case ([`crate::case`]) is given a [`Plan`]: the files of its earlier
//! productions, and those of the new one it already holds, come from the case through the
//! [`Kept`] trait (their records, bodies included, as first read) instead of being read
//! again; every record carries the number of its production.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use crate::error::Error;
use crate::extract::extract;
use crate::flag::flag_file;
use crate::group::{diffs, group, Brief, Signature};
use crate::ingest::{detect, discover, Format, SourceFile};
use crate::model::{
    DocumentRow, ErrorRow, Name, Record, Redaction, RedactionDiff, RunSummary, StageTime, ThreadRow,
};
use crate::parse::ocr::Ocr;
use crate::parse::office::OfficeKind;
use crate::parse::parse_file;
use crate::records::{CaseColumns, Records};
use crate::rules::Rules;
use crate::store::RecordStore;
use crate::watchdog::{is_over_time, with_deadline};
use crate::workers;

/// How a run reads: the limits that keep one pathological file from stalling it, and
/// the OCR to read scanned pages with, if any.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files larger than this are reported, not read.
    pub max_file_bytes: u64,
    /// Longest one file's reading may take (`None`: no limit). A file past it becomes an
    /// error row.
    pub max_file_time: Option<Duration>,
    /// OCR for PDF pages with no text layer (`--ocr`); `None` lists them as needing it.
    pub ocr: Option<Ocr>,
    /// Where the run keeps its records' findings until the reports are written: an
    /// unnamed temporary file in this folder (`None`: in memory, for small runs).
    pub store_dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_bytes: 256 * 1024 * 1024,
            max_file_time: Some(Duration::from_secs(600)),
            ocr: None,
            store_dir: None,
        }
    }
}

/// What a run gives.
#[derive(Debug, Default)]
pub struct RunOutput {
    /// Every message, in input order: briefs in memory, the whole records in the store.
    pub records: Records,
    /// One row per file read, in input order.
    pub documents: Vec<DocumentRow>,
    /// One row per conversation.
    pub threads: Vec<ThreadRow>,
    /// Text withheld in one copy of a message and shown in another.
    pub redaction_diffs: Vec<RedactionDiff>,
    pub errors: Vec<ErrorRow>,
    pub summary: RunSummary,
}

/// What one file gave.
#[derive(Debug, Default)]
struct FileOutput {
    briefs: Vec<Brief>,
    signatures: Vec<Signature>,
    document: Option<DocumentRow>,
    errors: Vec<ErrorRow>,
    bytes: u64,
}

/// A file a case already holds, as it was first read: its document row, its records
/// (bodies included) and its error rows, under the name it has in this run.
#[derive(Debug, Default)]
pub struct KeptFile {
    pub document: DocumentRow,
    pub records: Vec<Record>,
    pub errors: Vec<ErrorRow>,
}

/// Where the files a case already holds come from: the narrow door between the case
/// database and the pipeline. Called from the worker threads.
pub trait Kept: Send + Sync {
    /// The kept file `id`, its records and document renamed to `source`; or why it
    /// cannot be given.
    fn load(&self, id: i64, source: &str) -> Result<KeptFile, String>;
}

/// One file of a [`Plan`]: read from disk, or taken from the case.
#[derive(Debug, Clone)]
pub enum PlanFile {
    Read(SourceFile),
    Kept {
        /// The case's id of the file whose records it takes.
        id: i64,
        /// The name it is reported under.
        source: String,
        size: u64,
    },
}

impl PlanFile {
    /// The file as the error rows name it.
    fn source_file(&self) -> SourceFile {
        match self {
            PlanFile::Read(file) => file.clone(),
            PlanFile::Kept { source, size, .. } => SourceFile {
                path: PathBuf::from(source),
                source: source.clone(),
                size: *size,
            },
        }
    }
}

/// What a run reads, in order: each file with the index of its production in
/// `productions` (empty outside a case).
#[derive(Default)]
pub struct Plan {
    pub files: Vec<(u32, PlanFile)>,
    pub productions: Vec<Name>,
    /// Paths that could not be walked.
    pub walk_errors: Vec<ErrorRow>,
    pub kept: Option<Arc<dyn Kept>>,
}

impl Plan {
    /// The files under `inputs`, all read from disk, outside any case.
    pub fn of_inputs(inputs: &[PathBuf]) -> Result<Plan, Error> {
        let found = discover(inputs)?;
        Ok(Plan {
            files: found
                .files
                .into_iter()
                .map(|f| (0, PlanFile::Read(f)))
                .collect(),
            walk_errors: found.errors,
            ..Plan::default()
        })
    }
}

/// Runs the pipeline over the inputs.
pub fn run(
    inputs: &[PathBuf],
    rules: &Rules,
    options: &Options,
    progress: &ProgressBar,
) -> Result<RunOutput, Error> {
    let started = Instant::now();
    let mut clock = StageClock::default();
    let plan = Plan::of_inputs(inputs)?;
    clock.lap("discover");
    run_plan(plan, inputs, rules, options, progress, started, clock)
}

/// Runs the pipeline over a plan's files; `inputs` are named in the summary, `clock` has
/// timed what came before.
pub fn run_plan(
    plan: Plan,
    inputs: &[PathBuf],
    rules: &Rules,
    options: &Options,
    progress: &ProgressBar,
    started: Instant,
    mut clock: StageClock,
) -> Result<RunOutput, Error> {
    progress.set_length(plan.files.len() as u64);
    let store = Arc::new(open_store(options)?);
    let file_count = plan.files.len();
    let in_case = !plan.productions.is_empty();
    let file_productions: Vec<u32> = plan.files.iter().map(|(p, _)| *p).collect();
    let per_file = read_files(
        &plan.files,
        plan.kept.clone(),
        rules,
        options,
        &store,
        progress,
    );
    clock.lap("read, parse, extract, flag");
    let walk_errors = plan.walk_errors.len();
    let mut output = RunOutput {
        errors: plan.walk_errors,
        ..RunOutput::default()
    };
    let (mut files_with_messages, mut files_without_messages) = (0, 0);
    let mut files_unread = walk_errors;
    // Reserved whole: a vector that doubles as it fills holds half again its size for
    // a moment, and these are the largest of a run.
    let total: usize = per_file.iter().map(|f| f.briefs.len()).sum();
    let mut briefs: Vec<Brief> = Vec::with_capacity(total);
    let mut signatures: Vec<Signature> = Vec::with_capacity(total);
    let mut productions: Vec<u32> = Vec::with_capacity(if in_case { total } else { 0 });
    for (f, production) in per_file.into_iter().zip(file_productions) {
        if in_case {
            productions.extend(std::iter::repeat_n(production, f.briefs.len()));
        }
        match (&f.document, f.briefs.is_empty()) {
            (_, false) => files_with_messages += 1,
            (Some(d), true) if d.content != "unread" => files_without_messages += 1,
            _ => files_unread += 1,
        }
        output.summary.bytes += f.bytes;
        briefs.extend(f.briefs);
        signatures.extend(f.signatures);
        output.documents.extend(f.document);
        output.errors.extend(f.errors);
    }
    clock.lap("collect");
    // The read stage's garbage: the grouping stage's tables can use its pages.
    trim_heap();
    output.threads = group(&mut briefs, &signatures, rules);
    let case = in_case.then(|| CaseColumns {
        fingerprints: (signatures.iter().zip(&briefs))
            .map(|(s, b)| fingerprint(s, b))
            .collect(),
        of_record: productions,
        names: plan.productions,
    });
    drop(signatures);
    trim_heap();
    clock.lap("thread and dedupe");
    output.records = Records {
        briefs,
        store,
        case,
    };
    let differing = diffs::differing_groups(&output.records.briefs);
    let wanted: Vec<usize> = differing.iter().flatten().copied().collect();
    let bodies = stored_bodies(&output.records, &wanted);
    output.redaction_diffs =
        diffs::redaction_diffs(&output.records.briefs, &differing, &bodies, &output.threads);
    clock.lap("redaction differences");
    output.summary = RunSummary {
        inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
        files: file_count + walk_errors,
        files_with_messages,
        files_without_messages,
        files_unread,
        messages: output.records.len(),
        distinct_messages: (output.records.briefs.iter().enumerate())
            .filter(|(i, b)| b.is_first_copy(*i))
            .count(),
        threads: output.threads.len(),
        redaction_diffs: output.redaction_diffs.len(),
        flagged: distinct_flagged(&output.records.briefs),
        error_rows: output.errors.len(),
        elapsed_secs: started.elapsed().as_secs_f64(),
        bytes: output.summary.bytes,
        stage_secs: clock.laps,
        extra: Vec::new(),
    };
    Ok(output)
}

/// Wall time between the stages of a run.
#[derive(Debug)]
pub struct StageClock {
    last: Instant,
    last_cpu: Option<f64>,
    laps: Vec<StageTime>,
}

impl Default for StageClock {
    fn default() -> Self {
        StageClock {
            last: Instant::now(),
            last_cpu: process_cpu_secs(),
            laps: Vec::new(),
        }
    }
}

impl StageClock {
    /// Ends a stage: the time since the last lap is its.
    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        let cpu = process_cpu_secs();
        self.laps.push(StageTime {
            stage,
            wall_secs: now.duration_since(self.last).as_secs_f64(),
            cpu_secs: cpu.zip(self.last_cpu).map(|(now, then)| now - then),
        });
        self.last = now;
        self.last_cpu = cpu;
    }

    pub fn laps(&self) -> &[StageTime] {
        &self.laps
    }
}

/// Processor time the process has used so far, user and system, on Linux.
fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold spaces: fields are counted after it.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime, the 14th and 15th fields, in the kernel's fixed 100 Hz ticks.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// Reads every file on the worker threads ([`workers`]), each within the time limit, and
/// gives their outputs in input order.
fn read_files(
    files: &[(u32, PlanFile)],
    kept: Option<Arc<dyn Kept>>,
    rules: &Rules,
    options: &Options,
    store: &Arc<RecordStore>,
    progress: &ProgressBar,
) -> Vec<FileOutput> {
    let shared = Arc::new((files.to_vec(), rules.clone(), options.clone()));
    let store = Arc::clone(store);
    let job: workers::Job<FileOutput> = Arc::new(move |i| {
        let (files, rules, options) = &*shared;
        match &files[i].1 {
            PlanFile::Read(file) => read_within_limit(file, rules, options, &store),
            planned @ PlanFile::Kept { id, .. } => {
                take_kept(kept.as_deref(), *id, &planned.source_file(), &store)
            }
        }
    });
    // Work stuck inside another crate's code cannot unwind at the limit: it is waited
    // for twice as long, and a minute more, then left behind.
    let give_up_after = options
        .max_file_time
        .map(|limit| limit.saturating_mul(2) + Duration::from_secs(60));
    let done = || progress.inc(1);
    let abandoned = |i: usize, waited: Duration| {
        let file = &files[i].1.source_file();
        let reason = format!(
            "still being read after {} s, past the per-file time limit (--max-file-secs); left unread",
            waited.as_secs()
        );
        unread(file, "parse", reason, file.size)
    };
    workers::run_all(files.len(), job, give_up_after, &done, &abandoned)
}

/// One file's reading, with its deadline; a panic or an overrun becomes its error row.
fn read_within_limit(
    file: &SourceFile,
    rules: &Rules,
    options: &Options,
    store: &RecordStore,
) -> FileOutput {
    let limit = options.max_file_time;
    let read = catch_unwind(AssertUnwindSafe(|| {
        with_deadline(limit, || process_file(file, rules, options, store))
    }));
    read.unwrap_or_else(|panic| {
        let reason = if is_over_time(panic.as_ref()) {
            format!(
                "reading stopped at the per-file time limit of {} s (--max-file-secs)",
                limit.map_or(0, |l| l.as_secs())
            )
        } else {
            format!(
                "internal error while reading this file: {}",
                panic_text(&panic)
            )
        };
        unread(file, "parse", reason, file.size)
    })
}

fn process_file(
    file: &SourceFile,
    rules: &Rules,
    options: &Options,
    store: &RecordStore,
) -> FileOutput {
    if file.size > options.max_file_bytes {
        return unread(
            file,
            "ingest",
            format!(
                "file is {} bytes, above the per-file limit of {} bytes (--max-file-mb)",
                file.size, options.max_file_bytes
            ),
            0,
        );
    }
    let (parsed, format, size) = match read_and_parse(file, options) {
        Ok(read) => read,
        Err((reason, size)) => return unread(file, "ingest", reason, size),
    };
    let extracted: Vec<_> = parsed
        .messages
        .iter()
        .map(|m| {
            crate::watchdog::check();
            extract(m, rules)
        })
        .collect();
    let custodian = custodian(&parsed.furniture, rules);
    let findings = flag_file(&parsed.messages, &extracted, custodian.as_ref(), rules);
    let signatures: Vec<Signature> = (parsed.messages.iter())
        .zip(&extracted)
        .map(|(m, e)| Signature::with_spans(m, &e.body_spans))
        .collect();
    // Bodies are kept apart from their records: only the redaction-difference stage
    // reads them again, and only a few.
    let mut bodies = Vec::with_capacity(parsed.messages.len());
    let records: Vec<Record> = parsed
        .messages
        .into_iter()
        .zip(findings)
        .map(|(mut message, findings)| {
            message.body_chars = u32::try_from(message.body.chars().count()).unwrap_or(u32::MAX);
            bodies.push(std::mem::take(&mut message.body));
            Record {
                message,
                findings,
                group: Default::default(),
            }
        })
        .collect();
    let mut errors: Vec<ErrorRow> = parsed
        .problems
        .into_iter()
        .map(|p| error_row(file, "parse", p))
        .collect();
    let loose_redactions = crate::extract::redactions::redactions_in(&parsed.text_outside_messages);
    let spans = records
        .iter()
        .map(|r| r.findings.redactions.len())
        .sum::<usize>()
        + loose_redactions.len();
    let document = DocumentRow {
        file: file.source.clone(),
        format: format_name(format).to_string(),
        pages: parsed.pages,
        content: content_kind(&records, !errors.is_empty()).to_string(),
        messages: u32::try_from(records.len()).unwrap_or(u32::MAX),
        redactions: u32::try_from(spans).unwrap_or(u32::MAX),
        exemptions: document_exemptions(&records, &loose_redactions, &parsed.stamps),
        loose_redactions,
        release_stamps: parsed.stamps,
        pages_needing_ocr: parsed.pages_needing_ocr,
        error: joined_reasons(&errors),
    };
    let briefs = match stored_briefs(store, &records, &bodies, &file.source) {
        Ok(briefs) => briefs,
        Err(e) => {
            errors.push(error_row(file, "store", e.to_string()));
            return FileOutput {
                document: Some(DocumentRow {
                    error: joined_reasons(&errors),
                    ..document
                }),
                errors,
                bytes: size,
                ..FileOutput::default()
            };
        }
    };
    FileOutput {
        briefs,
        signatures,
        document: Some(document),
        errors,
        bytes: size,
    }
}

/// A file the case already holds: its records go to the store as if just read, and
/// their signatures are taken again from their bodies.
fn take_kept(
    kept: Option<&dyn Kept>,
    id: i64,
    file: &SourceFile,
    store: &RecordStore,
) -> FileOutput {
    let (source, size) = (file.source.as_str(), file.size);
    let loaded = match kept {
        Some(kept) => kept.load(id, source),
        None => Err("no case to take it from".to_string()),
    };
    let KeptFile {
        document,
        mut records,
        errors,
    } = match loaded {
        Ok(loaded) => loaded,
        Err(reason) => return unread(file, "case", reason, size),
    };
    let signatures: Vec<Signature> = records.iter().map(|r| Signature::of(&r.message)).collect();
    let bodies: Vec<String> = (records.iter_mut())
        .map(|r| std::mem::take(&mut r.message.body))
        .collect();
    match stored_briefs(store, &records, &bodies, source) {
        // Not read: its bytes do not count towards the run's.
        Ok(briefs) => FileOutput {
            briefs,
            signatures,
            document: Some(document),
            errors,
            bytes: 0,
        },
        Err(e) => unread(file, "store", e.to_string(), size),
    }
}

/// Puts one file's records and bodies in the store; gives their briefs.
fn stored_briefs(
    store: &RecordStore,
    records: &[Record],
    bodies: &[String],
    source: &str,
) -> Result<Vec<Brief>, crate::store::StoreError> {
    let (places, body_places) = store.put(records, bodies)?;
    let source = Name::from(source);
    Ok((records.iter().zip(places).zip(body_places))
        .map(|((r, stored), body)| Brief::of(r, stored, &source).with_body(body))
        .collect())
}

/// A message's key in a case: the exact fingerprint copy detection compares (sender,
/// minute, text without its redactions), or, for a message without a known sender, its
/// text's hash with its subject and sender as written.
fn fingerprint(signature: &Signature, brief: &Brief) -> u64 {
    use crate::group::signature::fnv1a;
    if signature.exact != 0 {
        return signature.exact;
    }
    let h = fnv1a(signature.body, brief.subject().as_bytes());
    fnv1a(h, brief.from().as_bytes()).max(1)
}

/// The run's record store: on disk in `options.store_dir`, or in memory.
fn open_store(options: &Options) -> Result<RecordStore, Error> {
    match &options.store_dir {
        Some(dir) => RecordStore::on_disk(dir).map_err(|e| Error::Write {
            path: dir.clone(),
            reason: e.to_string(),
        }),
        None => Ok(RecordStore::in_memory()),
    }
}

/// Detects the format; text whose lines end in a bare CR (classic Mac OS) gets LF line
/// ends first, as every reader downstream splits lines on LF.
fn detect_text_with_any_line_ends(mut bytes: Vec<u8>) -> (Vec<u8>, Format) {
    let format = detect(&bytes);
    let cr_only =
        memchr::memchr(b'\r', &bytes).is_some() && memchr::memchr(b'\n', &bytes).is_none();
    if format != Format::Printed || !cr_only {
        return (bytes, format);
    }
    for b in bytes.iter_mut().filter(|b| **b == b'\r') {
        *b = b'\n';
    }
    let format = detect(&bytes);
    (bytes, format)
}

/// Distinct messages flagged in any of their copies.
fn distinct_flagged(briefs: &[Brief]) -> usize {
    let flagged: std::collections::BTreeSet<u32> = briefs
        .iter()
        .filter(|b| b.flagged)
        .map(|b| b.place.first)
        .collect();
    flagged.len()
}

/// The bodies of the `wanted` records, from the store; a body the store cannot give
/// back gives its copies no differences.
fn stored_bodies(records: &Records, wanted: &[usize]) -> HashMap<usize, String> {
    let places: Vec<_> = wanted.iter().map(|&i| records.briefs[i].body).collect();
    match records.store.get_texts(&places) {
        Ok(bodies) => wanted.iter().copied().zip(bodies).collect(),
        Err(_) => HashMap::new(),
    }
}

/// Reads a file, detects its format and parses it: the parse, the format and the bytes
/// read, or why it cannot be read (and the bytes read before that was known).
fn read_and_parse(
    file: &SourceFile,
    options: &Options,
) -> Result<(crate::parse::Parsed, Format, u64), (String, u64)> {
    let bytes = std::fs::read(&file.path).map_err(|e| (format!("cannot read: {e}"), 0))?;
    let (bytes, format) = detect_text_with_any_line_ends(bytes);
    let size = bytes.len() as u64;
    if let Format::Unreadable(reason) = format {
        return Err((reason.to_string(), size));
    }
    let parsed = parse_file(
        &file.source,
        &file.path,
        format,
        &bytes,
        options.ocr.as_ref(),
    );
    Ok((parsed, format, size))
}

/// A file that could not be read: its error row, and its document row saying so.
fn unread(file: &SourceFile, stage: &str, reason: String, bytes: u64) -> FileOutput {
    let errors = vec![error_row(file, stage, reason)];
    FileOutput {
        document: Some(DocumentRow {
            file: file.source.clone(),
            format: "unreadable".into(),
            content: "unread".into(),
            error: joined_reasons(&errors),
            ..DocumentRow::default()
        }),
        errors,
        bytes,
        ..FileOutput::default()
    }
}

/// What a document holds, from the records it gave.
fn content_kind(records: &[Record], has_errors: bool) -> &'static str {
    let memo = Some(crate::model::Origin::Memo);
    if records.iter().any(|r| r.message.origin != memo) {
        "email"
    } else if !records.is_empty() {
        "memo"
    } else if has_errors {
        "unread"
    } else {
        "other"
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Eml => "eml",
        Format::Mbox => "mbox",
        Format::Printed => "printed",
        Format::Pdf => "pdf",
        Format::Office(OfficeKind::Word) => "docx",
        Format::Office(OfficeKind::Excel) => "xlsx",
        Format::Image(_) => "image",
        Format::Unreadable(_) => "unreadable",
    }
}

fn joined_reasons(errors: &[ErrorRow]) -> String {
    errors
        .iter()
        .map(|e| e.reason.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The exemption codes a document shows: on its redacted spans and in its release stamps.
fn document_exemptions(records: &[Record], loose: &[Redaction], stamps: &[String]) -> Vec<String> {
    let mut codes: Vec<String> = records
        .iter()
        .flat_map(|r| r.findings.exemptions.iter().cloned())
        .chain(loose.iter().flat_map(|r| r.codes.iter().cloned()))
        .chain(
            stamps
                .iter()
                .flat_map(|s| crate::extract::redactions::redactions_in(s))
                .flat_map(|r| r.codes),
        )
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// The agency a release's page banners name ("LONG BEACH POLICE DEPARTMENT  CPRA
/// RESPONSE #19-0442"): the custodian of the records, a party to their messages.
fn custodian(furniture: &[String], rules: &Rules) -> Option<crate::model::Agency> {
    let text = furniture.join("\n");
    crate::extract::agencies::agencies_in(&crate::text::repair_ocr(&text), rules)
        .into_iter()
        .find(|a| a.kind != "vendor")
}

fn error_row(file: &SourceFile, stage: &str, reason: String) -> ErrorRow {
    ErrorRow {
        file: file.source.clone(),
        stage: stage.to_string(),
        reason,
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// Hands the pages the last stage freed back to the system. glibc keeps freed memory
/// for reuse, and after the read stage's per-file garbage and the grouping stage's
/// tables that is a quarter of a large run's peak, held through the reports.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_heap() {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: malloc_trim takes no pointer and only releases free pages; it is safe to
    // call at any time from any thread.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_heap() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: PathBuf, source: &str) -> SourceFile {
        SourceFile {
            path,
            source: source.to_string(),
            size: 10,
        }
    }

    #[test]
    fn a_file_removed_after_it_was_found_is_an_error_row() {
        let dir = tempfile::tempdir().unwrap();
        let gone = file(dir.path().join("gone.eml"), "gone.eml");
        let rules = Rules::default_rules().unwrap();
        let store = RecordStore::in_memory();
        let out = read_within_limit(&gone, &rules, &Options::default(), &store);
        assert!(out.briefs.is_empty());
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].file, "gone.eml");
        assert_eq!(out.errors[0].stage, "ingest");
        assert!(out.errors[0].reason.starts_with("cannot read"));
        assert_eq!(out.document.map(|d| d.content), Some("unread".to_string()));
    }

    #[test]
    fn a_body_comes_back_from_the_store_after_its_file_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.eml");
        std::fs::write(&path, "Message-ID: <a@b>\nFrom: a@b.gov\n\nhello there").unwrap();
        let found = file(path.clone(), "a.eml");
        let rules = Rules::default_rules().unwrap();
        let store = Arc::new(RecordStore::on_disk(dir.path()).unwrap());
        let out = read_within_limit(&found, &rules, &Options::default(), &store);
        assert_eq!(out.briefs.len(), 1);
        std::fs::remove_file(&path).unwrap();
        let records = Records {
            briefs: out.briefs,
            store,
            case: None,
        };
        let bodies = stored_bodies(&records, &[0]);
        assert_eq!(bodies.get(&0).map(|b| b.trim()), Some("hello there"));
        assert_eq!(records.get(&[0]).unwrap()[0].message.from, "a@b.gov");
    }
}
