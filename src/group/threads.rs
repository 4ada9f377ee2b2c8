//! Conversations: takes the records and their first copies and gives each record a
//! thread, plus one [`ThreadRow`] per thread.
//!
//! Records join a thread, in this order of evidence: copies of one message; the chain a
//! quoted or printed message sits in (and a forwarded attachment with the message that
//! carries it); `Message-ID`, `In-Reply-To` and `References` (JWZ's rules: a missing
//! parent still links the replies that name it, a second message claiming a taken ID
//! does not join through it, and loops cannot form in disjoint sets); and last, a
//! subject shared after reply prefixes are taken off, when the two conversations have a
//! participant in common and together span no more than the rules' gap in days. Generic subjects ("(no
//! subject)", "Question") never join conversations.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::keys::{base_subject, participant_keys, without_prefixes};
use super::union_find::UnionFind;
use super::Brief;
use crate::model::{Origin, ThreadRow};
use crate::rules::Threading;

/// Conversations already joined on one subject that a new one is compared with.
const SUBJECT_WINDOW: usize = 64;
/// Entries kept in a thread row's participant and source lists.
const LIST_CAP: usize = 50;

/// Each record's thread (numbered from 0 in order of first appearance), and the rows.
pub struct Threads {
    pub of_record: Vec<usize>,
    pub rows: Vec<ThreadRow>,
}

pub fn threads(records: &[Brief], first: &[usize], rules: &Threading) -> Threads {
    let ids = IdNodes::new(records, first);
    let mut uf = UnionFind::new(records.len() + ids.phantoms);
    for (i, &f) in first.iter().enumerate() {
        uf.union(i, f);
    }
    join_chains(records, &mut uf);
    for (i, node) in ids.links {
        uf.union(i, node);
    }
    join_by_subject(records, rules, &mut uf);
    let least = uf.least_members();
    let mut number: foldhash::HashMap<usize, usize> = Default::default();
    let of_record: Vec<usize> = least[..records.len()]
        .iter()
        .map(|&l| {
            let next = number.len();
            *number.entry(l).or_insert(next)
        })
        .collect();
    let rows = rows(records, first, &of_record, number.len(), rules);
    Threads { of_record, rows }
}

/// Message-ID links: each record's own ID and the IDs it replies to, as nodes of the
/// union-find (records own the IDs they carry first; IDs no record carries are phantom
/// nodes after the records).
struct IdNodes {
    links: Vec<(usize, usize)>,
    phantoms: usize,
}

impl IdNodes {
    fn new(records: &[Brief], first: &[usize]) -> IdNodes {
        let n = records.len();
        let mut owner: foldhash::HashMap<String, usize> = Default::default();
        for (i, r) in records.iter().enumerate() {
            let id = normal_id(r.message_id());
            if id.is_empty() {
                continue;
            }
            // A second, different message with a taken ID joins nothing through it.
            owner.entry(id).or_insert(i);
        }
        let mut phantom: foldhash::HashMap<String, usize> = Default::default();
        let mut links = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let mut refs: Vec<String> = r.references().map(normal_id).collect();
            refs.push(normal_id(r.in_reply_to()));
            let own = normal_id(r.message_id());
            for id in refs.into_iter().filter(|id| !id.is_empty() && *id != own) {
                let node = match owner.get(&id) {
                    Some(&o) => o,
                    None => {
                        let next = n + phantom.len();
                        *phantom.entry(id).or_insert(next)
                    }
                };
                links.push((i, node));
            }
            if let Some(&o) = owner.get(&own) {
                if o != i && first[o] == first[i] {
                    links.push((i, o));
                }
            }
        }
        IdNodes {
            links,
            phantoms: phantom.len(),
        }
    }
}

/// `<id@host>`, whatever brackets and spacing the header had.
fn normal_id(id: &str) -> String {
    let inner = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    if inner.is_empty() {
        String::new()
    } else {
        format!("<{inner}>")
    }
}

/// Records of one chain in one file are one conversation; an attached message joins the
/// message that forwards it.
fn join_chains(records: &[Brief], uf: &mut UnionFind) {
    for i in 1..records.len() {
        let (prev, this) = (&records[i - 1], &records[i]);
        if prev.source != this.source {
            continue;
        }
        let same_chain = prev.chain == this.chain;
        let forwarded = this.origin == Some(Origin::Attached) && this.chain == prev.chain + 1;
        if same_chain || forwarded {
            uf.union(i - 1, i);
        }
    }
}

/// What one conversation (so far) shows for joining by subject.
struct Conversation {
    root: usize,
    participants: BTreeSet<String>,
    first: Option<i64>,
    last: Option<i64>,
}

fn join_by_subject(records: &[Brief], rules: &Threading, uf: &mut UnionFind) {
    let generic: BTreeSet<String> = rules
        .generic_subjects
        .iter()
        .map(|s| base_subject(s, &rules.subject_prefixes))
        .collect();
    // What each record brings, read in parallel: its participants' keys, its time and
    // its subject if specific.
    let brought: Vec<(Vec<String>, Option<i64>, Option<String>)> = records
        .par_iter()
        .map(|r| {
            let mut keys = Vec::new();
            for person in r.people() {
                participant_keys(person, &mut keys);
            }
            let subject = base_subject(r.subject(), &rules.subject_prefixes);
            let wall = r.when.map(|w| w.wall);
            (
                keys,
                wall,
                is_specific(&subject, &generic).then_some(subject),
            )
        })
        .collect();
    let mut by_root: BTreeMap<usize, Conversation> = BTreeMap::new();
    let mut subjects: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, (keys, wall, subject)) in brought.into_iter().enumerate() {
        let root = uf.find(i);
        let c = by_root.entry(root).or_insert_with(|| Conversation {
            root,
            participants: BTreeSet::new(),
            first: None,
            last: None,
        });
        c.participants.extend(keys);
        if let Some(w) = wall {
            c.first = Some(c.first.map_or(w, |f| f.min(w)));
            c.last = Some(c.last.map_or(w, |l| l.max(w)));
        }
        if let Some(subject) = subject {
            subjects.entry(subject).or_default().insert(root);
        }
    }
    let gap = rules.subject_gap_days.saturating_mul(24 * 60);
    // The time each conversation joined so far spans: a joined conversation must fit in
    // the gap as a whole, so a subject sent every day ("Schedule") does not chain a
    // year of mail into one thread.
    let mut spans: foldhash::HashMap<usize, (Option<i64>, Option<i64>)> = Default::default();
    for roots in subjects.values() {
        let mut convs: Vec<&Conversation> = roots.iter().filter_map(|r| by_root.get(r)).collect();
        convs.sort_by_key(|c| (c.first.is_none(), c.first, c.root));
        for (n, c) in convs.iter().enumerate() {
            for earlier in convs[n.saturating_sub(SUBJECT_WINDOW)..n].iter().rev() {
                if earlier.participants.is_disjoint(&c.participants) {
                    continue;
                }
                let (a, b) = (uf.find(earlier.root), uf.find(c.root));
                let span_a = spans
                    .get(&a)
                    .copied()
                    .unwrap_or((earlier.first, earlier.last));
                let span_b = spans.get(&b).copied().unwrap_or((c.first, c.last));
                let joined = (min_of(span_a.0, span_b.0), max_of(span_a.1, span_b.1));
                if a != b && fits(joined, gap) {
                    if let Some(root) = uf.union(a, b) {
                        spans.insert(root, joined);
                    }
                }
            }
        }
    }
}

fn min_of(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_of(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// A span no longer than the gap (undated conversations fit anywhere).
fn fits(span: (Option<i64>, Option<i64>), gap: i64) -> bool {
    match span {
        (Some(first), Some(last)) => last - first <= gap,
        _ => true,
    }
}

/// A subject that says what the conversation is about.
fn is_specific(subject: &str, generic: &BTreeSet<String>) -> bool {
    subject.chars().filter(|c| c.is_alphanumeric()).count() >= 3 && !generic.contains(subject)
}

fn rows(
    records: &[Brief],
    first: &[usize],
    of_record: &[usize],
    count: usize,
    rules: &Threading,
) -> Vec<ThreadRow> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, &t) in of_record.iter().enumerate() {
        members[t].push(i);
    }
    members
        .par_iter()
        .enumerate()
        .map(|(t, m)| row(t, m, records, first, rules))
        .collect()
}

fn row(
    t: usize,
    members: &[usize],
    records: &[Brief],
    first: &[usize],
    rules: &Threading,
) -> ThreadRow {
    let dated: Vec<(i64, usize)> = members
        .iter()
        .filter_map(|&i| records[i].when.map(|w| (w.wall, i)))
        .collect();
    let earliest = dated.iter().min().map(|&(_, i)| i);
    let latest = dated.iter().max().map(|&(_, i)| i);
    let subject = earliest
        .into_iter()
        .chain(members.iter().copied())
        .map(|i| without_prefixes(records[i].subject(), &rules.subject_prefixes))
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let date_of = |i: Option<usize>| {
        i.map(|i| records[i].local_date().to_string())
            .unwrap_or_default()
    };
    let mut participants: Vec<String> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for &i in members {
        for person in records[i].people() {
            let person = person.trim();
            if !person.is_empty() && seen.insert(person.to_lowercase()) {
                participants.push(person.to_string());
            }
        }
    }
    let agencies: BTreeSet<&str> = members
        .iter()
        .flat_map(|&i| records[i].agencies().iter().map(|a| a.name.as_str()))
        .collect();
    let flagged: BTreeSet<usize> = members
        .iter()
        .filter(|&&i| records[i].flagged)
        .map(|&i| first[i])
        .collect();
    let sources: BTreeSet<&str> = members
        .iter()
        .map(|&i| records[i].source.as_str())
        .collect();
    ThreadRow {
        thread_id: thread_label(t),
        subject: subject.to_string(),
        first_date: date_of(earliest),
        last_date: date_of(latest),
        messages: count(members.iter().filter(|&&i| first[i] == i).count()),
        occurrences: count(members.len()),
        participants: capped(participants),
        agencies: agencies.into_iter().map(str::to_string).collect(),
        flagged: count(flagged.len()),
        sources: capped(sources.into_iter().map(str::to_string).collect()),
    }
}

/// `T00001` for the first thread.
pub fn thread_label(t: usize) -> String {
    format!("T{:05}", t + 1)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn capped(mut list: Vec<String>) -> Vec<String> {
    if list.len() > LIST_CAP {
        let more = list.len() - LIST_CAP;
        list.truncate(LIST_CAP);
        list.push(format!("(and {more} more)"));
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::brief::briefs_of;
    use crate::model::{Findings, Grouping, Message, MessageDate, Record};
    use crate::rules::Rules;

    fn record(
        source: &str,
        id: &str,
        refs: &[&str],
        subject: &str,
        from: &str,
        local: &str,
    ) -> Record {
        Record {
            message: Message {
                source: source.to_string(),
                ordinal: 1,
                origin: Some(Origin::Header),
                message_id: id.to_string(),
                references: refs.iter().map(|r| r.to_string()).collect(),
                subject: subject.to_string(),
                from: from.to_string(),
                to: vec!["Ana Ruiz <aruiz@riversideca.gov>".to_string()],
                date: MessageDate {
                    local: local.to_string(),
                    ..MessageDate::default()
                },
                ..Message::default()
            },
            findings: Findings::default(),
            group: Grouping::default(),
        }
    }

    fn thread_of(records: &[Record]) -> Vec<usize> {
        let rules = Rules::default_rules().unwrap();
        let first: Vec<usize> = (0..records.len()).collect();
        threads(&briefs_of(records), &first, &rules.file.threading).of_record
    }

    const AGENT: &str = "Mark Jensen <mark.jensen@ice.dhs.gov>";

    #[test]
    fn missing_parents_loops_and_taken_ids() {
        let records = vec![
            record("a", "<1@x>", &[], "one", AGENT, "2020-03-03T10:00:00"),
            // Replies to <2@x>, which no file holds, and through it to <1@x>.
            record(
                "b",
                "<3@x>",
                &["<1@x>", "<2@x>"],
                "two",
                AGENT,
                "2020-03-04T10:00:00",
            ),
            // Only names the missing <2@x>: still the same conversation.
            record(
                "c",
                "<4@x>",
                &["<2@x>"],
                "three",
                AGENT,
                "2020-03-05T10:00:00",
            ),
            // A loop: <5@x> and <6@x> name each other.
            record(
                "d",
                "<5@x>",
                &["<6@x>"],
                "four",
                AGENT,
                "2020-05-01T10:00:00",
            ),
            record(
                "e",
                "<6@x>",
                &["<5@x>"],
                "five",
                AGENT,
                "2020-05-02T10:00:00",
            ),
            // A different message reusing <1@x> joins nothing through it.
            record("f", "<1@x>", &[], "six", AGENT, "2020-07-01T10:00:00"),
        ];
        assert_eq!(thread_of(&records), vec![0, 0, 0, 1, 1, 2]);
    }

    #[test]
    fn subjects_join_only_when_specific_shared_and_close() {
        let lee = "Lee Park <lpark@fbi.gov>";
        let records = vec![
            record("a", "", &[], "Plate 7ABC123", AGENT, "2020-03-03T10:00:00"),
            record(
                "b",
                "",
                &[],
                "RE: plate 7abc123",
                AGENT,
                "2020-03-10T10:00:00",
            ),
            // Same subject, months later.
            record("c", "", &[], "Plate 7ABC123", AGENT, "2020-09-10T10:00:00"),
            // Generic subjects never join.
            record("d", "", &[], "Question", AGENT, "2020-03-03T11:00:00"),
            record("e", "", &[], "RE: Question", AGENT, "2020-03-03T12:00:00"),
            record("f", "", &[], "", AGENT, "2020-03-03T13:00:00"),
            record("g", "", &[], "(no subject)", AGENT, "2020-03-03T14:00:00"),
        ];
        let mut no_common = record("h", "", &[], "Plate 7ABC123", lee, "2020-03-04T10:00:00");
        no_common.message.to = vec!["Sam Cole <scole@lapd.org>".to_string()];
        let mut all = records;
        all.push(no_common);
        assert_eq!(thread_of(&all), vec![0, 0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_daily_subject_does_not_chain_a_year_into_one_thread() {
        let records: Vec<Record> = (0..90)
            .map(|day| {
                let date = chrono::NaiveDate::from_ymd_opt(2011, 1, 1).unwrap()
                    + chrono::Duration::days(day);
                let local = format!("{}T08:00:00", date.format("%Y-%m-%d"));
                record(
                    &format!("day{day}"),
                    "",
                    &[],
                    "Schedule for tomorrow",
                    AGENT,
                    &local,
                )
            })
            .collect();
        let threads = thread_of(&records);
        let count = threads.iter().collect::<BTreeSet<_>>().len();
        assert!(count >= 3, "{count} threads");
        // Each thread spans at most the 30 days of the rules.
        for t in 0..count {
            let days: Vec<usize> = (0..90).filter(|&d| threads[d] == t).collect();
            assert!(
                days.last().unwrap() - days.first().unwrap() <= 30,
                "{days:?}"
            );
        }
    }
}
