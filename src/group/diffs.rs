//! Redaction differences: takes the groups of copies whose redactions differ, with their
//! texts read back, and gives one [`RedactionDiff`] for each redacted span that another
//! copy shows in clear.
//!
//! Two copies are aligned word by word (longest common subsequence over OCR-folded words,
//! after their common beginning and end are set aside); a redaction mark in one copy that
//! sits in a gap facing words, not marks, in the other has its text there. Gaps that are
//! mostly unmatched words on the redacted side are misalignment, not redaction, and are
//! left out, as are long gaps at either end of a text (a disclaimer one copy lacks).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::signature::{fnv1a, folded, FNV_OFFSET};
use super::threads::thread_label;
use super::Brief;
use crate::extract::redactions::located_redactions;
use crate::model::{RedactionDiff, ThreadRow};

/// Distinct texts of one field a redacted text is compared with.
const MAX_COMPARED: usize = 32;
/// Words (after the common ends) beyond which two texts are not aligned: the table
/// would pass 16 M cells.
const MAX_ALIGNED_WORDS: usize = 4000;
/// Unmatched words on the redacted side of a gap, besides its marks, still read as OCR
/// noise around a redaction.
const MAX_NOISE_WORDS: usize = 4;
/// Longest withheld text reported, in words.
const MAX_WITHHELD_WORDS: usize = 80;
/// Longest gap at either end of a text that is read as a redaction.
const MAX_EDGE_WORDS: usize = 6;
/// Words of context on each side.
const CONTEXT_WORDS: usize = 6;

/// Groups of copies (record indices, first occurrence first) whose redactions differ.
pub fn differing_groups(records: &[Brief]) -> Vec<Vec<usize>> {
    let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, r) in records.iter().enumerate() {
        groups.entry(r.place.first).or_default().push(i);
    }
    groups
        .into_values()
        .filter(|g| g.len() > 1)
        .filter(|g| {
            let base = &records[g[0]];
            g.iter().any(|&i| !records[i].same_redaction_codes(base))
        })
        .collect()
}

/// The differences in each group; `bodies` holds the texts of the groups' records.
pub fn redaction_diffs(
    records: &[Brief],
    groups: &[Vec<usize>],
    bodies: &HashMap<usize, String>,
    threads: &[ThreadRow],
) -> Vec<RedactionDiff> {
    let mut out: Vec<RedactionDiff> = groups
        .par_iter()
        .flat_map_iter(|group| group_diffs(records, group, bodies))
        .collect();
    // A quote's attribution line has no subject; its conversation's subject stands in.
    let subjects: HashMap<&str, &str> = threads
        .iter()
        .map(|t| (t.thread_id.as_str(), t.subject.as_str()))
        .collect();
    for d in out.iter_mut() {
        if d.subject.is_empty() {
            if let Some(s) = subjects.get(d.thread_id.as_str()) {
                d.subject = s.to_string();
            }
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|d| {
        seen.insert((
            d.message.clone(),
            d.field.clone(),
            d.redacted_in.clone(),
            d.withheld.clone(),
        ))
    });
    out
}

/// The differences among one group's copies.
fn group_diffs(
    records: &[Brief],
    group: &[usize],
    bodies: &HashMap<usize, String>,
) -> Vec<RedactionDiff> {
    let mut out = Vec::new();
    let texts: Vec<Fields> = group
        .iter()
        .map(|&i| Fields::of(&records[i], bodies.get(&i).map(String::as_str)))
        .collect();
    // Copies often share a text word for word: each distinct text is aligned once,
    // with each distinct other text once.
    let mut found: HashMap<(&str, &str), Vec<FieldDiff>> = HashMap::new();
    for (a, redacted) in texts.iter().enumerate() {
        for (field, text) in redacted.0.iter() {
            let key = (*field, text.as_ref());
            let diffs = found.entry(key).or_insert_with(|| {
                let mut tried: BTreeSet<&str> = BTreeSet::from([text.as_ref()]);
                let shown: Vec<(usize, &str)> = texts
                    .iter()
                    .enumerate()
                    .filter_map(|(b, f)| f.get(field).map(|t| (group[b], t)))
                    .filter(|(_, t)| tried.insert(t))
                    .take(MAX_COMPARED)
                    .collect();
                field_diffs(text, &shown)
            });
            for diff in diffs.iter() {
                out.push(row(records, group, group[a], field, diff.clone()));
            }
        }
    }
    out
}

/// A record's texts by field, in a fixed order.
struct Fields<'a>(Vec<(&'static str, std::borrow::Cow<'a, str>)>);

impl<'a> Fields<'a> {
    fn of(record: &'a Brief, body: Option<&'a str>) -> Fields<'a> {
        let m = record;
        let mut f: Vec<(&'static str, std::borrow::Cow<'a, str>)> = vec![
            ("from", m.from().into()),
            ("to", m.to().collect::<Vec<_>>().join("; ").into()),
            ("cc", m.cc().collect::<Vec<_>>().join("; ").into()),
            ("subject", m.subject().into()),
        ];
        if let Some(body) = body {
            f.push(("body", body.into()));
        }
        f.retain(|(_, t)| !t.trim().is_empty());
        Fields(f)
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, t)| t.as_ref())
    }
}

/// Text withheld in a field of one copy and shown in another.
#[derive(Clone)]
struct FieldDiff {
    visible: usize,
    codes: Vec<String>,
    withheld: String,
    context: String,
}

/// The spans of `text` that one of the `shown` texts (record index, text) shows, each
/// from the first text that does.
fn field_diffs(text: &str, shown: &[(usize, &str)]) -> Vec<FieldDiff> {
    let ours = words(text);
    let marks: Vec<usize> = (0..ours.len())
        .filter(|&w| ours[w].codes.is_some())
        .collect();
    if marks.is_empty() {
        return Vec::new();
    }
    let mut resolved: BTreeSet<usize> = BTreeSet::new();
    let mut out = Vec::new();
    for &(record, other) in shown {
        if resolved.len() == marks.len() {
            break;
        }
        let theirs = words(other);
        let Some(gaps) = gaps(&ours, &theirs) else {
            continue;
        };
        for gap in gaps {
            let gap_marks: Vec<usize> = (gap.ours.0..gap.ours.1)
                .filter(|w| ours[*w].codes.is_some())
                .collect();
            if gap_marks.is_empty() || gap_marks.iter().all(|m| resolved.contains(m)) {
                continue;
            }
            let gap = trim_misread_ends(gap, &gap_marks, &ours, &theirs, text, other);
            if !reads_as_redaction(&gap, &gap_marks, other, &theirs) {
                continue;
            }
            resolved.extend(gap_marks.iter().copied());
            let codes: BTreeSet<String> = gap_marks
                .iter()
                .flat_map(|&m| ours[m].codes.iter().flatten().cloned())
                .collect();
            out.push(FieldDiff {
                visible: record,
                codes: codes.into_iter().collect(),
                withheld: squash(&other[theirs[gap.theirs.0].start..theirs[gap.theirs.1 - 1].end]),
                context: context(other, &theirs, gap.theirs),
            });
        }
    }
    out
}

fn reads_as_redaction(gap: &Gap, marks: &[usize], text: &str, theirs: &[Word]) -> bool {
    let shown = gap.theirs.1 - gap.theirs.0;
    let noise = gap.ours.1 - gap.ours.0 - marks.len();
    if shown == 0 || noise > MAX_NOISE_WORDS || shown > MAX_WITHHELD_WORDS {
        return false;
    }
    if gap.at_edge && shown > MAX_EDGE_WORDS {
        return false;
    }
    let clear = (gap.theirs.0..gap.theirs.1).all(|w| theirs[w].codes.is_none());
    let shown_text = &text[theirs[gap.theirs.0].start..theirs[gap.theirs.1 - 1].end];
    clear && says_something(shown_text, gap.at_edge)
}

/// Narrows a gap to what faces the marks: words the redacted copy misread on either side
/// of its marks (`tbrough` for `through`) are matched, one for one, with the visible
/// copy's words at the same end when they are alike.
fn trim_misread_ends(
    mut gap: Gap,
    marks: &[usize],
    ours: &[Word],
    theirs: &[Word],
    our_text: &str,
    their_text: &str,
) -> Gap {
    let (Some(&first_mark), Some(&last_mark)) = (marks.first(), marks.last()) else {
        return gap;
    };
    let word = |text: &str, w: &Word| folded(&text[w.start..w.end]);
    let mut lead = gap.ours.0;
    while lead < first_mark && gap.theirs.0 < gap.theirs.1 {
        if !alike(
            &word(our_text, &ours[lead]),
            &word(their_text, &theirs[gap.theirs.0]),
        ) {
            break;
        }
        lead += 1;
        gap.theirs.0 += 1;
    }
    let mut tail = gap.ours.1;
    while tail > last_mark + 1 && gap.theirs.1 > gap.theirs.0 {
        if !alike(
            &word(our_text, &ours[tail - 1]),
            &word(their_text, &theirs[gap.theirs.1 - 1]),
        ) {
            break;
        }
        tail -= 1;
        gap.theirs.1 -= 1;
    }
    gap.ours = (lead, tail);
    gap
}

/// Two folded words an OCR misreading apart: edit distance within a third of the
/// longer (at least one).
fn alike(a: &[u8], b: &[u8]) -> bool {
    let longest = a.len().max(b.len());
    longest > 0 && edit_distance(a, b) <= (longest / 3).max(1)
}

/// Levenshtein distance between two byte strings.
pub fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &y) in b.iter().enumerate() {
            let next = (diagonal + usize::from(x != y))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Text that could have been withheld: a word of three letters or more, or a number of
/// three digits or more (at either end of a text, seven digits and no `/`: a phone
/// number, not a stray date of page furniture). OCR debris beside a mark (`Pi`, `1)`)
/// is not.
fn says_something(text: &str, at_edge: bool) -> bool {
    let longest = |pred: fn(char) -> bool| {
        text.split(|c: char| !pred(c))
            .map(|run| run.chars().count())
            .max()
            .unwrap_or(0)
    };
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let number = if at_edge {
        // A phone number in a signature, not a printed date.
        digits >= 7 && !text.contains('/')
    } else {
        longest(|c| c.is_ascii_digit()) >= 3
    };
    longest(char::is_alphabetic) >= 3 || number
}

/// `1.4(D)`: a classification reason printed beside a `B1` code, which stands where
/// text was withheld like the code does.
fn is_classification_reason(word: &str) -> bool {
    let w = word.trim_matches(|c: char| matches!(c, ',' | ';' | '.' | ':'));
    w.len() == 6
        && w.starts_with("1.4(")
        && w.ends_with(')')
        && w.as_bytes()[4].is_ascii_alphabetic()
}

/// A word, or a redaction mark standing as one word.
struct Word {
    start: usize,
    end: usize,
    key: u64,
    codes: Option<Vec<String>>,
}

/// Every redaction mark compares equal to every other: two copies redacted alike align.
const MARK_KEY: u64 = 0x5245_4441_4354_4544;

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut at = 0;
    for span in located_redactions(text) {
        push_words(text, at, span.start, &mut out);
        out.push(Word {
            start: span.start,
            end: span.end,
            key: MARK_KEY,
            codes: Some(span.redaction.codes),
        });
        at = span.end;
    }
    push_words(text, at, text.len(), &mut out);
    out
}

fn push_words(text: &str, from: usize, to: usize, out: &mut Vec<Word>) {
    let piece = &text[from..to];
    let mut start = None;
    for (i, ch) in piece
        .char_indices()
        .chain(std::iter::once((piece.len(), ' ')))
    {
        match (ch.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                let word = &piece[s..i];
                let key = folded(word);
                if is_classification_reason(word) {
                    out.push(Word {
                        start: from + s,
                        end: from + i,
                        key: MARK_KEY,
                        codes: Some(Vec::new()),
                    });
                } else if !key.is_empty() {
                    out.push(Word {
                        start: from + s,
                        end: from + i,
                        key: fnv1a(FNV_OFFSET, &key),
                        codes: None,
                    });
                }
                start = None;
            }
            _ => {}
        }
    }
}

/// Unmatched runs facing each other in two aligned texts: word ranges, ours and theirs.
struct Gap {
    ours: (usize, usize),
    theirs: (usize, usize),
    at_edge: bool,
}

/// The gaps between matched words of `a` and `b`, or `None` when the texts are too
/// long to align.
fn gaps(a: &[Word], b: &[Word]) -> Option<Vec<Gap>> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x.key == y.key).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x.key == y.key)
        .count();
    let (a_mid, b_mid) = ((prefix, a.len() - suffix), (prefix, b.len() - suffix));
    let matches = lcs(&a[a_mid.0..a_mid.1], &b[b_mid.0..b_mid.1])?;
    let mut out = Vec::new();
    let (mut ai, mut bi) = (a_mid.0, b_mid.0);
    let ends = matches
        .into_iter()
        .map(|(x, y)| (x + a_mid.0, y + b_mid.0))
        .chain(std::iter::once((a_mid.1, b_mid.1)));
    for (x, y) in ends {
        if x > ai || y > bi {
            out.push(Gap {
                ours: (ai, x),
                theirs: (bi, y),
                at_edge: ai == 0 || bi == 0 || x == a.len() || y == b.len(),
            });
        }
        ai = x + 1;
        bi = y + 1;
    }
    Some(out)
}

/// Matched index pairs of a longest common subsequence of word keys.
fn lcs(a: &[Word], b: &[Word]) -> Option<Vec<(usize, usize)>> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return Some(Vec::new());
    }
    if n > MAX_ALIGNED_WORDS || m > MAX_ALIGNED_WORDS {
        return None;
    }
    let width = m + 1;
    // table[i][j]: LCS length of a[i..] and b[j..]; at most 4000, so u16 holds it.
    let mut table = vec![0u16; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i * width + j] = if a[i].key == b[j].key {
                table[(i + 1) * width + j + 1] + 1
            } else {
                table[(i + 1) * width + j].max(table[i * width + j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i].key == b[j].key {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    Some(out)
}

/// The visible copy's words around the gap, the gap in `[[ ]]`, on one line.
fn context(text: &str, words: &[Word], gap: (usize, usize)) -> String {
    let before = gap.0.saturating_sub(CONTEXT_WORDS);
    let after = (gap.1 + CONTEXT_WORDS).min(words.len());
    let lead = &text[words[before].start..words[gap.0].start];
    let inner = &text[words[gap.0].start..words[gap.1 - 1].end];
    let tail = if after > gap.1 {
        &text[words[gap.1 - 1].end..words[after - 1].end]
    } else {
        ""
    };
    squash(&format!("{lead}[[{inner}]]{tail}"))
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn row(
    records: &[Brief],
    group: &[usize],
    redacted: usize,
    field: &str,
    diff: FieldDiff,
) -> RedactionDiff {
    let r = &records[redacted];
    let v = &records[diff.visible];
    // A quote's attribution line has no subject; another copy's header may.
    let subject = group
        .iter()
        .map(|&i| records[i].subject())
        .find(|s| !s.trim().is_empty())
        .unwrap_or_default();
    RedactionDiff {
        message: records[group[0]].key(),
        thread_id: thread_label(records[group[0]].place.thread as usize),
        subject: subject.to_string(),
        field: field.to_string(),
        exemptions: diff.codes,
        withheld: diff.withheld,
        context: diff.context,
        redacted_in: r.key(),
        redacted_page: r.page,
        redacted_bates: r.bates().to_string(),
        visible_in: v.key(),
        visible_page: v.page,
        visible_bates: v.bates().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_withheld_in_one_copy_is_found_in_the_other() {
        let redacted = "Det. (b)(6), could you run plate 7ABC123 for me? Our access is down.";
        let clear = "Det. Ana Ruiz,\ncould you run plate 7ABC123 for me?  Our access is down.";
        let found = field_diffs(redacted, &[(7, clear)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].withheld, "Ana Ruiz,");
        assert_eq!(found[0].codes, ["(b)(6)"]);
        assert_eq!(found[0].visible, 7);
        assert_eq!(
            found[0].context,
            "Det. [[Ana Ruiz,]] could you run plate 7ABC123 for"
        );
    }

    #[test]
    fn ocr_noise_elsewhere_does_not_hide_the_difference() {
        let redacted = "Please send the hits for (b)(6) to rny ernail by Friday.\n\n(b)(6)";
        let clear = "Please send the hits for Ana Ruiz to my email by Friday.";
        let found = field_diffs(redacted, &[(1, clear)]);
        assert_eq!(
            found.len(),
            1,
            "{:?}",
            found.iter().map(|f| &f.withheld).collect::<Vec<_>>()
        );
        assert_eq!(found[0].withheld, "Ana Ruiz");
        let misread = field_diffs(
            "run it for (b)(6) tbrough LEARN",
            &[(1, "run it for Ana Ruiz through LEARN")],
        );
        assert_eq!(misread[0].withheld, "Ana Ruiz");
        assert_eq!(edit_distance(b"tbrough", b"through"), 1);
    }

    #[test]
    fn alike_redactions_and_missing_text_give_nothing() {
        let a = "Call (b)(6) at (b)(6) today.";
        assert!(field_diffs(a, &[(1, "Call (b)(6) at (b)(7)(C) today.")]).is_empty());
        assert!(field_diffs(a, &[(1, "")]).is_empty());
        assert!(field_diffs(
            "(b)(6)",
            &[(
                1,
                "a very long disclaimer that one copy has and the other does not have at all"
            )]
        )
        .is_empty());
        assert_eq!(
            field_diffs("(b)(6)", &[(1, "Jensen, Mark")])[0].withheld,
            "Jensen, Mark"
        );
    }

    #[test]
    fn debris_and_classification_reasons_are_not_withheld_text() {
        let redacted = "Thanks for the update. B1\n\nWe meet at noon B1 tomorrow.";
        let clear = "Thanks for the update. Pi\n\nWe meet at noon 1.4(D) tomorrow.";
        assert!(field_diffs(redacted, &[(1, clear)]).is_empty());
        let phone = field_diffs(
            "Call me at B6 today.",
            &[(1, "Call me at 202-555-0100 today.")],
        );
        assert_eq!(phone[0].withheld, "202-555-0100");
    }
}
