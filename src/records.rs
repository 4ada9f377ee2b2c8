//! A run's records: a [`Brief`] of each in memory, in their stable order, and the whole
//! of each in a [`RecordStore`]. The thread/dedupe stage and the counts read the briefs;
//! the reports take the whole records back a chunk at a time, with the grouping the
//! briefs were given, so no stage holds every record's findings at once.

use std::ops::Range;
use std::sync::Arc;

use crate::group::Brief;
use crate::model::{Name, Record};
use crate::store::{RecordStore, StoreError};

/// The records of a run.
#[derive(Debug, Default)]
pub struct Records {
    pub briefs: Vec<Brief>,
    /// Shared with the workers that wrote it: one left behind at the time limit may
    /// still hold it.
    pub store: Arc<RecordStore>,
    /// In a run over a case: each record's production and content fingerprint.
    pub case: Option<CaseColumns>,
}

/// What a case adds to each record: the production it came in and the fingerprint its
/// message is known by across productions.
#[derive(Debug, Default, Clone)]
pub struct CaseColumns {
    /// The case's productions, in the order they were added.
    pub names: Vec<Name>,
    /// Each record's production, an index into `names`.
    pub of_record: Vec<u32>,
    /// Each record's content fingerprint ([`crate::pipeline`]).
    pub fingerprints: Vec<u64>,
}

impl CaseColumns {
    /// The production record `index` came in.
    pub fn production(&self, index: usize) -> &str {
        (self.of_record.get(index))
            .and_then(|&p| self.names.get(p as usize))
            .map_or("", |n| n.as_str())
    }

    /// The key of the message record `index` is an occurrence of, given its first
    /// occurrence `first`.
    pub fn message_key(&self, first: usize) -> String {
        self.fingerprints
            .get(first)
            .map_or_else(String::new, |f| format!("{f:016x}"))
    }
}

impl Records {
    pub fn len(&self) -> usize {
        self.briefs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.briefs.is_empty()
    }

    /// The whole records at `indices`, in that order, with their grouping.
    pub fn get(&self, indices: &[usize]) -> Result<Vec<Record>, StoreError> {
        let places: Vec<_> = indices.iter().map(|&i| self.briefs[i].stored).collect();
        let mut records = self.store.get(&places)?;
        for (record, &i) in records.iter_mut().zip(indices) {
            record.group = self.briefs[i].grouping(i, &self.briefs);
            if let Some(case) = &self.case {
                let first = self.briefs[i].place.first as usize;
                record.group.production = case.production(i).to_string();
                record.group.first_seen = case.production(first).to_string();
                record.group.message_key = case.message_key(first);
            }
        }
        Ok(records)
    }

    /// The whole records in `range`.
    pub fn range(&self, range: Range<usize>) -> Result<Vec<Record>, StoreError> {
        let indices: Vec<usize> = range.collect();
        self.get(&indices)
    }

    /// Every record, `rows` at a time, in order.
    pub fn chunks(
        &self,
        rows: usize,
    ) -> impl Iterator<Item = Result<Vec<Record>, StoreError>> + '_ {
        let rows = rows.max(1);
        (0..self.len())
            .step_by(rows)
            .map(move |start| self.range(start..(start + rows).min(self.len())))
    }

    /// Records already grouped (their `group` filled in), kept in memory: for tests and
    /// callers that build records themselves.
    pub fn from_grouped(records: &[Record]) -> Result<Records, StoreError> {
        let store = RecordStore::in_memory();
        let (places, _) = store.put(records, &[])?;
        let keys: std::collections::HashMap<String, usize> = records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.message.key(), i))
            .collect();
        let briefs = records
            .iter()
            .zip(places)
            .enumerate()
            .map(|(i, (r, stored))| {
                let mut brief = Brief::of(r, stored, &r.message.source.as_str().into());
                let first = keys.get(&r.group.duplicate_of).copied().unwrap_or(i);
                let thread = r.group.thread_id.trim_start_matches('T').parse::<u32>();
                brief.place = crate::group::Place {
                    first: u32::try_from(first).unwrap_or(u32::MAX),
                    thread: thread.map_or(0, |t| t.saturating_sub(1)),
                    copies: r.group.copies,
                    inclusive: r.group.inclusive,
                };
                brief
            })
            .collect();
        Ok(Records {
            briefs,
            store: Arc::new(store),
            case: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Grouping, Message};

    fn record(ordinal: u32, thread: &str, duplicate_of: &str) -> Record {
        Record {
            message: Message {
                source: "a.txt".into(),
                ordinal,
                subject: format!("s{ordinal}"),
                ..Message::default()
            },
            findings: Default::default(),
            group: Grouping {
                thread_id: thread.into(),
                duplicate_of: duplicate_of.into(),
                copies: 1,
                inclusive: true,
                ..Grouping::default()
            },
        }
    }

    #[test]
    fn records_come_back_in_chunks_with_their_grouping() {
        let given = vec![
            record(1, "T00001", ""),
            record(2, "T00002", ""),
            record(3, "T00001", "a.txt#1"),
        ];
        let records = Records::from_grouped(&given).unwrap();
        let chunks: Vec<Vec<Record>> = records.chunks(2).collect::<Result<_, _>>().unwrap();
        assert_eq!(chunks.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);
        let back: Vec<&Record> = chunks.iter().flatten().collect();
        for (b, g) in back.iter().zip(&given) {
            assert_eq!(b.message.subject, g.message.subject);
            assert_eq!(b.group, g.group);
        }
        assert_eq!(records.get(&[2]).unwrap()[0].group.duplicate_of, "a.txt#1");
        assert!(records.briefs[2].place.first == 0);
    }
}
