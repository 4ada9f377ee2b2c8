//! Copies: takes the records with their [`Signature`]s and gives, for each record, the
//! index of the first occurrence of the same message (itself when it is the first).
//!
//! Exact copies (same sender, minute and normalised body) join first. Near copies are
//! then looked for only among records that share a MinHash band or a minute, never
//! across all pairs: each band (two bins of the signature) and each minute is a bucket,
//! and a record is compared with its few nearest neighbours in each bucket. A pair joins
//! when its similarity reaches the rules' threshold and neither the pair nor the two
//! sets it would join disagree on sender or date, so a copy without a date cannot bridge
//! two dated messages that differ.

use rayon::prelude::*;

use super::diffs::edit_distance;
use super::keys::without_prefixes;
use super::keys::{date_relation, person_relation, person_tokens, Relation, When};
use super::signature::{folded, mix, Signature, BINS};
use super::union_find::UnionFind;
use super::Brief;
use crate::rules::Threading;

/// MinHash bins per LSH band: at similarity 0.5 a pair shares at least one of the 32
/// bands with probability above 0.9999; at 0.2, about 0.7 (then the check throws it out).
const ROWS_PER_BAND: usize = 2;
/// Neighbours each record is compared with inside one bucket.
const WINDOW: usize = 8;

/// What copy detection compares of one record besides its signature.
struct Profile {
    when: Option<When>,
    sender: Vec<String>,
    /// The subject's words without reply prefixes, folded like the text.
    subject: Vec<Vec<u8>>,
}

/// What a set of joined records has agreed to: the first date seen in it, and the
/// record whose sender it took (the first that names one).
#[derive(Clone, Copy)]
struct SetMeta {
    when: Option<When>,
    sender: usize,
}

/// For each record, the index of the first record that is the same message.
pub fn first_copies(records: &[Brief], signatures: &[Signature], rules: &Threading) -> Vec<usize> {
    let profiles: Vec<Profile> = records
        .par_iter()
        .map(|r| Profile {
            when: r.when,
            sender: person_tokens(r.from()),
            subject: without_prefixes(r.subject(), &rules.subject_prefixes)
                .split_whitespace()
                .map(folded)
                .filter(|w| !w.is_empty())
                .collect(),
        })
        .collect();
    let mut sets = Sets {
        uf: UnionFind::new(records.len()),
        meta: profiles
            .iter()
            .enumerate()
            .map(|(i, p)| SetMeta {
                when: p.when,
                sender: i,
            })
            .collect(),
        profiles: &profiles,
    };
    let later_exact = join_exact(signatures, &profiles, &mut sets);
    let sketches: Vec<Sketch> = signatures.par_iter().map(Sketch::of).collect();
    // Whether a pair reads as one message depends on the pair alone, so the pairs are
    // checked in parallel; they are joined in their fixed order, as set agreement
    // depends on what was joined before.
    let copies = candidate_pairs(signatures, &profiles, &later_exact, |a, b| {
        is_copy(a, b, signatures, &sketches, &profiles, rules)
    });
    for (a, b) in copies {
        sets.join_if_agreeing(a, b);
    }
    sets.uf.least_members()
}

struct Sets<'p> {
    uf: UnionFind,
    meta: Vec<SetMeta>,
    profiles: &'p [Profile],
}

impl Sets<'_> {
    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.uf.find(a), self.uf.find(b));
        let merged = self.merge_meta(self.meta[ra.min(rb)], self.meta[ra.max(rb)]);
        if let Some(root) = self.uf.union(a, b) {
            self.meta[root] = merged;
        }
    }

    /// Joins the two sets unless what either has agreed to conflicts with the other.
    fn join_if_agreeing(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.uf.find(a), self.uf.find(b));
        if ra == rb {
            return;
        }
        let (x, y) = (&self.meta[ra], &self.meta[rb]);
        let (sx, sy) = (
            &self.profiles[x.sender].sender,
            &self.profiles[y.sender].sender,
        );
        if date_relation(x.when.as_ref(), y.when.as_ref()) == Relation::Conflict
            || person_relation(sx, sy) == Relation::Conflict
        {
            return;
        }
        self.join(a, b);
    }

    fn merge_meta(&self, first: SetMeta, second: SetMeta) -> SetMeta {
        SetMeta {
            when: first.when.or(second.when),
            sender: if self.profiles[first.sender].sender.is_empty() {
                second.sender
            } else {
                first.sender
            },
        }
    }
}

/// Joins records with the same exact fingerprint (sender, minute, normalised body) and
/// a subject that agrees; gives which records were joined to an earlier one.
fn join_exact(signatures: &[Signature], profiles: &[Profile], sets: &mut Sets) -> Vec<bool> {
    let mut later = vec![false; signatures.len()];
    let mut seen: foldhash::HashMap<u64, usize> = Default::default();
    for (i, sig) in signatures.iter().enumerate() {
        if sig.exact == 0 {
            continue;
        }
        match seen.get(&sig.exact) {
            Some(&first) if subjects_agree(&profiles[first].subject, &profiles[i].subject) => {
                sets.join(first, i);
                later[i] = true;
            }
            Some(_) => {}
            None => {
                seen.insert(sig.exact, i);
            }
        }
    }
    later
}

/// The pairs that `keep` keeps (checked as they are found, so that the millions of
/// candidates of a large production are never held together) among the pairs worth
/// checking, in a fixed order: neighbours within each band bucket (for texts
/// long enough to shingle) and each minute bucket, that meet in at least two buckets
/// (a pair at the similarity threshold shares 8 of the 32 bands on average, and one
/// band or fewer with probability 0.001; boilerplate shares one). Records with no text
/// to shingle meet in their minute only. Only one record of each exact set takes part.
fn candidate_pairs(
    signatures: &[Signature],
    profiles: &[Profile],
    later_exact: &[bool],
    keep: impl Fn(usize, usize) -> bool + Sync,
) -> Vec<(usize, usize)> {
    let buckets = shared_buckets(signatures, profiles, later_exact);
    let spots = Spots::of(&buckets, signatures.len());
    // Each record counts its later neighbours over all its buckets by itself, so the
    // pairs of a large production never sit in memory before they are counted.
    (0..signatures.len())
        .into_par_iter()
        .flat_map_iter(|a| {
            let mut near: Vec<u32> = Vec::new();
            for &(lo, hi) in spots.of_record(a) {
                let window = &buckets.members[lo as usize..hi as usize];
                near.extend(window.iter().filter(|&&x| x as usize > a));
            }
            near.sort_unstable();
            let pairs: Vec<(usize, usize)> = near
                .chunk_by(|x, y| x == y)
                .filter(|meetings| {
                    let b = meetings[0] as usize;
                    meetings.len() >= 2
                        || signatures[a].shingles == 0
                        || signatures[b].shingles == 0
                })
                .map(|meetings| (a, meetings[0] as usize))
                .filter(|&(a, b)| keep(a, b))
                .collect();
            pairs
        })
        .collect()
}

/// The buckets that hold two records or more, one after another in one array (a
/// production has millions; a vector each would cost more than their members).
struct Buckets {
    /// Every bucket's members, bucket after bucket.
    members: Vec<u32>,
    /// Where each bucket starts in `members`, and where the last ends.
    starts: Vec<u32>,
}

/// The neighbours of each record in each of its buckets, record after record: where
/// they lie in [`Buckets::members`], so that a record's neighbours are found with one
/// read each, not three (these lie all over memory).
struct Spots {
    windows: Vec<(u32, u32)>,
    /// Where each record's windows start, and where the last ends.
    starts: Vec<u32>,
}

impl Spots {
    fn of(buckets: &Buckets, records: usize) -> Spots {
        let mut starts = vec![0u32; records + 1];
        for &r in &buckets.members {
            starts[r as usize + 1] += 1;
        }
        for i in 0..records {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut windows = vec![(0u32, 0u32); buckets.members.len()];
        for bounds in buckets.starts.windows(2) {
            let (start, end) = (bounds[0] as usize, bounds[1] as usize);
            for q in start..end {
                let at = &mut next[buckets.members[q] as usize];
                let window = (
                    q.saturating_sub(WINDOW).max(start),
                    (q + WINDOW + 1).min(end),
                );
                windows[*at as usize] = (window.0 as u32, window.1 as u32);
                *at += 1;
            }
        }
        Spots { windows, starts }
    }

    fn of_record(&self, a: usize) -> &[(u32, u32)] {
        &self.windows[self.starts[a] as usize..self.starts[a + 1] as usize]
    }
}

/// Every bucket that holds two records or more, in the order neighbours are taken:
/// large buckets (boilerplate, a busy minute) in date order, so that the neighbours
/// compared are the likeliest copies. Taken one band at a time, so that only one band's
/// (bucket, record) entries are ever held.
fn shared_buckets(signatures: &[Signature], profiles: &[Profile], later_exact: &[bool]) -> Buckets {
    let bands = signatures
        .first()
        .map_or(0, |s| s.minhash.len() / ROWS_PER_BAND);
    let mut members: Vec<u32> = Vec::new();
    let mut starts: Vec<u32> = vec![0];
    // The bands, then the minute.
    for band in 0..=bands {
        let is_minute = band == bands;
        let mut entries: Vec<(u64, u32)> = signatures
            .par_iter()
            .enumerate()
            .filter(|(i, _)| !later_exact[*i])
            .filter_map(|(i, sig)| {
                let key = match is_minute {
                    true => minute_key(profiles[i].when.as_ref()),
                    false => band_key(sig, band),
                };
                key.map(|k| (k, i as u32))
            })
            .collect();
        entries.par_sort_unstable();
        let runs: Vec<Vec<u32>> = entries
            .par_chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() >= 2)
            .map(|run| {
                let mut members: Vec<u32> = run.iter().map(|&(_, i)| i).collect();
                if members.len() > WINDOW + 1 {
                    members.sort_by_key(|&i| (profiles[i as usize].when.map(|w| w.wall), i));
                }
                members
            })
            .collect();
        for run in runs {
            members.extend(run);
            starts.push(u32::try_from(members.len()).unwrap_or(u32::MAX));
        }
    }
    Buckets { members, starts }
}

/// The bucket of a MinHash band (texts long enough to shingle).
fn band_key(sig: &Signature, band: usize) -> Option<u64> {
    if sig.shingles == 0 {
        return None;
    }
    let rows = sig.minhash.chunks(ROWS_PER_BAND).nth(band)?;
    let mut h = mix(band as u64);
    for &v in rows {
        h = mix(h ^ u64::from(v));
    }
    Some(h & !(1 << 63))
}

/// The bucket of a minute (keyed apart from bands by its top bit).
fn minute_key(when: Option<&When>) -> Option<u64> {
    when.map(|w| mix(w.wall as u64) | 1 << 63)
}

/// Two bits of each MinHash bin, and the shingle count: an eighth of a signature, read
/// first when a pair is checked. Bins that agree agree in their bits, so a pair whose
/// bits agree in fewer bins than the threshold needs cannot reach it: most candidates
/// are thrown out without reading their signatures, which lie all over memory.
#[derive(Clone, Copy)]
struct Sketch {
    bits: u128,
    shingles: u32,
}

impl Sketch {
    fn of(signature: &Signature) -> Sketch {
        let bits = (signature.minhash.iter().enumerate())
            .fold(0u128, |bits, (i, &v)| bits | u128::from(v & 3) << (2 * i));
        Sketch {
            bits,
            shingles: signature.shingles,
        }
    }

    /// Bins whose two bits agree: at least the bins whose values agree.
    fn bins_agreeing(&self, other: &Sketch) -> u32 {
        const LOW_BITS: u128 = u128::MAX / 3;
        let same = !(self.bits ^ other.bits);
        (same & (same >> 1) & LOW_BITS).count_ones()
    }
}

/// Whether two records read as one message.
fn is_copy(
    a: usize,
    b: usize,
    signatures: &[Signature],
    sketches: &[Sketch],
    profiles: &[Profile],
    rules: &Threading,
) -> bool {
    let near = &rules.near_duplicate;
    let (sa, sb) = (&sketches[a], &sketches[b]);
    let shingled = sa.shingles >= near.min_shingles && sb.shingles >= near.min_shingles;
    // The cheapest tests first: most candidates share boilerplate, not text, and fall
    // below the lowest threshold whatever their senders and dates.
    let lowest = near.similarity + near.unknown_penalty.min(0.0) * 2.0;
    if shingled && f64::from(sa.bins_agreeing(sb)) / (BINS as f64) < lowest {
        return false;
    }
    let (x, y) = (&signatures[a], &signatures[b]);
    if shingled && x.similarity(y) < lowest {
        return false;
    }
    let date = date_relation(profiles[a].when.as_ref(), profiles[b].when.as_ref());
    let sender = person_relation(&profiles[a].sender, &profiles[b].sender);
    if date == Relation::Conflict || sender == Relation::Conflict {
        return false;
    }
    let alike = if !shingled {
        // A line or two ("Thanks", "See attached") says nothing by itself.
        x.body == y.body && date == Relation::Same
    } else {
        let unknowns = [date, sender]
            .iter()
            .filter(|r| **r == Relation::Unknown)
            .count();
        x.similarity(y) >= near.similarity + near.unknown_penalty * unknowns as f64
    };
    // Checked last, as it costs most and few pairs get this far.
    alike && subjects_agree(&profiles[a].subject, &profiles[b].subject)
}

/// Copies of one message show one subject: the same once folded, one cut short of the
/// other (or carrying a classification marking after it), or an OCR misreading apart (a
/// quarter of the longer). A missing subject (a quote's attribution line) agrees with any.
fn subjects_agree(a: &[Vec<u8>], b: &[Vec<u8>]) -> bool {
    if a.is_empty() || b.is_empty() || a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.starts_with(short) {
        return true;
    }
    let (x, y) = (a.concat(), b.concat());
    edit_distance(&x, &y) * 4 <= x.len().max(y.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::brief::briefs_of;
    use crate::group::signature::tests::message;
    use crate::model::{Findings, Grouping, Record};
    use crate::rules::Rules;

    const TEXT: &str = "Could you run plate 7ABC123 through your ALPR system for the last \
        30 days? Our LEARN access is down and I need the hits for a case that is moving fast.";

    fn record(from: &str, local: &str, body: &str) -> Record {
        Record {
            message: message(from, local, body),
            findings: Findings::default(),
            group: Grouping::default(),
        }
    }

    fn firsts(records: &[Record]) -> Vec<usize> {
        let rules = Rules::default_rules().unwrap();
        let sigs: Vec<Signature> = records.iter().map(|r| Signature::of(&r.message)).collect();
        first_copies(&briefs_of(records), &sigs, &rules.file.threading)
    }

    #[test]
    fn copies_meet_across_forms_and_differ_by_sender_or_minute() {
        let records = vec![
            record("Mark Jensen <mj@ice.dhs.gov>", "2020-03-03T10:00:31", TEXT),
            record(
                "Jensen, Mark",
                "2020-03-03T13:00:00",
                &TEXT.replace("moving", "rnoving"),
            ),
            record("Ana Ruiz <ar@riverside.gov>", "2020-03-03T10:00:00", TEXT),
            record("Mark Jensen <mj@ice.dhs.gov>", "2020-03-03T10:07:00", TEXT),
            record(
                "(b)(6)",
                "2020-03-03T10:00:00",
                &TEXT.replace("7ABC123", "(b)(7)(C)"),
            ),
        ];
        assert_eq!(firsts(&records), vec![0, 0, 2, 3, 0]);
    }

    #[test]
    fn an_undated_copy_does_not_bridge_two_dated_messages() {
        let records = vec![
            record("Mark Jensen", "2020-03-03T10:00:00", TEXT),
            record("Mark Jensen", "", TEXT),
            record("Mark Jensen", "2020-03-04T16:02:00", TEXT),
        ];
        let f = firsts(&records);
        assert_eq!(f[0], 0);
        assert_eq!(f[2], 2, "{f:?}");
    }

    #[test]
    fn short_texts_need_the_same_minute() {
        let records = vec![
            record("Mark Jensen", "2020-03-03T10:00:00", "Thanks!"),
            record("Mark Jensen", "2020-03-03T11:07:00", "Thanks!"),
            record("Mark Jensen", "", "Thanks!"),
            record("Jensen, Mark", "2020-03-03T10:00:00", "thanks"),
        ];
        assert_eq!(firsts(&records), vec![0, 1, 2, 0]);
    }

    #[test]
    fn copies_share_their_subject() {
        let subject = |r: &mut Record, s: &str| r.message.subject = s.to_string();
        let mut records = vec![
            record("Mark Jensen", "2020-03-03T10:00:00", TEXT),
            record("Mark Jensen", "2020-03-03T10:00:00", TEXT),
            record("Mark Jensen", "2020-03-03T10:00:00", TEXT),
            record("Mark Jensen", "2020-03-03T10:00:00", TEXT),
            record("Mark Jensen", "2020-03-03T10:00:00", TEXT),
        ];
        subject(&mut records[0], "Plate lookup for the Altima case");
        subject(&mut records[1], "RN: Plate lookup for the Altirna case");
        subject(&mut records[2], "Plate lookup for the");
        subject(&mut records[3], "");
        subject(&mut records[4], "Training roster for Friday");
        assert_eq!(firsts(&records), vec![0, 0, 0, 0, 4]);
    }
}
