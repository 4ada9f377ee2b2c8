//! Thread/dedupe stage: takes every record of a run (in their stable order) with the
//! [`Signature`] its text left when the pipeline let go of it, and gives each record its
//! [`Grouping`]: the first occurrence of the same message ([`dupes`]), its conversation
//! ([`threads`]), how many copies the production holds and whether a reader must read
//! it. It also gives one [`ThreadRow`] per conversation, and says which groups of copies
//! are redacted differently; [`diffs`] turns their texts, read back by the pipeline for
//! those files only, into [`crate::model::RedactionDiff`]s.

pub mod diffs;
pub mod dupes;
pub mod keys;
pub mod signature;
pub mod threads;
mod union_find;

pub use signature::Signature;

use crate::model::{Grouping, Origin, Record, ThreadRow};
use crate::rules::Rules;

/// What the stage gives besides the records' groupings.
pub struct Grouped {
    /// For each record, the index of its first occurrence (itself for the first).
    pub first: Vec<usize>,
    pub threads: Vec<ThreadRow>,
}

/// Groups the records into messages and conversations; fills in `record.group`.
pub fn group(records: &mut [Record], signatures: &[Signature], rules: &Rules) -> Grouped {
    let threading = &rules.file.threading;
    let first = dupes::first_copies(records, signatures, threading);
    let threads = threads::threads(records, &first, threading);
    let mut copies = vec![0u32; records.len()];
    let mut quoted = vec![false; records.len()];
    let mut attached_files = vec![false; records.len()];
    for (i, &f) in first.iter().enumerate() {
        copies[f] = copies[f].saturating_add(1);
        quoted[f] |= is_quoted_copy(&records[i]);
        attached_files[f] |= records[i].message.attachments.iter().any(|a| a.size > 0);
    }
    for (i, record) in records.iter_mut().enumerate() {
        let f = first[i];
        record.group = Grouping {
            thread_id: threads::thread_label(threads.of_record[i]),
            duplicate_of: String::new(),
            copies: copies[f],
            // A message some later message quotes is read there, unless it carries files
            // the quote does not.
            inclusive: !quoted[f] || attached_files[f],
        };
    }
    for i in 0..records.len() {
        let f = first[i];
        if f != i {
            records[i].group.duplicate_of = records[f].message.key();
        }
    }
    Grouped {
        first,
        threads: threads.rows,
    }
}

/// A record that stands inside a later message's text: a quoted message, or a printed
/// one below the top of its chain.
fn is_quoted_copy(record: &Record) -> bool {
    match record.message.origin {
        Some(Origin::Quoted) => true,
        Some(Origin::Printed) => record.message.depth >= 2,
        _ => false,
    }
}
