//! What a run keeps in memory of each record while its full findings wait in the
//! [`crate::store::RecordStore`]: the fields the thread/dedupe stage compares, the
//! findings the distinct counts are taken over, where the record is stored, and (once the
//! stage has run) where it stands among its copies and conversations. About a third of a
//! record's size; the text of its redactions, evidence, identifiers and attachments stays
//! in the store.

use crate::model::{Agency, Grouping, Name, Origin, Record};
use crate::store::Stored;

use super::keys::When;
use super::threads::thread_label;

/// A record as the grouping stage and the counts see it.
#[derive(Debug, Clone, Default)]
pub struct Brief {
    /// Where the whole record is.
    pub stored: Stored,
    /// The file it came from, shared by its file's records.
    pub source: Name,
    pub ordinal: u32,
    pub origin: Option<Origin>,
    pub chain: u32,
    pub depth: u32,
    pub page: u32,
    pub bates: Box<str>,
    pub message_id: Box<str>,
    pub in_reply_to: Box<str>,
    pub references: Box<[Box<str>]>,
    /// Its date in minutes, read once.
    pub when: Option<When>,
    /// Its date as the messages report gives it.
    pub local_date: Box<str>,
    pub from: Box<str>,
    pub to: Box<[Box<str>]>,
    pub cc: Box<[Box<str>]>,
    pub subject: Box<str>,
    /// It carries a file (an attachment with content).
    pub carries_files: bool,
    pub sender_agency: Option<Agency>,
    pub recipient_agencies: Box<[Agency]>,
    pub agencies: Box<[Agency]>,
    pub flagged: bool,
    pub requester: Option<Agency>,
    pub holder: Option<Agency>,
    /// The exemption codes of each redacted span, in order: copies whose lists differ
    /// are redacted differently.
    pub redaction_codes: Box<[Box<[Box<str>]>]>,
    /// Where the thread/dedupe stage put it.
    pub place: Place,
}

/// Where a record stands among its copies and conversations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    /// The index of its first occurrence (its own for the first).
    pub first: u32,
    /// Its conversation's number, from 0.
    pub thread: u32,
    /// Occurrences of its message.
    pub copies: u32,
    /// A reader must read it: no later message of its thread quotes it whole.
    pub inclusive: bool,
}

impl Brief {
    /// The brief of `record`, stored at `stored`; `source` is its file's shared name.
    pub fn of(record: &Record, stored: Stored, source: &Name) -> Brief {
        let m = &record.message;
        let f = &record.findings;
        let boxed = |v: &[String]| v.iter().map(|s| s.as_str().into()).collect();
        Brief {
            stored,
            source: source.clone(),
            ordinal: m.ordinal,
            origin: m.origin,
            chain: m.chain,
            depth: m.depth,
            page: m.page,
            bates: m.bates.as_str().into(),
            message_id: m.message_id.as_str().into(),
            in_reply_to: m.in_reply_to.as_str().into(),
            references: boxed(&m.references),
            when: When::of(&m.date),
            local_date: m.date.local.as_str().into(),
            from: m.from.as_str().into(),
            to: boxed(&m.to),
            cc: boxed(&m.cc),
            subject: m.subject.as_str().into(),
            carries_files: m.attachments.iter().any(|a| a.size > 0),
            sender_agency: f.sender_agency.clone(),
            recipient_agencies: f.recipient_agencies.as_slice().into(),
            agencies: f.agencies.as_slice().into(),
            flagged: f.flag.flagged,
            requester: f.flag.requester.clone(),
            holder: f.flag.holder.clone(),
            redaction_codes: f.redactions.iter().map(|r| boxed(&r.codes)).collect(),
            place: Place::default(),
        }
    }

    /// The record's key in the production ([`crate::model::Message::key`]).
    pub fn key(&self) -> String {
        format!("{}#{}", self.source, self.ordinal)
    }

    /// Whether this is the first occurrence of its message.
    pub fn is_first_copy(&self, index: usize) -> bool {
        self.place.first as usize == index
    }

    /// Its grouping as the reports give it; `briefs` are the run's, `index` its own.
    pub fn grouping(&self, index: usize, briefs: &[Brief]) -> Grouping {
        let first = self.place.first as usize;
        Grouping {
            thread_id: thread_label(self.place.thread as usize),
            duplicate_of: match first == index {
                true => String::new(),
                false => briefs.get(first).map(Brief::key).unwrap_or_default(),
            },
            copies: self.place.copies,
            inclusive: self.place.inclusive,
        }
    }

    /// The participants as written: sender, then recipients, then copies.
    pub fn people(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&*self.from)
            .chain(self.to.iter().map(|p| &**p))
            .chain(self.cc.iter().map(|p| &**p))
    }
}

/// The briefs of records held in memory (no store behind them), for tests.
#[cfg(test)]
pub(crate) fn briefs_of(records: &[Record]) -> Vec<Brief> {
    records
        .iter()
        .map(|r| Brief::of(r, Stored::default(), &r.message.source.as_str().into()))
        .collect()
}
