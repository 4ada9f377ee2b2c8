//! The records that flow between stages: a [`Message`] as parsed, the [`Findings`] the
//! extract and flag stages attach to it, and the [`ErrorRow`] a file becomes when it
//! cannot be read. Parse gives messages; extract and flag give findings; report reads both.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Where a message record came from inside its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The message itself (an `.eml`, one message of an mbox, a maildir file).
    Header,
    /// A quoted or forwarded message recovered from another message's body.
    Quoted,
    /// An attached `message/rfc822`.
    Attached,
    /// A message printed in a plain-text release.
    Printed,
    /// A memo released on its own, read from its heading (`FROM:` with `TO:` / `FOR:`).
    Memo,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Header => "header",
            Origin::Quoted => "quoted",
            Origin::Attached => "attached",
            Origin::Printed => "printed",
            Origin::Memo => "memo",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: usize,
}

/// A date as written and, where the writer gave an offset, in UTC.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDate {
    /// The header value or printed text, as written.
    pub raw: String,
    /// ISO 8601 in the writer's own offset (no offset when the source gave none).
    pub local: String,
    /// ISO 8601 in UTC; empty when the source gave no offset.
    pub utc: String,
}

/// One message: a top-level message, or one recovered from inside another.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Message {
    /// Path of the file, relative to the input folder it came from.
    pub source: String,
    /// Position of the message in its file, from 1.
    pub ordinal: u32,
    pub origin: Option<Origin>,
    pub message_id: String,
    pub in_reply_to: String,
    /// The `References` header's message IDs, oldest first.
    pub references: Vec<String>,
    pub date: MessageDate,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    /// Lines of a printed or quoted header block that fill no field (`Importance: High`),
    /// as written.
    pub other_headers: Vec<String>,
    /// The message's own text (quoted messages are records of their own). The pipeline
    /// empties it once the message is analysed, keeping `body_chars`, so that a run holds
    /// findings, not the production.
    pub body: String,
    /// Length of `body` in characters.
    pub body_chars: u32,
    pub attachments: Vec<Attachment>,
    /// First page the message appears on (printed releases; 0 when unknown).
    pub page: u32,
    /// Bates or document number printed on that page.
    pub bates: String,
    /// Index of the chain this message belongs to within its file, and its depth in the
    /// chain (0 = the newest, written message; 1 = the message it quotes...).
    pub chain: u32,
    pub depth: u32,
}

impl Message {
    /// The record's key in the production: its file and its position there
    /// (`release/a.eml#2`). Unique within a run and the same on every run.
    pub fn key(&self) -> String {
        format!("{}#{}", self.source, self.ordinal)
    }
}

/// An agency found in a message. Its name and kind are shared: a production names the
/// same few hundred agencies in every other message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Agency {
    pub name: Name,
    pub kind: Name,
}

/// An immutable text shared by every record that carries it: cloning it copies a
/// pointer, not the text.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(Arc<str>);

impl Name {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name(Arc::from(text))
    }
}

impl From<String> for Name {
    fn from(text: String) -> Name {
        Name(Arc::from(text))
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Name::from)
    }
}

/// One contiguous redacted span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    /// The text of the span as printed.
    pub text: String,
    /// Exemption codes on it, normalised (`(b)(6)`, `(b)(7)(C)`).
    pub codes: Vec<String>,
}

/// What extract and flag found in one message.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Findings {
    pub sender_agency: Option<Agency>,
    pub recipient_agencies: Vec<Agency>,
    pub agencies: Vec<Agency>,
    pub redactions: Vec<Redaction>,
    pub exemptions: Vec<String>,
    pub data_types: Vec<String>,
    pub identifiers: Vec<String>,
    pub formal_channels: Vec<String>,
    pub flag: Flag,
}

/// The informal-request verdict on one message, with what it rests on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Flag {
    pub flagged: bool,
    pub score: f64,
    /// The rules that fired, in order, e.g. `request_act`, `cross_agency`, `formal:subpoena`.
    pub reasons: Vec<String>,
    /// The sentence(s) that carry the request or its fulfilment.
    pub evidence: Vec<String>,
    pub requester: Option<Agency>,
    pub holder: Option<Agency>,
}

/// Where a message stands in the production: its conversation and its copies. The
/// thread/dedupe stage fills it in once every file is read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grouping {
    /// The conversation it belongs to (`T00001`), numbered in order of first appearance.
    pub thread_id: String,
    /// The key ([`Message::key`]) of the first occurrence of the same message, when this
    /// record is a later copy; empty on the first occurrence itself.
    pub duplicate_of: String,
    /// Occurrences of this message in the production, this one included.
    pub copies: u32,
    /// Its text is not wholly contained in a later message of its thread: a reader must
    /// read it.
    pub inclusive: bool,
    /// In a case: the production this occurrence came in, the production its message was
    /// first seen in, and the message's key across productions (16 hex digits: the first
    /// occurrence's content fingerprint). Empty outside a case.
    pub production: String,
    pub first_seen: String,
    pub message_key: String,
}

/// A message with its findings: what the report stage reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub message: Message,
    pub findings: Findings,
    /// Absent from a case's stored records: each run groups them afresh.
    #[serde(default)]
    pub group: Grouping,
}

impl Record {
    /// Whether this record is the first occurrence of its message (the one distinct
    /// counts are taken over).
    pub fn is_first_copy(&self) -> bool {
        self.group.duplicate_of.is_empty()
    }
}

/// A file (or part of one) that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRow {
    pub file: String,
    pub stage: String,
    pub reason: String,
}

/// One source document: what it is and what it gave, whatever it gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRow {
    pub file: String,
    /// `eml`, `mbox`, `printed`, `pdf`, `docx`, `xlsx`, `image`, or `unreadable`.
    pub format: String,
    /// Pages, for printed text and PDFs (0 otherwise).
    pub pages: u32,
    /// What it holds: `email`, `memo` (memos and letters read from their headings),
    /// `other` (read whole, no correspondence: a contract, an invoice, a schedule), or
    /// `unread` (it gave an error and no message).
    pub content: String,
    pub messages: u32,
    /// Redacted spans in the document: in its messages, and in text outside them.
    pub redactions: u32,
    /// The spans in text that belongs to no message (a contract, an invoice, the title
    /// lines of a print), which no message record carries.
    #[serde(skip)]
    pub loose_redactions: Vec<Redaction>,
    /// Release stamps printed on its pages (`RELEASE IN PART B5,B6`).
    pub release_stamps: Vec<String>,
    /// Exemption codes on its redacted spans and in its release stamps, normalised.
    pub exemptions: Vec<String>,
    /// PDF pages with no text layer, which need OCR.
    pub pages_needing_ocr: u32,
    /// Error rows the file gave, joined; empty when it was read whole.
    pub error: String,
}

/// Totals of one run, for the summary line and the Summary sheet.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    /// The input roots as given.
    pub inputs: Vec<String>,
    /// Entries found under the inputs: files, and paths that could not be walked (a
    /// symbolic link loop, an unreadable folder). Always the sum of the next three.
    pub files: usize,
    /// Files that gave at least one message.
    pub files_with_messages: usize,
    /// Files read whole that hold no message (a contract, a table, a schedule).
    pub files_without_messages: usize,
    /// Files, and paths, that could not be read: each has its rows in errors.csv.
    pub files_unread: usize,
    /// Every occurrence of every message.
    pub messages: usize,
    /// Messages counted once however many copies the production holds.
    pub distinct_messages: usize,
    pub threads: usize,
    /// Distinct messages flagged as informal requests.
    pub flagged: usize,
    pub redaction_diffs: usize,
    pub error_rows: usize,
    pub elapsed_secs: f64,
    pub bytes: u64,
    /// Wall and processor time of each stage, in order (`analyze --timings` prints them).
    pub stage_secs: Vec<StageTime>,
    /// Lines the caller adds to the Summary sheet after the run's own (a case's
    /// production and what it changed): item, and its value as text or a count.
    pub extra: Vec<(String, SummaryValue)>,
}

/// A value on the Summary sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SummaryValue {
    Text(String),
    Count(u64),
}

/// How long one stage of a run took.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StageTime {
    pub stage: &'static str,
    pub wall_secs: f64,
    /// Processor time of every thread in the stage, where the system tells it (Linux).
    pub cpu_secs: Option<f64>,
}

impl StageTime {
    /// Cores kept busy on average, in percent (200 % is two cores throughout).
    pub fn cpu_percent(&self) -> Option<f64> {
        let cpu = self.cpu_secs?;
        (self.wall_secs > 0.0).then(|| 100.0 * cpu / self.wall_secs)
    }
}

/// One conversation: what threads.csv and the Threads sheet show.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ThreadRow {
    pub thread_id: String,
    /// The subject of its earliest message, reply prefixes taken off.
    pub subject: String,
    /// Earliest and latest dates of its messages, as in messages.csv's `date`.
    pub first_date: String,
    pub last_date: String,
    /// Distinct messages, and every occurrence of them.
    pub messages: u32,
    pub occurrences: u32,
    pub participants: Vec<String>,
    pub agencies: Vec<String>,
    /// Distinct messages flagged as informal requests.
    pub flagged: u32,
    /// Files its messages appear in.
    pub sources: Vec<String>,
}

/// Text withheld in one copy of a message and visible in another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RedactionDiff {
    /// The key of the message's first occurrence.
    pub message: String,
    pub thread_id: String,
    pub subject: String,
    /// Where the text stands: `body`, `from`, `to`, `cc` or `subject`.
    pub field: String,
    /// The codes on the redacted span, normalised (empty for an uncoded mark).
    pub exemptions: Vec<String>,
    /// The text as the other copy shows it.
    pub withheld: String,
    /// The visible copy's words around it, the withheld text in `[[ ]]`.
    pub context: String,
    /// The copy that withholds it: key, page and Bates number.
    pub redacted_in: String,
    pub redacted_page: u32,
    pub redacted_bates: String,
    /// The copy that shows it.
    pub visible_in: String,
    pub visible_page: u32,
    pub visible_bates: String,
}

/// What one production of a case changed: a row of changes.csv and the What's new sheet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The production that made the change.
    pub production: String,
    /// `new message`, `new flag`, `re-produced`, `newly released` (text an earlier
    /// production withheld and this one shows) or `newly withheld` (the reverse).
    pub change: String,
    /// The message's key across productions.
    pub message_key: String,
    /// The occurrence in this production (`source#ordinal`), its page and Bates number.
    pub key: String,
    pub page: u32,
    pub bates: String,
    pub date: String,
    pub from: String,
    pub subject: String,
    /// The production and occurrence it is compared with (empty for a new message).
    pub earlier_production: String,
    pub earlier_key: String,
    /// For redaction changes: the field (`body`, `from`...), the text released or
    /// withheld, its exemption codes and the words around it; for a new flag, the
    /// reasons and the evidence.
    pub field: String,
    pub text: String,
    pub exemptions: String,
    pub context: String,
}
