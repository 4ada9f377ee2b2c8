//! The records that flow between stages: a [`Message`] as parsed, the [`Findings`] the
//! extract and flag stages attach to it, and the [`ErrorRow`] a file becomes when it
//! cannot be read. Parse gives messages; extract and flag give findings; report reads both.

use serde::Serialize;

/// Where a message record came from inside its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: usize,
}

/// A date as written and, where the writer gave an offset, in UTC.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MessageDate {
    /// The header value or printed text, as written.
    pub raw: String,
    /// ISO 8601 in the writer's own offset (no offset when the source gave none).
    pub local: String,
    /// ISO 8601 in UTC; empty when the source gave no offset.
    pub utc: String,
}

/// One message: a top-level message, or one recovered from inside another.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Message {
    /// Path of the file, relative to the input folder it came from.
    pub source: String,
    /// Position of the message in its file, from 1.
    pub ordinal: u32,
    pub origin: Option<Origin>,
    pub message_id: String,
    pub in_reply_to: String,
    pub date: MessageDate,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
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

/// An agency found in a message.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Agency {
    pub name: String,
    pub kind: String,
}

/// One contiguous redacted span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redaction {
    /// The text of the span as printed.
    pub text: String,
    /// Exemption codes on it, normalised (`(b)(6)`, `(b)(7)(C)`).
    pub codes: Vec<String>,
}

/// What extract and flag found in one message.
#[derive(Debug, Clone, Default, Serialize)]
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
#[derive(Debug, Clone, Default, Serialize)]
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

/// A message with its findings: what the report stage reads.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub message: Message,
    pub findings: Findings,
}

/// A file (or part of one) that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorRow {
    pub file: String,
    pub stage: String,
    pub reason: String,
}

/// One source document: what it is and what it gave, whatever it gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
    /// Files found under the inputs.
    pub files: usize,
    /// Files that gave at least one message.
    pub files_with_messages: usize,
    pub messages: usize,
    pub flagged: usize,
    pub error_rows: usize,
    pub elapsed_secs: f64,
    pub bytes: u64,
}
