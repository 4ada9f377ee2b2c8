//! The report frames, built from records with polars' eager API. [`MESSAGE_COLUMNS`] is the
//! one place the message columns are defined; every other file and sheet derives from the
//! frames built here, so CSV, Parquet, NDJSON and XLSX never disagree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::{Agency, DocumentRow, ErrorRow, Record, Redaction};

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

/// The columns of flags.csv, a selection of the message columns.
pub(crate) const FLAG_COLUMNS: &[&str] = &[
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

fn agency_name(agency: &Option<Agency>) -> String {
    agency.as_ref().map(|a| a.name.clone()).unwrap_or_default()
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

/// One row per record, columns as in [`MESSAGE_COLUMNS`].
pub(crate) fn messages(records: &[Record]) -> Result<DataFrame> {
    let columns = MESSAGE_COLUMNS
        .iter()
        .map(|(name, getter)| match getter {
            Getter::Str(f) => str_col(name, records.iter().map(f).collect()),
            Getter::U32(f) => u32_col(name, records.iter().map(f).collect()),
            Getter::F64(f) => {
                Column::new((*name).into(), records.iter().map(f).collect::<Vec<f64>>())
            }
            Getter::Bool(f) => {
                Column::new((*name).into(), records.iter().map(f).collect::<Vec<bool>>())
            }
        })
        .collect();
    frame("messages", records.len(), columns)
}

/// The flagged rows of the messages frame, with the [`FLAG_COLUMNS`].
pub(crate) fn flags(messages: &DataFrame) -> Result<DataFrame> {
    let mask = messages
        .column("flagged")
        .and_then(|c| c.bool().cloned())
        .map_err(|e| polars_err("flags", e))?;
    messages
        .filter(&mask)
        .and_then(|df| df.select(FLAG_COLUMNS.iter().copied()))
        .map_err(|e| polars_err("flags", e))
}

#[derive(Default)]
struct AgencyCounts {
    messages: usize,
    as_sender: usize,
    as_requester: usize,
    as_holder: usize,
}

/// One row per agency seen in any role, by messages desc, then name, then kind.
pub(crate) fn agencies(records: &[Record]) -> Result<DataFrame> {
    let mut counts: BTreeMap<&Agency, AgencyCounts> = BTreeMap::new();
    for record in records {
        let f = &record.findings;
        let named: BTreeSet<&Agency> = f.agencies.iter().collect();
        for agency in named {
            counts.entry(agency).or_default().messages += 1;
        }
        for agency in &f.recipient_agencies {
            counts.entry(agency).or_default();
        }
        if let Some(agency) = &f.sender_agency {
            counts.entry(agency).or_default().as_sender += 1;
        }
        if f.flag.flagged {
            if let Some(agency) = &f.flag.requester {
                counts.entry(agency).or_default().as_requester += 1;
            }
            if let Some(agency) = &f.flag.holder {
                counts.entry(agency).or_default().as_holder += 1;
            }
        }
    }
    // BTreeMap order is (name, kind) ascending; a stable sort by count keeps it as tiebreak.
    let mut rows: Vec<(&Agency, AgencyCounts)> = counts.into_iter().collect();
    rows.sort_by_key(|(_, c)| std::cmp::Reverse(c.messages));
    let height = rows.len();
    let columns = vec![
        str_col("agency", rows.iter().map(|(a, _)| a.name.clone()).collect()),
        str_col("kind", rows.iter().map(|(a, _)| a.kind.clone()).collect()),
        u32_col(
            "messages",
            rows.iter().map(|(_, c)| count_u32(c.messages)).collect(),
        ),
        u32_col(
            "as_sender",
            rows.iter().map(|(_, c)| count_u32(c.as_sender)).collect(),
        ),
        u32_col(
            "flags_as_requester",
            rows.iter()
                .map(|(_, c)| count_u32(c.as_requester))
                .collect(),
        ),
        u32_col(
            "flags_as_holder",
            rows.iter().map(|(_, c)| count_u32(c.as_holder)).collect(),
        ),
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
/// every message, and of text outside any message (under [`NO_MESSAGE`]).
pub(crate) fn redactions(records: &[Record], documents: &[DocumentRow]) -> Result<DataFrame> {
    let mut counts: BTreeMap<&str, CodeCounts> = BTreeMap::new();
    for record in records {
        let sender = record
            .findings
            .sender_agency
            .as_ref()
            .map(|a| a.name.as_str())
            .unwrap_or(UNKNOWN_SENDER);
        let seen = count_spans(
            &mut counts,
            &record.findings.redactions,
            sender,
            &record.message.source,
        );
        for code in seen {
            counts.entry(code).or_default().messages += 1;
        }
    }
    for doc in documents {
        count_spans(&mut counts, &doc.loose_redactions, NO_MESSAGE, &doc.file);
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

/// Adds a run of spans to the counts by code; gives the codes seen.
fn count_spans<'a>(
    counts: &mut BTreeMap<&'a str, CodeCounts<'a>>,
    spans: &'a [Redaction],
    sender: &'a str,
    file: &'a str,
) -> BTreeSet<&'a str> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for span in spans {
        let codes: BTreeSet<&str> = if span.codes.is_empty() {
            BTreeSet::from([NO_CODE])
        } else {
            span.codes.iter().map(String::as_str).collect()
        };
        for code in codes {
            let c = counts.entry(code).or_default();
            c.spans += 1;
            *c.by_sender.entry(sender).or_default() += 1;
            c.documents.insert(file);
            seen.insert(code);
        }
    }
    seen
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

/// Agency names by the number of records whose findings name them.
pub(crate) fn top_agencies(records: &[Record], n: usize) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for record in records {
        let names: BTreeSet<&str> = record
            .findings
            .agencies
            .iter()
            .map(|a| a.name.as_str())
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
