//! Thread/dedupe stage: takes every record's [`Brief`] (in their stable order) with the
//! [`Signature`] its text left when the pipeline let go of it, and gives each its
//! [`Place`]: the first occurrence of the same message ([`dupes`]), its conversation
//! ([`threads`]), how many copies the production holds and whether a reader must read
//! it. It also gives one [`ThreadRow`] per conversation, and says which groups of copies
//! are redacted differently; [`diffs`] turns their texts, read back from the record
//! store, into [`crate::model::RedactionDiff`]s.

pub mod brief;
pub mod diffs;
pub mod dupes;
pub mod keys;
pub mod signature;
pub mod threads;
mod union_find;

pub use brief::{Brief, Place};
pub use signature::Signature;

use crate::model::{Origin, ThreadRow};
use crate::rules::Rules;

/// Groups the records into messages and conversations: fills in each brief's place and
/// gives one row per conversation.
pub fn group(briefs: &mut [Brief], signatures: &[Signature], rules: &Rules) -> Vec<ThreadRow> {
    let threading = &rules.file.threading;
    let first = dupes::first_copies(briefs, signatures, threading);
    let threads = threads::threads(briefs, &first, threading);
    let mut copies = vec![0u32; briefs.len()];
    let mut quoted = vec![false; briefs.len()];
    let mut attached_files = vec![false; briefs.len()];
    for (i, &f) in first.iter().enumerate() {
        copies[f] = copies[f].saturating_add(1);
        quoted[f] |= is_quoted_copy(&briefs[i]);
        attached_files[f] |= briefs[i].carries_files;
    }
    for (i, brief) in briefs.iter_mut().enumerate() {
        let f = first[i];
        brief.place = Place {
            first: index_u32(f),
            thread: index_u32(threads.of_record[i]),
            copies: copies[f],
            // A message some later message quotes is read there, unless it carries files
            // the quote does not.
            inclusive: !quoted[f] || attached_files[f],
        };
    }
    threads.rows
}

/// A record index as stored in a [`Place`]; a run holds fewer than 2^32 records.
fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// A record that stands inside a later message's text: a quoted message, or a printed
/// one below the top of its chain.
fn is_quoted_copy(brief: &Brief) -> bool {
    match brief.origin {
        Some(Origin::Quoted) => true,
        Some(Origin::Printed) => brief.depth >= 2,
        _ => false,
    }
}
