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

/// A record as the grouping stage and the counts see it. Its texts share one
/// allocation and its agencies another: a large production holds hundreds of thousands,
/// and a dozen small allocations each would cost more than their contents.
#[derive(Debug, Clone, Default)]
pub struct Brief {
    /// Where the whole record is.
    pub stored: Stored,
    /// Where its body is.
    pub body: Stored,
    /// The file it came from, shared by its file's records.
    pub source: Name,
    pub ordinal: u32,
    pub chain: u32,
    pub depth: u32,
    pub page: u32,
    pub origin: Option<Origin>,
    /// It carries a file (an attachment with content).
    pub carries_files: bool,
    pub flagged: bool,
    /// Its date in minutes, read once.
    pub when: Option<When>,
    /// The texts: the [`Piece`]s, then the references, recipients, copies and each
    /// redacted span's codes, one after another.
    text: Box<str>,
    /// Where each text ends in `text`.
    ends: Box<[u32]>,
    /// How many references, recipients and copies follow the pieces.
    lists: [u32; 3],
    /// How many codes each redacted span carries, span by span.
    span_codes: Box<[u16]>,
    /// The sender's agency, the requester and the holder (those present, in that
    /// order), then the recipients' agencies, then every agency named.
    parties: Box<[Agency]>,
    /// Which of sender, requester and holder are present.
    roles: [bool; 3],
    recipient_agencies: u32,
    /// Where the thread/dedupe stage put it.
    pub place: Place,
}

/// The single texts of a brief, in the order they are kept.
#[derive(Clone, Copy)]
enum Piece {
    MessageId,
    InReplyTo,
    LocalDate,
    From,
    Subject,
    Bates,
}

const PIECES: usize = 6;

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
        let pieces = [
            &m.message_id,
            &m.in_reply_to,
            &m.date.local,
            &m.from,
            &m.subject,
            &m.bates,
        ];
        let codes = f.redactions.iter().flat_map(|r| &r.codes);
        let texts = || {
            (pieces.into_iter())
                .chain(&m.references)
                .chain(&m.to)
                .chain(&m.cc)
                .chain(codes.clone())
        };
        let mut text = String::with_capacity(texts().map(String::len).sum());
        let mut ends = Vec::with_capacity(texts().count());
        for t in texts() {
            text.push_str(t);
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        let roles = [&f.sender_agency, &f.flag.requester, &f.flag.holder];
        let parties: Vec<Agency> = (roles.iter().filter_map(|a| a.as_ref()))
            .chain(&f.recipient_agencies)
            .chain(&f.agencies)
            .cloned()
            .collect();
        Brief {
            stored,
            body: Stored::default(),
            source: source.clone(),
            ordinal: m.ordinal,
            chain: m.chain,
            depth: m.depth,
            page: m.page,
            origin: m.origin,
            carries_files: m.attachments.iter().any(|a| a.size > 0),
            flagged: f.flag.flagged,
            when: When::of(&m.date),
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
            lists: [&m.references, &m.to, &m.cc].map(|l| count_u32(l.len())),
            span_codes: (f.redactions.iter())
                .map(|r| u16::try_from(r.codes.len()).unwrap_or(u16::MAX))
                .collect(),
            parties: parties.into_boxed_slice(),
            roles: roles.map(Option::is_some),
            recipient_agencies: count_u32(f.recipient_agencies.len()),
            place: Place::default(),
        }
    }

    /// The brief with its body stored at `body`.
    pub fn with_body(self, body: Stored) -> Brief {
        Brief { body, ..self }
    }

    /// The `i`th text.
    fn text_at(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1).map_or(0, |&e| e as usize),
        };
        let end = self.ends.get(i).map_or(start, |&e| e as usize);
        self.text.get(start..end).unwrap_or_default()
    }

    fn piece(&self, piece: Piece) -> &str {
        self.text_at(piece as usize)
    }

    /// The texts of the `n`th list (references, recipients, copies).
    fn list(&self, n: usize) -> impl Iterator<Item = &str> {
        let start = PIECES + self.lists[..n].iter().map(|&c| c as usize).sum::<usize>();
        (start..start + self.lists[n] as usize).map(|i| self.text_at(i))
    }

    pub fn message_id(&self) -> &str {
        self.piece(Piece::MessageId)
    }

    pub fn in_reply_to(&self) -> &str {
        self.piece(Piece::InReplyTo)
    }

    /// Its date as the messages report gives it.
    pub fn local_date(&self) -> &str {
        self.piece(Piece::LocalDate)
    }

    pub fn from(&self) -> &str {
        self.piece(Piece::From)
    }

    pub fn subject(&self) -> &str {
        self.piece(Piece::Subject)
    }

    pub fn bates(&self) -> &str {
        self.piece(Piece::Bates)
    }

    pub fn references(&self) -> impl Iterator<Item = &str> {
        self.list(0)
    }

    pub fn to(&self) -> impl Iterator<Item = &str> {
        self.list(1)
    }

    pub fn cc(&self) -> impl Iterator<Item = &str> {
        self.list(2)
    }

    /// The participants as written: sender, then recipients, then copies.
    pub fn people(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.from())
            .chain(self.to())
            .chain(self.cc())
    }

    /// The exemption codes of each redacted span, in order: copies whose lists differ
    /// are redacted differently.
    pub fn redaction_codes(&self) -> impl Iterator<Item = impl Iterator<Item = &str>> {
        let first = PIECES + self.lists.iter().map(|&c| c as usize).sum::<usize>();
        self.span_codes.iter().scan(first, move |at, &n| {
            let span = *at..*at + usize::from(n);
            *at += usize::from(n);
            Some(span.map(|i| self.text_at(i)))
        })
    }

    /// Whether the two carry the same codes on the same spans.
    pub fn same_redaction_codes(&self, other: &Brief) -> bool {
        self.span_codes == other.span_codes
            && (self.redaction_codes().flatten()).eq(other.redaction_codes().flatten())
    }

    /// The sender's, the requester's and the holder's agencies, where known.
    fn role(&self, n: usize) -> Option<&Agency> {
        if !self.roles[n] {
            return None;
        }
        let before = self.roles[..n].iter().filter(|&&r| r).count();
        self.parties.get(before)
    }

    pub fn sender_agency(&self) -> Option<&Agency> {
        self.role(0)
    }

    pub fn requester(&self) -> Option<&Agency> {
        self.role(1)
    }

    pub fn holder(&self) -> Option<&Agency> {
        self.role(2)
    }

    fn roles_held(&self) -> usize {
        self.roles.iter().filter(|&&r| r).count()
    }

    pub fn recipient_agencies(&self) -> &[Agency] {
        let start = self.roles_held();
        let end = start + self.recipient_agencies as usize;
        self.parties.get(start..end).unwrap_or_default()
    }

    /// Every agency the message names.
    pub fn agencies(&self) -> &[Agency] {
        let start = self.roles_held() + self.recipient_agencies as usize;
        self.parties.get(start..).unwrap_or_default()
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
            ..Grouping::default()
        }
    }
}

fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The briefs of records held in memory (no store behind them), for tests.
#[cfg(test)]
pub(crate) fn briefs_of(records: &[Record]) -> Vec<Brief> {
    records
        .iter()
        .map(|r| Brief::of(r, Stored::default(), &r.message.source.as_str().into()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Message, MessageDate, Redaction};

    fn agency(name: &str) -> Agency {
        Agency {
            name: name.into(),
            kind: "police".into(),
        }
    }

    #[test]
    fn a_brief_gives_back_each_text_list_and_agency_of_its_record() {
        let mut record = Record {
            message: Message {
                source: "a/b.eml".into(),
                ordinal: 3,
                message_id: "<1@x>".into(),
                references: vec!["<0@x>".into(), "<0.5@x>".into()],
                from: "Mark Jensen <mj@ice.dhs.gov>".into(),
                to: vec!["Ana Ruiz".into()],
                cc: vec![],
                subject: "Plate ✓".into(),
                date: MessageDate {
                    local: "2020-03-03T10:00:00".into(),
                    ..MessageDate::default()
                },
                ..Message::default()
            },
            findings: Default::default(),
            group: Default::default(),
        };
        let f = &mut record.findings;
        f.flag.holder = None;
        f.flag.requester = Some(agency("ICE"));
        f.recipient_agencies = vec![agency("Fresno PD")];
        f.agencies = vec![agency("ICE"), agency("Fresno PD")];
        let span = |codes: &[&str]| Redaction {
            text: String::new(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
        };
        f.redactions = vec![span(&["(b)(6)", "(b)(7)(C)"]), span(&[])];
        let b = Brief::of(&record, Stored::default(), &"a/b.eml".into());
        assert_eq!(b.message_id(), "<1@x>");
        assert_eq!(b.in_reply_to(), "");
        assert_eq!(b.references().collect::<Vec<_>>(), ["<0@x>", "<0.5@x>"]);
        assert_eq!(
            b.people().collect::<Vec<_>>(),
            ["Mark Jensen <mj@ice.dhs.gov>", "Ana Ruiz"]
        );
        assert_eq!(b.subject(), "Plate ✓");
        assert_eq!(b.local_date(), "2020-03-03T10:00:00");
        assert_eq!(b.key(), "a/b.eml#3");
        assert!(b.sender_agency().is_none() && b.holder().is_none());
        assert_eq!(b.requester().map(|a| a.name.as_str()), Some("ICE"));
        assert_eq!(b.recipient_agencies(), [agency("Fresno PD")]);
        assert_eq!(b.agencies().len(), 2);
        let codes: Vec<Vec<&str>> = b.redaction_codes().map(Iterator::collect).collect();
        assert_eq!(codes, [vec!["(b)(6)", "(b)(7)(C)"], vec![]]);
        let mut other = record.clone();
        other.findings.redactions = vec![span(&["(b)(6)"]), span(&["(b)(7)(C)"])];
        let o = Brief::of(&other, Stored::default(), &"a/c.eml".into());
        assert!(b.same_redaction_codes(&b) && !b.same_redaction_codes(&o));
    }
}
