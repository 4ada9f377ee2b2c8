//! Helpers the integration tests share: running the binary, reading what it writes, and
//! finding the ../shared folders a user's clone may not have.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The files every run writes (the workbook aside).
pub const DATA_FILES: [&str; 10] = [
    "messages.csv",
    "flags.csv",
    "threads.csv",
    "redaction_diffs.csv",
    "agencies.csv",
    "redactions.csv",
    "documents.csv",
    "errors.csv",
    "messages.ndjson",
    "messages.parquet",
];

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_backchannel"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn analyze(inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut command = bin();
    command
        .arg("analyze")
        .args(inputs)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .current_dir(repo());
    succeeds(command)
}

/// Runs `command`, which must succeed; gives what it printed.
pub fn succeeds(mut command: Command) -> Output {
    let output = command.output().expect("run backchannel");
    assert!(
        output.status.success(),
        "backchannel failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A folder of ../shared, which a user's clone does not have: `None` (and a note) then.
pub fn shared(path: &str) -> Option<PathBuf> {
    let root = repo().join("../shared").join(path);
    if root.is_dir() {
        return Some(root);
    }
    eprintln!("skipped: {} not present", root.display());
    None
}

/// The redacted spans documents.csv counts for a file (in its messages and outside them).
pub fn document_spans(documents: &[BTreeMap<String, String>], file: &str) -> u64 {
    documents
        .iter()
        .find(|d| d["file"] == file)
        .map(|d| d["redactions"].parse::<u64>().unwrap())
        .unwrap_or_default()
}

/// A CSV row by column name.
pub type Row = BTreeMap<String, String>;

/// Runs a labelled set (docs/ and labels.json): its messages.csv and documents.csv rows
/// and its labels.
pub fn run_labelled_set(set: &Path) -> (Vec<Row>, Vec<Row>, serde_json::Value) {
    let out = tempfile::tempdir().expect("temp dir");
    analyze(&[&set.join("docs")], out.path(), &["--no-xlsx"]);
    let rows = read_csv(&out.path().join("messages.csv"));
    let documents = read_csv(&out.path().join("documents.csv"));
    let labels = std::fs::read_to_string(set.join("labels.json")).expect("labels.json");
    let labels = serde_json::from_str(&labels).expect("labels parse");
    (rows, documents, labels)
}

/// A small RFC 4180 reader: enough for the files the tool writes.
pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("read csv");
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut field = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        records.push(row);
    }
    let header = records.remove(0);
    records
        .into_iter()
        .map(|r| header.iter().cloned().zip(r).collect())
        .collect()
}
