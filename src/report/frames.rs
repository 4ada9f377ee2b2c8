//! The report frames, built from records with polars' eager API. [`MESSAGE_COLUMNS`] is the
//! one place the message columns are defined; every other file and sheet derives from the
//! frames built here, so CSV, Parquet, NDJSON and XLSX never disagree.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::group::Brief;
use crate::model::{Agency, Change, DocumentRow, ErrorRow, Record, RedactionDiff, ThreadRow};
use crate::records::Records;

/// Separator for multi-valued cells.
pub(crate) const JOIN: &str = "; ";
/// Separator for evidence sentences (which may themselves contain semicolons).
pub(crate) const EVIDENCE_JOIN: &str = " | ";
/// The exemption label for redaction spans that carry no code.
pub(crate) const NO_CODE: &str = "(none)";
/// The sender label for records with no sender agency.
pub(crate) const UNKNOWN_SENDER: &str = "(unknown)";
/// The sender label for spans outside any message (contracts, invoices, print titles).
pub(crate) const NO_MESSAGE: &str = "(outside any message)";

/// How one message column is computed from a record.
pub(crate) enum Getter {
    Str(fn(&Record) -> String),
    U32(fn(&Record) -> u32),
    F64(fn(&Record) -> f64),
    Bool(fn(&Record) -> bool),
}

/// The columns of messages.csv (and .parquet, .ndjson, the Messages sheet), in order.
pub(crate) const MESSAGE_COLUMNS: &[(&str, Getter)] = &[
    ("key", Getter::Str(|r| r.message.key())),
    ("source", Getter::Str(|r| r.message.source.clone())),
    ("ordinal", Getter::U32(|r| r.message.ordinal)),
    (
        "origin",
        Getter::Str(|r| {
            r.message
                .origin
                .map(|o| o.as_str())
                .unwrap_or("")
                .to_string()
        }),
    ),
    ("message_id", Getter::Str(|r| r.message.message_id.clone())),
    ("date", Getter::Str(|r| r.message.date.local.clone())),
    ("date_utc", Getter::Str(|r| r.message.date.utc.clone())),
    ("date_raw", Getter::Str(|r| r.message.date.raw.clone())),
    ("from", Getter::Str(|r| r.message.from.clone())),
    ("to", Getter::Str(|r| r.message.to.join(JOIN))),
    ("cc", Getter::Str(|r| r.message.cc.join(JOIN))),
    ("subject", Getter::Str(|r| r.message.subject.clone())),
    ("page", Getter::U32(|r| r.message.page)),
    ("bates", Getter::Str(|r| r.message.bates.clone())),
    ("thread_id", Getter::Str(|r| r.group.thread_id.clone())),
    (
        "duplicate_of",
        Getter::Str(|r| r.group.duplicate_of.clone()),
    ),
    ("copies", Getter::U32(|r| r.group.copies)),
    ("inclusive", Getter::Bool(|r| r.group.inclusive)),
    (
        "sender_agency",
        Getter::Str(|r| agency_name(&r.findings.sender_agency)),
    ),
    (
        "recipient_agencies",
        Getter::Str(|r| agency_names(&r.findings.recipient_agencies)),
    ),
    (
        "agencies",
        Getter::Str(|r| agency_names(&r.findings.agencies)),
    ),
    (
        "redactions",
        Getter::U32(|r| count_u32(r.findings.redactions.len())),
    ),
    (
        "exemptions",
        Getter::Str(|r| r.findings.exemptions.join(JOIN)),
    ),
    (
        "data_types",
        Getter::Str(|r| r.findings.data_types.join(JOIN)),
    ),
    (
        "identifiers",
        Getter::Str(|r| r.findings.identifiers.join(JOIN)),
    ),
    (
        "formal_channels",
        Getter::Str(|r| r.findings.formal_channels.join(JOIN)),
    ),
    ("flagged", Getter::Bool(|r| r.findings.flag.flagged)),
    ("score", Getter::F64(|r| round2(r.findings.flag.score))),
    (
        "reasons",
        Getter::Str(|r| r.findings.flag.reasons.join(JOIN)),
    ),
    (
        "evidence",
        Getter::Str(|r| r.findings.flag.evidence.join(EVIDENCE_JOIN)),
    ),
    (
        "requester",
        Getter::Str(|r| agency_name(&r.findings.flag.requester)),
    ),
    (
        "holder",
        Getter::Str(|r| agency_name(&r.findings.flag.holder)),
    ),
    (
        "attachments",
        Getter::Str(|r| {
            r.message
                .attachments
                .iter()
                .map(|a| format!("{} ({}, {} bytes)", a.name, a.content_type, a.size))
                .collect::<Vec<_>>()
                .join(JOIN)
        }),
    ),
    ("body_chars", Getter::U32(|r| r.message.body_chars)),
];

/// The columns a case adds to messages.csv and flags.csv (and their sheets), after the
/// others: the production an occurrence came in, the production its message was first
/// seen in, and the message's key across productions.
pub(crate) const CASE_COLUMNS: &[(&str, Getter)] = &[
    ("production", Getter::Str(|r| r.group.production.clone())),
    ("first_seen", Getter::Str(|r| r.group.first_seen.clone())),
    ("message_key", Getter::Str(|r| r.group.message_key.clone())),
];

/// The columns of flags.csv, a selection of the message columns.
pub(crate) const FLAG_COLUMNS: &[&str] = &[
    "key",
    "thread_id",
    "copies",
    "source",
    "ordinal",
    "page",
    "bates",
    "date",
    "from",
    "to",
    "subject",
    "requester",
    "holder",
    "data_types",
    "identifiers",
    "score",
    "reasons",
    "evidence",
];

pub(crate) fn agency_name(agency: &Option<Agency>) -> String {
    agency
        .as_ref()
        .map(|a| a.name.to_string())
        .unwrap_or_default()
}

fn agency_names(agencies: &[Agency]) -> String {
    agencies
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join(JOIN)
}

/// Rounds to 2 decimals; non-finite scores are kept as they are.
fn round2(x: f64) -> f64 {
    if x.is_finite() {
        (x * 100.0).round() / 100.0
    } else {
        x
    }
}

pub(crate) fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn polars_err(what: &str, e: PolarsError) -> Error {
    Error::Write {
        path: PathBuf::from(what),
        reason: e.to_string(),
    }
}

fn frame(what: &str, height: usize, columns: Vec<Column>) -> Result<DataFrame> {
    DataFrame::new(height, columns).map_err(|e| polars_err(what, e))
}

fn str_col(name: &str, values: Vec<String>) -> Column {
    Column::new(name.into(), values)
}

fn u32_col(name: &str, values: Vec<u32>) -> Column {
    Column::new(name.into(), values)
}

/// One row per record, columns as in [`MESSAGE_COLUMNS`], then, in a case, the
/// [`CASE_COLUMNS`].
pub(crate) fn messages<R: Borrow<Record>>(records: &[R], case: bool) -> Result<DataFrame> {
    let all = || records.iter().map(Borrow::borrow);
    let case_columns = if case { CASE_COLUMNS } else { &[] };
    let columns = (MESSAGE_COLUMNS.iter())
        .chain(case_columns)
        .map(|(name, getter)| match getter {
            Getter::Str(f) => str_col(name, all().map(f).collect()),
            Getter::U32(f) => u32_col(name, all().map(f).collect()),
            Getter::F64(f) => Column::new((*name).into(), all().map(f).collect::<Vec<f64>>()),
            Getter::Bool(f) => Column::new((*name).into(), all().map(f).collect::<Vec<bool>>()),
        })
        .collect();
    frame("messages", records.len(), columns)
}

/// Records a chunk at a time, for writers that take a production's messages in pieces:
/// no frame of every message is ever held.
pub(crate) const CHUNK_ROWS: usize = 5_000;

/// One row per distinct flagged message (its first flagged occurrence), with the
/// [`FLAG_COLUMNS`].
pub(crate) fn flags(records: &Records) -> Result<DataFrame> {
    let mut seen: BTreeSet<u32> = BTreeSet::new();
    let kept: Vec<usize> = (records.briefs.iter().enumerate())
        .filter(|(_, b)| b.flagged && seen.insert(b.place.first))
        .map(|(i, _)| i)
        .collect();
    let case = records.case.is_some();
    let case_columns = CASE_COLUMNS.iter().map(|(name, _)| *name);
    messages(&records.get(&kept)?, case)?
        .select((FLAG_COLUMNS.iter().copied()).chain(case_columns.filter(|_| case)))
        .map_err(|e| polars_err("flags", e))
}

/// The records grouped by message, in order of first occurrence: every distinct
/// message with all its copies.
pub(crate) fn distinct_messages(briefs: &[Brief]) -> Vec<Vec<&Brief>> {
    let mut index: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    let mut out: Vec<Vec<&Brief>> = Vec::new();
    for b in briefs {
        match index.get(&b.place.first) {
            Some(&i) => out[i].push(b),
            None => {
                index.insert(b.place.first, out.len());
                out.push(vec![b]);
            }
        }
    }
    out
}

#[derive(Default)]
struct AgencyCounts {
    messages: usize,
    as_sender: usize,
    as_requester: usize,
    as_holder: usize,
}

/// One row of agencies.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRow {
    pub agency: String,
    pub kind: String,
    pub messages: u32,
    pub as_sender: u32,
    pub flags_as_requester: u32,
    pub flags_as_holder: u32,
}

/// The rows of agencies.csv, in its order (see [`agencies`]).
pub(crate) fn agency_rows(records: &[Brief]) -> Vec<AgencyRow> {
    let mut counts: BTreeMap<&Agency, AgencyCounts> = BTreeMap::new();
    for copies in distinct_messages(records) {
        let named: BTreeSet<&Agency> = copies.iter().flat_map(|r| r.agencies()).collect();
        for agency in named {
            counts.entry(agency).or_default().messages += 1;
        }
        for agency in copies.iter().flat_map(|r| r.recipient_agencies()) {
            counts.entry(agency).or_default();
        }
        if let Some(agency) = copies.iter().find_map(|r| r.sender_agency()) {
            counts.entry(agency).or_default().as_sender += 1;
        }
        if let Some(flag) = copies.iter().find(|r| r.flagged) {
            if let Some(agency) = flag.requester() {
                counts.entry(agency).or_default().as_requester += 1;
            }
            if let Some(agency) = flag.holder() {
                counts.entry(agency).or_default().as_holder += 1;
            }
        }
    }
    // BTreeMap order is (name, kind) ascending; a stable sort by count keeps it as tiebreak.
    let mut rows: Vec<(&Agency, AgencyCounts)> = counts.into_iter().collect();
    rows.sort_by_key(|(_, c)| std::cmp::Reverse(c.messages));
    rows.into_iter()
        .map(|(a, c)| AgencyRow {
            agency: a.name.to_string(),
            kind: a.kind.to_string(),
            messages: count_u32(c.messages),
            as_sender: count_u32(c.as_sender),
            flags_as_requester: count_u32(c.as_requester),
            flags_as_holder: count_u32(c.as_holder),
        })
        .collect()
}

/// One row per agency seen in any role, by messages desc, then name, then kind. Counts
/// are of distinct messages: an agency counts once for a message however many of its
/// copies name it; a message's sender agency, requester and holder are those of its
/// first copy that shows them.
pub(crate) fn agencies(records: &[Brief]) -> Result<DataFrame> {
    let rows = agency_rows(records);
    let height = rows.len();
    let text = |f: fn(&AgencyRow) -> String| rows.iter().map(f).collect();
    let count = |f: fn(&AgencyRow) -> u32| rows.iter().map(f).collect();
    let columns = vec![
        str_col("agency", text(|r| r.agency.clone())),
        str_col("kind", text(|r| r.kind.clone())),
        u32_col("messages", count(|r| r.messages)),
        u32_col("as_sender", count(|r| r.as_sender)),
        u32_col("flags_as_requester", count(|r| r.flags_as_requester)),
        u32_col("flags_as_holder", count(|r| r.flags_as_holder)),
    ];
    frame("agencies", height, columns)
}

#[derive(Default)]
struct CodeCounts<'a> {
    spans: usize,
    messages: usize,
    documents: BTreeSet<&'a str>,
    by_sender: BTreeMap<&'a str, usize>,
}

/// Sorts `(name, count)` pairs by count desc, then name asc.
pub(crate) fn rank<K: Ord>(counts: impl IntoIterator<Item = (K, usize)>) -> Vec<(K, usize)> {
    let mut v: Vec<(K, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// One row per exemption code (and [`NO_CODE`]), by spans desc then code: the spans of
/// every distinct message (of the copy that shows the most under each code), and of text
/// outside any message (under [`NO_MESSAGE`]); `documents` counts every file showing the
/// code, copies included.
pub(crate) fn redactions(records: &[Brief], documents: &[DocumentRow]) -> Result<DataFrame> {
    let mut counts: BTreeMap<&str, CodeCounts> = BTreeMap::new();
    for copies in distinct_messages(records) {
        let sender = copies
            .iter()
            .find_map(|r| r.sender_agency())
            .map(|a| a.name.as_str())
            .unwrap_or(UNKNOWN_SENDER);
        let mut most: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &copies {
            for (code, n) in spans_by_code(r.redaction_codes()) {
                let slot = most.entry(code).or_default();
                *slot = (*slot).max(n);
                counts
                    .entry(code)
                    .or_default()
                    .documents
                    .insert(r.source.as_str());
            }
        }
        for (code, n) in most {
            let c = counts.entry(code).or_default();
            c.spans += n;
            c.messages += 1;
            *c.by_sender.entry(sender).or_default() += n;
        }
    }
    for doc in documents {
        let loose = (doc.loose_redactions.iter()).map(|r| r.codes.iter().map(String::as_str));
        for (code, n) in spans_by_code(loose) {
            let c = counts.entry(code).or_default();
            c.spans += n;
            *c.by_sender.entry(NO_MESSAGE).or_default() += n;
            c.documents.insert(&doc.file);
        }
    }
    let rows = rank(counts.iter().map(|(code, c)| (*code, c.spans)));
    let height = rows.len();
    let mut exemption = Vec::with_capacity(height);
    let mut spans = Vec::with_capacity(height);
    let mut messages = Vec::with_capacity(height);
    let mut files = Vec::with_capacity(height);
    let mut by_sender = Vec::with_capacity(height);
    for (code, n) in rows {
        let Some(c) = counts.get(code) else { continue };
        exemption.push(code.to_string());
        spans.push(count_u32(n));
        messages.push(count_u32(c.messages));
        files.push(count_u32(c.documents.len()));
        by_sender.push(
            rank(c.by_sender.iter().map(|(name, n)| (*name, *n)))
                .into_iter()
                .map(|(name, n)| format!("{name}: {n}"))
                .collect::<Vec<_>>()
                .join(JOIN),
        );
    }
    let columns = vec![
        str_col("exemption", exemption),
        u32_col("spans", spans),
        u32_col("messages", messages),
        u32_col("documents", files),
        str_col("by_sender_agency", by_sender),
    ];
    frame("redactions", height, columns)
}

/// Spans by code (a span with several codes counts under each; one with none under
/// [`NO_CODE`]).
fn spans_by_code<'a, C: Iterator<Item = &'a str>>(
    spans: impl Iterator<Item = C>,
) -> BTreeMap<&'a str, usize> {
    let mut out: BTreeMap<&str, usize> = BTreeMap::new();
    for span in spans {
        let mut codes: BTreeSet<&str> = span.collect();
        if codes.is_empty() {
            codes.insert(NO_CODE);
        }
        for code in codes {
            *out.entry(code).or_default() += 1;
        }
    }
    out
}

/// One row per source document, in the order given.
pub(crate) fn documents(documents: &[DocumentRow]) -> Result<DataFrame> {
    let strings = |f: fn(&DocumentRow) -> String| documents.iter().map(f).collect::<Vec<_>>();
    let numbers = |f: fn(&DocumentRow) -> u32| documents.iter().map(f).collect::<Vec<_>>();
    let columns = vec![
        str_col("file", strings(|d| d.file.clone())),
        str_col("format", strings(|d| d.format.clone())),
        u32_col("pages", numbers(|d| d.pages)),
        str_col("content", strings(|d| d.content.clone())),
        u32_col("messages", numbers(|d| d.messages)),
        u32_col("redactions", numbers(|d| d.redactions)),
        str_col("release_stamps", strings(|d| d.release_stamps.join(JOIN))),
        str_col("exemptions", strings(|d| d.exemptions.join(JOIN))),
        u32_col("pages_needing_ocr", numbers(|d| d.pages_needing_ocr)),
        str_col("error", strings(|d| d.error.clone())),
    ];
    frame("documents", documents.len(), columns)
}

/// One row per error row, in the order given.
pub(crate) fn errors(errors: &[ErrorRow]) -> Result<DataFrame> {
    let columns = vec![
        str_col("file", errors.iter().map(|e| e.file.clone()).collect()),
        str_col("stage", errors.iter().map(|e| e.stage.clone()).collect()),
        str_col("reason", errors.iter().map(|e| e.reason.clone()).collect()),
    ];
    frame("errors", errors.len(), columns)
}

/// Agency names by the number of distinct messages whose copies name them.
pub(crate) fn top_agencies(records: &[Brief], n: usize) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for copies in distinct_messages(records) {
        let names: BTreeSet<&str> = copies
            .iter()
            .flat_map(|r| r.agencies().iter().map(|a| a.name.as_str()))
            .collect();
        for name in names {
            *counts.entry(name).or_default() += 1;
        }
    }
    rank(counts)
        .into_iter()
        .take(n)
        .map(|(name, count)| (name.to_string(), count))
        .collect()
}

/// One row per conversation, in order of first appearance.
pub(crate) fn threads(threads: &[ThreadRow]) -> Result<DataFrame> {
    let strings = |f: fn(&ThreadRow) -> String| threads.iter().map(f).collect::<Vec<_>>();
    let numbers = |f: fn(&ThreadRow) -> u32| threads.iter().map(f).collect::<Vec<_>>();
    let columns = vec![
        str_col("thread_id", strings(|t| t.thread_id.clone())),
        str_col("subject", strings(|t| t.subject.clone())),
        str_col("first_date", strings(|t| t.first_date.clone())),
        str_col("last_date", strings(|t| t.last_date.clone())),
        u32_col("messages", numbers(|t| t.messages)),
        u32_col("occurrences", numbers(|t| t.occurrences)),
        str_col("participants", strings(|t| t.participants.join(JOIN))),
        str_col("agencies", strings(|t| t.agencies.join(JOIN))),
        u32_col("flagged", numbers(|t| t.flagged)),
        str_col("sources", strings(|t| t.sources.join(JOIN))),
    ];
    frame("threads", threads.len(), columns)
}

/// One row per piece of text withheld in one copy and shown in another.
pub(crate) fn redaction_diffs(diffs: &[RedactionDiff]) -> Result<DataFrame> {
    let strings = |f: fn(&RedactionDiff) -> String| diffs.iter().map(f).collect::<Vec<_>>();
    let numbers = |f: fn(&RedactionDiff) -> u32| diffs.iter().map(f).collect::<Vec<_>>();
    let columns = vec![
        str_col("message", strings(|d| d.message.clone())),
        str_col("thread_id", strings(|d| d.thread_id.clone())),
        str_col("subject", strings(|d| d.subject.clone())),
        str_col("field", strings(|d| d.field.clone())),
        str_col(
            "exemption",
            strings(|d| {
                if d.exemptions.is_empty() {
                    NO_CODE.to_string()
                } else {
                    d.exemptions.join(JOIN)
                }
            }),
        ),
        str_col("withheld", strings(|d| d.withheld.clone())),
        str_col("context", strings(|d| d.context.clone())),
        str_col("redacted_in", strings(|d| d.redacted_in.clone())),
        u32_col("redacted_page", numbers(|d| d.redacted_page)),
        str_col("redacted_bates", strings(|d| d.redacted_bates.clone())),
        str_col("visible_in", strings(|d| d.visible_in.clone())),
        u32_col("visible_page", numbers(|d| d.visible_page)),
        str_col("visible_bates", strings(|d| d.visible_bates.clone())),
    ];
    frame("redaction_diffs", diffs.len(), columns)
}

/// changes.csv: one row per change, in the order given.
pub(crate) fn changes(changes: &[Change]) -> Result<DataFrame> {
    let text = |f: fn(&Change) -> String| changes.iter().map(f).collect();
    let columns = vec![
        str_col("production", text(|c| c.production.clone())),
        str_col("change", text(|c| c.change.clone())),
        str_col("message_key", text(|c| c.message_key.clone())),
        str_col("key", text(|c| c.key.clone())),
        u32_col("page", changes.iter().map(|c| c.page).collect()),
        str_col("bates", text(|c| c.bates.clone())),
        str_col("date", text(|c| c.date.clone())),
        str_col("from", text(|c| c.from.clone())),
        str_col("subject", text(|c| c.subject.clone())),
        str_col("earlier_production", text(|c| c.earlier_production.clone())),
        str_col("earlier_key", text(|c| c.earlier_key.clone())),
        str_col("field", text(|c| c.field.clone())),
        str_col("text", text(|c| c.text.clone())),
        str_col("exemptions", text(|c| c.exemptions.clone())),
        str_col("context", text(|c| c.context.clone())),
    ];
    frame("changes", changes.len(), columns)
}
