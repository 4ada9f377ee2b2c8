//! What a production changed: takes a grouped run over a case (its records, each with
//! its production, and its redaction differences) and the production just added, and
//! gives one [`Change`] per message it brings for the first time, per message it
//! re-produces, per informal request it is the first to show, and per redacted span it
//! releases or withholds against an earlier production.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::{Change, RedactionDiff};
use crate::records::Records;
use crate::report::{EVIDENCE_JOIN, JOIN};
use crate::store::StoreError;

pub const NEW_MESSAGE: &str = "new message";
pub const NEW_FLAG: &str = "new flag";
pub const REPRODUCED: &str = "re-produced";
pub const NEWLY_RELEASED: &str = "newly released";
pub const NEWLY_WITHHELD: &str = "newly withheld";

/// How many changes of each kind a production made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeCounts {
    pub new_messages: u64,
    pub reproduced: u64,
    pub new_flags: u64,
    pub newly_released: u64,
    pub newly_withheld: u64,
}

impl ChangeCounts {
    pub fn of(changes: &[Change]) -> ChangeCounts {
        let count = |kind: &str| changes.iter().filter(|c| c.change == kind).count() as u64;
        ChangeCounts {
            new_messages: count(NEW_MESSAGE),
            reproduced: count(REPRODUCED),
            new_flags: count(NEW_FLAG),
            newly_released: count(NEWLY_RELEASED),
            newly_withheld: count(NEWLY_WITHHELD),
        }
    }
}

/// The changes production `production` (an index into the case's productions) made, in
/// this order: new messages, new flags, re-produced messages, newly released text, newly
/// withheld text; each in the order of the records.
pub fn changes(
    records: &Records,
    diffs: &[RedactionDiff],
    production: u32,
) -> Result<Vec<Change>, StoreError> {
    let Some(case) = &records.case else {
        return Ok(Vec::new());
    };
    let of = |i: usize| case.of_record.get(i).copied().unwrap_or(u32::MAX);
    let mut rows = message_changes(records, production, &of);
    let mut redaction_rows = redaction_changes(records, diffs, production, &of);
    rows.sort_by_key(|(kind, i, _)| (order(kind), *i));
    redaction_rows.sort_by_key(|(kind, i, _, _)| (order(kind), *i));
    // Only a new flag needs more than the briefs hold (its evidence and reasons): those
    // records alone come back from the store.
    let flagged: Vec<usize> = (rows.iter())
        .filter(|(kind, _, _)| *kind == NEW_FLAG)
        .map(|r| r.1)
        .collect();
    let mut flags = records.get(&flagged)?.into_iter();
    let mut out = Vec::with_capacity(rows.len() + redaction_rows.len());
    for (kind, i, earlier) in rows {
        let mut change = change_of(kind, i, records, earlier);
        if kind == NEW_FLAG {
            if let Some(record) = flags.next() {
                change.text = record.findings.flag.evidence.join(EVIDENCE_JOIN);
                change.context = record.findings.flag.reasons.join(JOIN);
            }
        }
        out.push(change);
    }
    for (kind, i, earlier, diff) in redaction_rows {
        let mut change = change_of(kind, i, records, Some(earlier));
        change.field = diff.field.clone();
        change.text = diff.withheld.clone();
        change.exemptions = diff.exemptions.join(JOIN);
        change.context = diff.context.clone();
        out.push(change);
    }
    Ok(out)
}

/// A change found: its kind, the record in the production, the earlier record it is
/// compared with.
type Found = (&'static str, usize, Option<usize>);

/// New messages, new flags and re-produced messages: each message the production holds
/// against what the earlier productions held of it.
fn message_changes(records: &Records, production: u32, of: &dyn Fn(usize) -> u32) -> Vec<Found> {
    // Per message (its first occurrence): its first occurrences before and in this
    // production, and whether it was flagged before it and in it.
    let mut messages: BTreeMap<usize, Seen> = BTreeMap::new();
    for (i, brief) in records.briefs.iter().enumerate() {
        let p = of(i);
        if p > production {
            continue;
        }
        let seen = messages.entry(brief.place.first as usize).or_default();
        if p < production {
            seen.earlier.get_or_insert(i);
            seen.flagged_before |= brief.flagged;
        } else {
            seen.now.get_or_insert(i);
            if brief.flagged {
                seen.flagged_now.get_or_insert(i);
            }
        }
    }
    let mut rows = Vec::new();
    for seen in messages.values() {
        let Some(now) = seen.now else { continue };
        match seen.earlier {
            None => rows.push((NEW_MESSAGE, now, None)),
            Some(earlier) => rows.push((REPRODUCED, now, Some(earlier))),
        }
        if let (Some(flagged), false) = (seen.flagged_now, seen.flagged_before) {
            rows.push((NEW_FLAG, flagged, None));
        }
    }
    rows
}

/// Newly released and newly withheld text: the redaction differences between a copy in
/// this production and one in an earlier production. Gives each with its kind, the copy
/// here, the earlier copy and the difference.
fn redaction_changes<'d>(
    records: &Records,
    diffs: &'d [RedactionDiff],
    production: u32,
    of: &dyn Fn(usize) -> u32,
) -> Vec<(&'static str, usize, usize, &'d RedactionDiff)> {
    let index: HashMap<String, usize> = (records.briefs.iter().enumerate())
        .filter(|(i, _)| of(*i) <= production)
        .map(|(i, b)| (b.key(), i))
        .collect();
    let shown_here = shown_here(records, diffs, production, of, &index);
    let mut rows = Vec::new();
    for diff in diffs {
        let (Some(&redacted), Some(&visible)) =
            (index.get(&diff.redacted_in), index.get(&diff.visible_in))
        else {
            continue;
        };
        // The visible copy is the first that shows the text: one in this production
        // means no earlier production showed it.
        match (of(redacted), of(visible)) {
            (r, v) if v == production && r < production => {
                rows.push((NEWLY_RELEASED, visible, redacted, diff));
            }
            (r, v) if r == production && v < production && !shown_here(diff, redacted) => {
                rows.push((NEWLY_WITHHELD, redacted, visible, diff));
            }
            _ => {}
        }
    }
    rows
}

/// Whether the production shows a text one of its copies (`redacted`) withholds: text
/// this production withholds is newly withheld only where none of its copies of the
/// message shows it (re-producing a withheld copy beside a visible one withholds
/// nothing new).
fn shown_here<'a>(
    records: &'a Records,
    diffs: &'a [RedactionDiff],
    production: u32,
    of: &dyn Fn(usize) -> u32,
    index: &HashMap<String, usize>,
) -> impl Fn(&RedactionDiff, usize) -> bool + 'a {
    let text_of =
        |d: &'a RedactionDiff| (d.message.as_str(), d.field.as_str(), d.withheld.as_str());
    let mut copies_here: HashMap<u32, usize> = HashMap::new();
    for (i, brief) in records.briefs.iter().enumerate() {
        if of(i) == production {
            *copies_here.entry(brief.place.first).or_default() += 1;
        }
    }
    let mut withholding: HashMap<(&str, &str, &str), HashSet<usize>> = HashMap::new();
    for diff in diffs {
        if let Some(&redacted) = index.get(&diff.redacted_in) {
            if of(redacted) == production {
                withholding
                    .entry(text_of(diff))
                    .or_default()
                    .insert(redacted);
            }
        }
    }
    move |diff: &RedactionDiff, redacted: usize| {
        let key = (
            diff.message.as_str(),
            diff.field.as_str(),
            diff.withheld.as_str(),
        );
        let first = records.briefs[redacted].place.first;
        let copies = copies_here.get(&first).copied().unwrap_or(0);
        copies > withholding.get(&key).map_or(0, HashSet::len)
    }
}

/// What a production shows of one message.
#[derive(Default)]
struct Seen {
    earlier: Option<usize>,
    now: Option<usize>,
    flagged_before: bool,
    flagged_now: Option<usize>,
}

fn order(kind: &str) -> usize {
    [
        NEW_MESSAGE,
        NEW_FLAG,
        REPRODUCED,
        NEWLY_RELEASED,
        NEWLY_WITHHELD,
    ]
    .iter()
    .position(|k| *k == kind)
    .unwrap_or(usize::MAX)
}

/// The change `kind` at record `index`, compared with record `earlier`.
fn change_of(kind: &str, index: usize, records: &Records, earlier: Option<usize>) -> Change {
    let b = &records.briefs[index];
    let case = records.case.as_ref();
    let production = |i: usize| case.map_or_else(String::new, |c| c.production(i).to_string());
    Change {
        production: production(index),
        change: kind.to_string(),
        message_key: case.map_or_else(String::new, |c| c.message_key(b.place.first as usize)),
        key: b.key(),
        page: b.page,
        bates: b.bates().to_string(),
        date: b.local_date().to_string(),
        from: b.from().to_string(),
        subject: b.subject().to_string(),
        earlier_production: earlier.map(production).unwrap_or_default(),
        earlier_key: earlier
            .and_then(|e| records.briefs.get(e))
            .map(|b| b.key())
            .unwrap_or_default(),
        ..Change::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Grouping, Message, Record};
    use crate::records::CaseColumns;

    fn record(source: &str, duplicate_of: &str, flagged: bool) -> Record {
        let mut record = Record {
            message: Message {
                source: source.into(),
                ordinal: 1,
                subject: "plates".into(),
                ..Message::default()
            },
            findings: Default::default(),
            group: Grouping {
                thread_id: "T00001".into(),
                duplicate_of: duplicate_of.into(),
                copies: 1,
                ..Grouping::default()
            },
        };
        record.findings.flag.flagged = flagged;
        record
    }

    fn case(records: &[Record], of_record: Vec<u32>) -> Records {
        let mut stored = Records::from_grouped(records).unwrap();
        stored.case = Some(CaseColumns {
            names: vec!["first".into(), "second".into()],
            of_record,
            fingerprints: (1..=records.len() as u64).collect(),
        });
        stored
    }

    #[test]
    fn a_production_adds_new_messages_flags_and_copies() {
        let records = [
            record("a.txt", "", true),
            record("b.txt", "", false),
            record("c.txt", "a.txt#1", true),
            record("d.txt", "", true),
            record("e.txt", "b.txt#1", true),
        ];
        let stored = case(&records, vec![0, 0, 1, 1, 1]);
        let changes = changes(&stored, &[], 1).unwrap();
        let seen: Vec<(&str, &str, &str)> = changes
            .iter()
            .map(|c| {
                (
                    c.change.as_str(),
                    c.key.as_str(),
                    c.earlier_production.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (NEW_MESSAGE, "d.txt#1", ""),
                // b was held, not flagged: its flagged copy e is a new flag; a was
                // flagged already, so its copy c is not.
                (NEW_FLAG, "d.txt#1", ""),
                (NEW_FLAG, "e.txt#1", ""),
                (REPRODUCED, "c.txt#1", "first"),
                (REPRODUCED, "e.txt#1", "first"),
            ]
        );
        assert_eq!(changes[0].message_key, format!("{:016x}", 4));
        assert_eq!(changes[3].earlier_key, "a.txt#1");
        assert!(changes.iter().all(|c| c.production == "second"));
    }

    #[test]
    fn the_first_production_brings_only_new_messages() {
        let records = [
            record("a.txt", "", false),
            record("b.txt", "a.txt#1", false),
        ];
        let stored = case(&records, vec![0, 0]);
        let changes = changes(&stored, &[], 0).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].change, NEW_MESSAGE);
        assert_eq!(changes[0].key, "a.txt#1");
    }
}
