//! Report stage: takes a [`Run`] (records in their stable order, briefs in memory and the
//! whole records in the store; documents, threads,
//! redaction differences, error rows and the summary), builds polars DataFrames from it,
//! and writes into the output folder messages.csv/.parquet/.ndjson (one row per
//! occurrence, with its thread and the key of its first copy), flags.csv (one row per
//! distinct flagged message), threads.csv (one row per conversation), agencies.csv (per
//! agency: distinct messages naming it, as sender, as requester and holder of flagged
//! requests), redactions.csv (per exemption code: spans, distinct messages, documents,
//! spans by sender agency), redaction_diffs.csv (text withheld in one copy and shown in
//! another), documents.csv (one row per source document), errors.csv, and findings.xlsx
//! (a Summary sheet, then one sheet mirroring each CSV). Multi-valued cells are joined with
//! "; " (evidence with " | "); every aggregate is sorted by count descending then name, so
//! identical input gives byte-identical files (apart from the workbook's internal
//! timestamps). The messages come back from the record store 5,000 at a time, as frames,
//! once: each goes into the workbook's Messages sheet and into the message files side by
//! side (while the workbook's other sheets are written); the workbook is compressed last,
//! beside the smaller CSV files.

mod frames;
mod xlsx;

use std::path::{Path, PathBuf};

use std::io::{BufWriter, Write};

use polars::io::parquet::write::BatchedWriter;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::{Change, DocumentRow, ErrorRow, Record, RedactionDiff, RunSummary, ThreadRow};
use crate::records::Records;

/// What a run gives the report stage.
#[derive(Clone, Copy)]
pub struct Run<'a> {
    pub records: &'a Records,
    pub documents: &'a [DocumentRow],
    pub threads: &'a [ThreadRow],
    pub redaction_diffs: &'a [RedactionDiff],
    pub errors: &'a [ErrorRow],
    pub summary: &'a RunSummary,
    /// In a run over a case: what the production just added changed (changes.csv and
    /// the What's new sheet).
    pub changes: Option<&'a [Change]>,
}

impl<'a> From<&'a crate::pipeline::RunOutput> for Run<'a> {
    /// The report stage's view of a pipeline run.
    fn from(output: &'a crate::pipeline::RunOutput) -> Run<'a> {
        Run {
            records: &output.records,
            documents: &output.documents,
            threads: &output.threads,
            redaction_diffs: &output.redaction_diffs,
            errors: &output.errors,
            summary: &output.summary,
            changes: None,
        }
    }
}

/// What [`write_reports`] writes besides the CSV, Parquet and NDJSON files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// Write findings.xlsx.
    pub xlsx: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions { xlsx: true }
    }
}

/// Writes every report into `out` (creates the folder). Returns the paths written, in order.
pub fn write_reports(out: &Path, run: &Run<'_>, options: &ReportOptions) -> Result<Vec<PathBuf>> {
    let Run {
        records,
        documents,
        threads,
        redaction_diffs,
        errors,
        summary,
        changes,
    } = *run;
    let change_frame = changes.map(frames::changes).transpose()?;
    let fail = |path: &Path, e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(out).map_err(|e| fail(out, e))?;
    remove_stale_staging(out);
    // The frames besides the messages', side by side (about a second at 1 GB one by one).
    let ((flags, agencies), (redactions, rest)) = rayon::join(
        || {
            rayon::join(
                || frames::flags(records),
                || frames::agencies(&records.briefs),
            )
        },
        || {
            rayon::join(
                || frames::redactions(&records.briefs, documents),
                || -> Result<_> {
                    Ok((
                        frames::threads(threads)?,
                        frames::redaction_diffs(redaction_diffs)?,
                        frames::errors(errors)?,
                        frames::documents(documents)?,
                    ))
                },
            )
        },
    );
    let (flags, agencies, redactions) = (flags?, agencies?, redactions?);
    let (thread_frame, diff_frame, error_frame, document_frame) = rest?;

    // Everything is written into a staging folder first and moved into place only when
    // every file is whole: a run stopped part way leaves no half-written file under a
    // report's name.
    let staging = out.join(format!("{STAGING_PREFIX}{}", std::process::id()));
    std::fs::create_dir_all(&staging).map_err(|e| fail(&staging, e))?;
    let book = match options.xlsx {
        true => Some(xlsx::Book::create(
            &staging.join(WORKBOOK),
            summary,
            &top_agencies(records, 10),
            &(change_frame.iter().map(|f| ("What's new", Sheet::Frame(f))))
                .chain([
                    ("Flags", Sheet::Frame(&flags)),
                    ("Messages", Sheet::Messages),
                    ("Threads", Sheet::Frame(&thread_frame)),
                    ("Agencies", Sheet::Frame(&agencies)),
                    ("Redactions", Sheet::Frame(&redactions)),
                    ("Redaction diffs", Sheet::Frame(&diff_frame)),
                    ("Documents", Sheet::Frame(&document_frame)),
                    ("Errors", Sheet::Frame(&error_frame)),
                ])
                .collect::<Vec<_>>(),
        )?),
        false => None,
    };
    let files: [(&'static str, &DataFrame); 7] = [
        ("flags.csv", &flags),
        ("threads.csv", &thread_frame),
        ("agencies.csv", &agencies),
        ("redactions.csv", &redactions),
        ("redaction_diffs.csv", &diff_frame),
        ("documents.csv", &document_frame),
        ("errors.csv", &error_frame),
    ];
    let mut message_files = MessageFiles::create(&staging, records.case.is_some())?;
    let write_other_files = |message_files: MessageFiles| -> Result<()> {
        message_files.finish()?;
        for (name, frame) in files {
            write_csv(&staging.join(name), frame)?;
        }
        if let Some(frame) = &change_frame {
            write_csv(&staging.join(CHANGES), frame)?;
        }
        Ok(())
    };
    let mut staged = MESSAGE_FILES.to_vec();
    staged.extend(files.map(|(name, _)| name));
    if change_frame.is_some() {
        staged.push(CHANGES);
    }
    match book {
        // One pass over the messages: each chunk goes into the workbook's sheet on one
        // side and into the message files on the other, while the next chunk is read.
        // Then the workbook's compression, its slowest step, beside the smaller files.
        Some(mut book) => {
            book.fill(|rows| {
                let mut rows = rows;
                stream_messages(records, |frame| {
                    let (added, written) = rayon::join(
                        || rows.as_mut().map_or(Ok(()), |rows| rows.add(frame)),
                        || message_files.write(frame),
                    );
                    added.and(written)
                })
            })?;
            let (files_written, saved) =
                rayon::join(|| write_other_files(message_files), || book.save());
            files_written?;
            saved?;
            staged.push(WORKBOOK);
        }
        None => {
            stream_messages(records, |frame| message_files.write(frame))?;
            write_other_files(message_files)?;
        }
    }
    let mut written = Vec::with_capacity(staged.len());
    for name in REPORT_NAMES {
        let target = out.join(name);
        if staged.contains(&name) {
            std::fs::rename(staging.join(name), &target).map_err(|e| fail(&target, e))?;
            written.push(target);
        } else if target.exists() {
            // A report an earlier run wrote and this one does not (the workbook, after
            // --no-xlsx) would no longer match the rest.
            std::fs::remove_file(&target).map_err(|e| fail(&target, e))?;
        }
    }
    let _ = std::fs::remove_dir(&staging);
    Ok(written)
}

/// The staging folder's name, before the process id.
const STAGING_PREFIX: &str = ".backchannel-staging-";
const WORKBOOK: &str = "findings.xlsx";
/// What the last production added to a case changed.
pub const CHANGES: &str = "changes.csv";
/// Every file [`write_reports`] may write, in the order it gives them.
const REPORT_NAMES: [&str; 12] = [
    "messages.csv",
    "messages.parquet",
    "messages.ndjson",
    "flags.csv",
    "threads.csv",
    "agencies.csv",
    "redactions.csv",
    "redaction_diffs.csv",
    "documents.csv",
    "errors.csv",
    CHANGES,
    WORKBOOK,
];

/// Staging folders that runs stopped part way left behind.
fn remove_stale_staging(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX)
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The messages frame (one row per record, columns below), also used by tests.
///
/// Columns, in order: key (`source#ordinal`), source, ordinal (u32), origin, message_id,
/// date, date_utc, date_raw, from, to, cc, subject, page (u32), bates, thread_id,
/// duplicate_of (the first occurrence's key, empty on it), copies (u32), inclusive (bool),
/// sender_agency, recipient_agencies, agencies,
/// redactions (u32), exemptions, data_types, identifiers, formal_channels, flagged (bool),
/// score (f64, 2 decimals), reasons, evidence, requester, holder, attachments,
/// body_chars (u32). All other columns are strings, never null ("" when absent).
pub fn messages_frame(records: &[Record]) -> Result<DataFrame> {
    frames::messages(records, false)
}

/// Agencies ranked by how many messages name them (name, messages), for the stderr summary.
///
/// A message counts once per agency name however often its findings list it; ties are
/// broken by name.
pub fn top_agencies(records: &Records, n: usize) -> Vec<(String, usize)> {
    frames::top_agencies(&records.briefs, n)
}

pub use frames::AgencyRow;
/// How the reports write an agency, and join the texts of a multi-valued cell (and of
/// evidence sentences): what the case database writes too.
pub(crate) use frames::{agency_name, EVIDENCE_JOIN, JOIN};

/// The rows of agencies.csv over `briefs`: each agency with the distinct messages that
/// name it, send from it, and ask or hold in a flagged request.
pub fn agency_rows(briefs: &[crate::group::Brief]) -> Vec<AgencyRow> {
    frames::agency_rows(briefs)
}

/// What a workbook sheet shows: a frame, or the messages as they stream by.
pub(crate) enum Sheet<'a> {
    Frame(&'a DataFrame),
    Messages,
}

/// The files that hold every message.
const MESSAGE_FILES: [&str; 3] = ["messages.csv", "messages.parquet", "messages.ndjson"];

/// Gives `write` the messages a frame of [`frames::CHUNK_ROWS`] records at a time while
/// the next frame is read from the store and built: no frame of every message is ever
/// held.
fn stream_messages(
    records: &Records,
    mut write: impl FnMut(&DataFrame) -> Result<()> + Send,
) -> Result<()> {
    let case = records.case.is_some();
    let mut chunks = records.chunks(frames::CHUNK_ROWS);
    let mut load = || -> Option<Result<DataFrame>> {
        let chunk = chunks.next()?;
        Some(
            chunk
                .map_err(Error::from)
                .and_then(|c| frames::messages(&c, case)),
        )
    };
    // An empty production still gets its files, with their columns.
    let mut next = load().or_else(|| Some(frames::messages::<Record>(&[], case)));
    while let Some(frame) = next.take() {
        let frame = frame?;
        let (loaded, written) = rayon::join(&mut load, || write(&frame));
        written?;
        next = loaded;
    }
    Ok(())
}

/// messages.csv, messages.parquet (a row group per chunk) and messages.ndjson, being
/// written a frame at a time.
struct MessageFiles {
    paths: [PathBuf; 3],
    csv: BufWriter<std::fs::File>,
    /// Unbuffered: it writes whole pages, and a buffer inside it could not be flushed.
    parquet: BatchedWriter<std::fs::File>,
    ndjson: BufWriter<std::fs::File>,
    chunks: usize,
}

impl MessageFiles {
    fn create(dir: &Path, case: bool) -> Result<MessageFiles> {
        let paths = MESSAGE_FILES.map(|name| dir.join(name));
        let open = |path: &Path| {
            std::fs::File::create(path)
                .map(|f| BufWriter::with_capacity(1 << 20, f))
                .map_err(|e| write_error(path, e.to_string()))
        };
        let (csv, ndjson) = (open(&paths[0])?, open(&paths[2])?);
        let parquet =
            std::fs::File::create(&paths[1]).map_err(|e| write_error(&paths[1], e.to_string()))?;
        let schema = frames::messages::<Record>(&[], case)?.schema().clone();
        let parquet = ParquetWriter::new(parquet)
            .batched(&schema)
            .map_err(|e| write_error(&paths[1], e.to_string()))?;
        Ok(MessageFiles {
            paths,
            csv,
            parquet,
            ndjson,
            chunks: 0,
        })
    }

    fn write(&mut self, frame: &DataFrame) -> Result<()> {
        let mut frame = frame.clone();
        CsvWriter::new(&mut self.csv)
            .include_header(self.chunks == 0)
            // On this thread: polars' own pool would wait here for cores the workbook
            // and the next chunk are using.
            .n_threads(1)
            .finish(&mut frame)
            .map_err(|e| write_error(&self.paths[0], e.to_string()))?;
        JsonWriter::new(&mut self.ndjson)
            .with_json_format(JsonFormat::JsonLines)
            .finish(&mut frame)
            .map_err(|e| write_error(&self.paths[2], e.to_string()))?;
        self.parquet
            .write_batch(&frame)
            .map_err(|e| write_error(&self.paths[1], e.to_string()))?;
        self.chunks += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        self.parquet
            .finish()
            .map_err(|e| write_error(&self.paths[1], e.to_string()))?;
        (self.csv.flush()).map_err(|e| write_error(&self.paths[0], e.to_string()))?;
        (self.ndjson.flush()).map_err(|e| write_error(&self.paths[2], e.to_string()))?;
        Ok(())
    }
}

/// Writes `frame` to `path` as CSV, streamed through a buffer.
fn write_csv(path: &Path, frame: &DataFrame) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| write_error(path, e.to_string()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    // The writer takes the frame mutably (to rechunk it); a shallow clone shares the
    // columns' buffers.
    CsvWriter::new(&mut out)
        .include_header(true)
        .finish(&mut frame.clone())
        .map_err(|e| write_error(path, e.to_string()))?;
    out.flush().map_err(|e| write_error(path, e.to_string()))
}

fn write_error(path: &Path, reason: String) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Agency, Attachment, Findings, Flag, Grouping, Message, MessageDate, Origin, Redaction,
    };

    fn agency(name: &str, kind: &str) -> Agency {
        Agency {
            name: name.into(),
            kind: kind.into(),
        }
    }

    fn ice() -> Agency {
        agency("U.S. Immigration and Customs Enforcement", "federal")
    }

    fn fresno() -> Agency {
        agency("Fresno Police Department", "police")
    }

    fn span(codes: &[&str]) -> Redaction {
        Redaction {
            text: "[REDACTED]".to_string(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn records() -> Vec<Record> {
        let flagged = Record {
            message: Message {
                source: "release/a.eml".to_string(),
                ordinal: 1,
                origin: Some(Origin::Header),
                message_id: "<1@ice.dhs.gov>".to_string(),
                date: MessageDate {
                    raw: "Tue, 3 Mar 2020 10:00:00 -0800".to_string(),
                    local: "2020-03-03T10:00:00-08:00".to_string(),
                    utc: "2020-03-03T18:00:00Z".to_string(),
                },
                from: "agent@ice.dhs.gov".to_string(),
                to: vec![
                    "officer@fresno.gov".to_string(),
                    "sgt@fresno.gov".to_string(),
                ],
                subject: "plates, \"quick\" favor".to_string(),
                body: "Can you run these plates for me?".to_string(),
                attachments: vec![Attachment {
                    name: "list.xlsx".to_string(),
                    content_type: "application/vnd.ms-excel".to_string(),
                    size: 2048,
                }],
                ..Message::default()
            },
            findings: Findings {
                sender_agency: Some(ice()),
                recipient_agencies: vec![fresno()],
                agencies: vec![ice(), fresno(), ice()],
                redactions: vec![span(&["(b)(6)"]), span(&[])],
                exemptions: vec!["(b)(6)".to_string()],
                data_types: vec!["license_plate".to_string(), "alpr".to_string()],
                identifiers: vec!["7ABC123".to_string()],
                formal_channels: vec![],
                flag: Flag {
                    flagged: true,
                    score: 0.8567,
                    reasons: vec!["request_act".to_string(), "cross_agency".to_string()],
                    evidence: vec!["Can you run these plates for me?".to_string()],
                    requester: Some(ice()),
                    holder: Some(fresno()),
                },
            },
            group: Grouping {
                thread_id: "T00001".to_string(),
                copies: 2,
                inclusive: true,
                ..Grouping::default()
            },
        };
        let reply = Record {
            message: Message {
                source: "release/a.eml".to_string(),
                ordinal: 2,
                origin: Some(Origin::Quoted),
                from: "officer@fresno.gov".to_string(),
                subject: "RE: plates".to_string(),
                body: "Will do.".to_string(),
                ..Message::default()
            },
            findings: Findings {
                sender_agency: Some(fresno()),
                agencies: vec![fresno(), ice()],
                redactions: vec![span(&["(b)(6)", "(b)(7)(C)"])],
                exemptions: vec!["(b)(6)".to_string(), "(b)(7)(C)".to_string()],
                flag: Flag {
                    score: 0.2,
                    ..Flag::default()
                },
                ..Findings::default()
            },
            group: Grouping {
                thread_id: "T00001".to_string(),
                copies: 1,
                ..Grouping::default()
            },
        };
        let printed = Record {
            message: Message {
                source: "release/b.txt".to_string(),
                ordinal: 1,
                origin: Some(Origin::Printed),
                page: 4,
                bates: "FPD-000123".to_string(),
                body: "Meeting moved.".to_string(),
                ..Message::default()
            },
            findings: Findings::default(),
            group: Grouping {
                thread_id: "T00002".to_string(),
                copies: 1,
                inclusive: true,
                ..Grouping::default()
            },
        };
        // A printed copy of the first message that withholds one more name.
        let mut copy = flagged.clone();
        copy.message.source = "release/c.txt".to_string();
        copy.message.origin = Some(Origin::Printed);
        copy.findings.redactions = vec![span(&["(b)(6)"]), span(&["(b)(6)"])];
        copy.group.duplicate_of = "release/a.eml#1".to_string();
        vec![flagged, reply, printed, copy]
    }

    fn stored(records: Vec<Record>) -> Records {
        Records::from_grouped(&records).unwrap()
    }

    fn thread_rows() -> Vec<ThreadRow> {
        vec![ThreadRow {
            thread_id: "T00001".into(),
            subject: "plates".into(),
            first_date: "2020-03-03T10:00:00-08:00".into(),
            last_date: "2020-03-03T10:05:00-08:00".into(),
            messages: 2,
            occurrences: 3,
            participants: vec!["agent@ice.dhs.gov".into(), "officer@fresno.gov".into()],
            agencies: vec!["Fresno Police Department".into()],
            flagged: 1,
            sources: vec!["release/a.eml".into(), "release/c.txt".into()],
        }]
    }

    fn diff_rows() -> Vec<RedactionDiff> {
        vec![RedactionDiff {
            message: "release/a.eml#1".into(),
            thread_id: "T00001".into(),
            subject: "plates".into(),
            field: "body".into(),
            exemptions: vec!["(b)(6)".into()],
            withheld: "Ana Ruiz".into(),
            context: "Det. [[Ana Ruiz]], can you".into(),
            redacted_in: "release/c.txt#1".into(),
            redacted_page: 2,
            redacted_bates: "FPD-000124".into(),
            visible_in: "release/a.eml#1".into(),
            visible_page: 0,
            visible_bates: String::new(),
        }]
    }

    fn run<'a>(
        records: &'a Records,
        documents: &'a [DocumentRow],
        threads: &'a [ThreadRow],
        diffs: &'a [RedactionDiff],
        errors: &'a [ErrorRow],
        summary: &'a RunSummary,
    ) -> Run<'a> {
        Run {
            records,
            documents,
            threads,
            redaction_diffs: diffs,
            errors,
            summary,
            changes: None,
        }
    }

    fn summary() -> RunSummary {
        RunSummary {
            inputs: vec!["release".to_string()],
            files: 4,
            files_with_messages: 3,
            files_without_messages: 0,
            files_unread: 1,
            messages: 4,
            distinct_messages: 3,
            threads: 2,
            redaction_diffs: 1,
            flagged: 1,
            error_rows: 1,
            elapsed_secs: 0.1234,
            bytes: 4096,
            stage_secs: Vec::new(),
            extra: Vec::new(),
        }
    }

    fn error_rows() -> Vec<ErrorRow> {
        vec![ErrorRow {
            file: "release/c.pdf".to_string(),
            stage: "ingest".to_string(),
            reason: "unsupported format".to_string(),
        }]
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The reports of a run outside a case (no changes.csv).
    fn names() -> Vec<&'static str> {
        REPORT_NAMES.into_iter().filter(|n| *n != CHANGES).collect()
    }

    #[test]
    fn messages_frame_columns_and_height() {
        let df = messages_frame(&records()).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "key",
                "source",
                "ordinal",
                "origin",
                "message_id",
                "date",
                "date_utc",
                "date_raw",
                "from",
                "to",
                "cc",
                "subject",
                "page",
                "bates",
                "thread_id",
                "duplicate_of",
                "copies",
                "inclusive",
                "sender_agency",
                "recipient_agencies",
                "agencies",
                "redactions",
                "exemptions",
                "data_types",
                "identifiers",
                "formal_channels",
                "flagged",
                "score",
                "reasons",
                "evidence",
                "requester",
                "holder",
                "attachments",
                "body_chars",
            ]
        );
        assert_eq!(df.height(), 4);
        assert_eq!(df.column("ordinal").unwrap().dtype(), &DataType::UInt32);
        assert_eq!(df.column("flagged").unwrap().dtype(), &DataType::Boolean);
        assert_eq!(df.column("score").unwrap().dtype(), &DataType::Float64);
        let score = df.column("score").unwrap().f64().unwrap().get(0);
        assert_eq!(score, Some(0.86));
        let to = df.column("to").unwrap().str().unwrap().get(0);
        assert_eq!(to, Some("officer@fresno.gov; sgt@fresno.gov"));
        let att = df.column("attachments").unwrap().str().unwrap().get(0);
        assert_eq!(
            att,
            Some("list.xlsx (application/vnd.ms-excel, 2048 bytes)")
        );
        let origin = df.column("origin").unwrap().str().unwrap().get(2);
        assert_eq!(origin, Some("printed"));
    }

    #[test]
    fn empty_input_still_writes_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("empty");
        let summary = RunSummary::default();
        let paths = write_reports(
            &out,
            &run(&Records::default(), &[], &[], &[], &[], &summary),
            &ReportOptions::default(),
        )
        .unwrap();
        assert_eq!(paths.len(), names().len());
        assert_eq!(read(&out.join("errors.csv")), "file,stage,reason\n");
        assert_eq!(
            read(&out.join("agencies.csv")),
            "agency,kind,messages,as_sender,flags_as_requester,flags_as_holder\n"
        );
    }

    #[test]
    fn writes_all_files_with_right_contents() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("reports");
        let invoice = DocumentRow {
            file: "release/invoice.pdf".into(),
            format: "pdf".into(),
            pages: 1,
            content: "other".into(),
            redactions: 1,
            loose_redactions: vec![Redaction {
                text: "(b)(6)".into(),
                codes: vec!["(b)(6)".into()],
            }],
            exemptions: vec!["(b)(6)".into()],
            ..DocumentRow::default()
        };
        let (records, threads, diffs) = (stored(records()), thread_rows(), diff_rows());
        let (errors, summary) = (error_rows(), summary());
        let docs = [invoice];
        let paths = write_reports(
            &out,
            &run(&records, &docs, &threads, &diffs, &errors, &summary),
            &ReportOptions::default(),
        )
        .unwrap();
        assert_eq!(
            read(&out.join("documents.csv")),
            "file,format,pages,content,messages,redactions,release_stamps,exemptions,pages_needing_ocr,error\n\
             release/invoice.pdf,pdf,1,other,0,1,\"\",(b)(6),0,\"\"\n"
        );
        let expected: Vec<PathBuf> = names().iter().map(|n| out.join(n)).collect();
        assert_eq!(paths, expected);
        for path in &paths {
            assert!(
                std::fs::metadata(path).unwrap().len() > 0,
                "{}",
                path.display()
            );
        }
        let xlsx = std::fs::read(out.join("findings.xlsx")).unwrap();
        assert!(xlsx.starts_with(b"PK"));

        let messages = read(&out.join("messages.csv"));
        assert_eq!(messages.lines().count(), 5, "every occurrence has its row");
        assert!(messages.contains("\"plates, \"\"quick\"\" favor\""));
        assert!(messages.contains(",true,0.86,"));
        assert!(messages.contains("FPD-000123,T00002,\"\",1,true,"));
        assert!(messages.contains(",T00001,release/a.eml#1,2,true,"));
        assert_eq!(read(&out.join("messages.ndjson")).lines().count(), 4);

        let flags = read(&out.join("flags.csv"));
        let lines: Vec<&str> = flags.lines().collect();
        assert_eq!(
            lines.len(),
            2,
            "one row per distinct flagged message: {flags}"
        );
        assert_eq!(
            lines[0],
            "key,thread_id,copies,source,ordinal,page,bates,date,from,to,subject,requester,holder,\
             data_types,identifiers,score,reasons,evidence"
        );
        // polars quotes empty strings ("") to tell them from nulls.
        assert!(lines[1].starts_with(
            "release/a.eml#1,T00001,2,release/a.eml,1,0,\"\",2020-03-03T10:00:00-08:00,"
        ));
        assert!(lines[1].contains(
            "U.S. Immigration and Customs Enforcement,Fresno Police Department,license_plate; alpr,7ABC123,0.86,request_act; cross_agency,"
        ));

        assert_eq!(
            read(&out.join("agencies.csv")),
            "agency,kind,messages,as_sender,flags_as_requester,flags_as_holder\n\
             Fresno Police Department,police,2,1,0,1\n\
             U.S. Immigration and Customs Enforcement,federal,2,1,1,0\n"
        );
        assert_eq!(
            read(&out.join("redactions.csv")),
            "exemption,spans,messages,documents,by_sender_agency\n\
             (b)(6),4,2,3,U.S. Immigration and Customs Enforcement: 2; (outside any message): 1; Fresno Police Department: 1\n\
             (b)(7)(C),1,1,1,Fresno Police Department: 1\n\
             (none),1,1,1,U.S. Immigration and Customs Enforcement: 1\n"
        );
        assert_eq!(
            read(&out.join("errors.csv")),
            "file,stage,reason\nrelease/c.pdf,ingest,unsupported format\n"
        );
        assert_eq!(
            read(&out.join("threads.csv")),
            "thread_id,subject,first_date,last_date,messages,occurrences,participants,agencies,flagged,sources\n\
             T00001,plates,2020-03-03T10:00:00-08:00,2020-03-03T10:05:00-08:00,2,3,agent@ice.dhs.gov; officer@fresno.gov,Fresno Police Department,1,release/a.eml; release/c.txt\n"
        );
        assert_eq!(
            read(&out.join("redaction_diffs.csv")),
            "message,thread_id,subject,field,exemption,withheld,context,redacted_in,redacted_page,redacted_bates,visible_in,visible_page,visible_bates\n\
             release/a.eml#1,T00001,plates,body,(b)(6),Ana Ruiz,\"Det. [[Ana Ruiz]], can you\",release/c.txt#1,2,FPD-000124,release/a.eml#1,0,\"\"\n"
        );
    }

    #[test]
    fn top_agencies_ranks_by_count_then_name() {
        let mut recs = records();
        recs[2].findings.agencies = vec![ice()];
        assert_eq!(
            top_agencies(&stored(recs), 10),
            vec![
                ("U.S. Immigration and Customs Enforcement".to_string(), 3),
                ("Fresno Police Department".to_string(), 2),
            ]
        );
        assert_eq!(
            top_agencies(&stored(records()), 1),
            vec![("Fresno Police Department".to_string(), 2)]
        );
    }

    #[test]
    fn output_is_byte_identical_across_runs() {
        let dir = tempfile::tempdir().unwrap();
        let options = ReportOptions { xlsx: false };
        let (records, threads, diffs) = (stored(records()), thread_rows(), diff_rows());
        let (errors, summary) = (error_rows(), summary());
        let whole = run(&records, &[], &threads, &diffs, &errors, &summary);
        let first = write_reports(&dir.path().join("one"), &whole, &options).unwrap();
        let second = write_reports(&dir.path().join("two"), &whole, &options).unwrap();
        assert_eq!(
            first.len(),
            names().len() - 1,
            "xlsx = false skips the workbook"
        );
        assert!(!dir.path().join("one").join("findings.xlsx").exists());
        for (a, b) in first.iter().zip(&second) {
            assert_eq!(a.file_name(), b.file_name());
            let (x, y) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
            assert!(x == y, "{} differs between runs", a.display());
        }
    }
}
