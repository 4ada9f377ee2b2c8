//! Memo headings. Takes the lines of a printed document in which no email header block was
//! found and gives one [`Segment`] per memo heading: a `FROM:` line with an addressee
//! (`TO:`, `FOR:`, `MEMORANDUM FOR:`, `NOTE TO THE SECRETARY`) within a few lines of each
//! other, usually with a subject (`SUBJECT:`, `RE:`) and a date; the memo's text runs to the
//! next heading. Briefing notes and memos released on their own are correspondence between
//! named parties, so they become records like messages; a document with no such heading
//! (a contract, an invoice, a schedule, a table) gives none. A letter (`Dear ...,` at the
//! top, a complimentary close and a signature at the bottom) is read the same way: one
//! record from its signer to the person it greets.

use std::sync::OnceLock;

use regex::Regex;

use crate::parse::chain::{HeaderBlock, Segment};
use crate::parse::dates::parse_date;
use crate::text::fixed_regex;

/// How far a heading's lines may spread (blank lines included).
const HEADING_SPAN: usize = 12;
/// How many lines above a heading a bare date line may stand ("October 12, 2009").
const DATE_LOOKBACK: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    To,
    Subject,
    Date,
    /// `THROUGH:`, `CC:`, `ATTN:`: part of a heading, not kept.
    Other,
}

fn labelled_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"(?i)^\s*(?P<label>from|to|for|memorandum\s+(?:for|to)|re|subject|subj|date|through|thru|cc|attn)\s*:\s*(?P<value>.*)$",
    )
}

/// A heading line that names the addressee without a colon: `NOTE TO THE SECRETARY`,
/// `ACTION MEMO FOR THE DEPUTY SECRETARY`, `MEMORANDUM FOR ALL FIELD OFFICES`.
fn addressee_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"^\s*(?:(?:INFORMATION|ACTION|BRIEFING)\s+)?(?:NOTE|MEMO|MEMORANDUM)\s+(?:TO|FOR)\s+(?P<value>[A-Z][A-Z .,'&/-]+?)(?:\s{3,}(?P<rest>.*))?\s*$",
    )
}

/// Reads one line of a heading: its field and value. A value printed in a wide layout
/// ends at a run of spaces (what stands to the right is a margin note or a banner).
fn heading_line(line: &str) -> Option<(Field, String)> {
    if let Some(c) = labelled_line().captures(line) {
        let label = c.name("label")?.as_str().to_ascii_lowercase();
        let field = match label.split_whitespace().next().unwrap_or("") {
            "from" => Field::From,
            "to" | "for" | "memorandum" => Field::To,
            "re" | "subject" | "subj" => Field::Subject,
            "date" => Field::Date,
            _ => Field::Other,
        };
        let value = first_column(c.name("value").map_or("", |v| v.as_str()));
        return Some((field, value));
    }
    let c = addressee_line().captures(line)?;
    Some((Field::To, c.name("value")?.as_str().trim().to_string()))
}

fn first_column(value: &str) -> String {
    let value = value.trim();
    let first = match value.find("   ") {
        Some(gap) => value[..gap].trim(),
        None => value,
    };
    // A form's column heading ("TO:   FOR:") is not a value.
    if first.ends_with(':') && labelled_line().is_match(first) {
        return String::new();
    }
    first.to_string()
}

/// A heading found at `start`: its fields, and the index of the line after it.
fn heading_at(lines: &[&str], start: usize) -> Option<(HeaderBlock, usize)> {
    heading_line(lines[start])?;
    let mut block = HeaderBlock::default();
    let mut seen: Vec<Field> = Vec::new();
    let mut end = start;
    for (j, line) in lines.iter().enumerate().skip(start).take(HEADING_SPAN) {
        if line.trim().is_empty() {
            continue;
        }
        let Some((field, value)) = heading_line(line) else {
            // A value wrapped onto an indented line: a subject goes on; a writer's title
            // and office under the name are not part of the name.
            if line.starts_with("    ") && !seen.is_empty() {
                if seen.last() == Some(&Field::Subject) {
                    block.subject.push(' ');
                    block.subject.push_str(line.trim());
                }
                end = j + 1;
                continue;
            }
            break;
        };
        if field != Field::Other && seen.contains(&field) {
            break;
        }
        seen.push(field);
        end = j + 1;
        let slot = match field {
            Field::From => &mut block.from,
            Field::To => &mut block.to,
            Field::Subject => &mut block.subject,
            Field::Date => &mut block.date,
            Field::Other => continue,
        };
        *slot = value;
    }
    // A memo names who wrote it and to whom (withheld names are still printed as codes).
    let valid = !block.from.is_empty() && !block.to.is_empty();
    valid.then_some((block, end))
}

/// A bare date printed above a heading or on its first line ("October 12, 2009", maybe
/// in a column of its own beside a caveat), when the heading has none.
fn date_above(lines: &[&str], start: usize) -> String {
    lines[start.saturating_sub(DATE_LOOKBACK)..=start.min(lines.len().saturating_sub(1))]
        .iter()
        .rev()
        .flat_map(|l| l.split("   "))
        .map(str::trim)
        .filter(|l| !l.is_empty() && l.len() <= 40)
        .find(|l| !parse_date(l).local.is_empty())
        .map(str::to_string)
        .unwrap_or_default()
}

fn salutation() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(&RE, r"^\s*(?:My\s+)?Dear\s+(?P<to>[^,:;]{2,60})[,:]\s*$")
}

/// A complimentary close, on a line of its own ("Sincerely,", "With warmest regards,").
fn complimentary_close() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"(?i)^\s*(?:(?:yours\s+)?(?:sincerely|truly|respectfully|faithfully|cordially)(?:\s+yours)?|(?:with\s+)?(?:(?:best|kind|warm|warmest|kindest|warm\s+personal)\s+)?regards|all\s+the\s+best|best\s+wishes|yours)\s*,?\s*$",
    )
}

/// How far from the top a salutation, and from the bottom a signature, may stand (in
/// non-blank lines).
const LETTER_EDGE: usize = 12;

/// A letter: `Dear X,` near the top and a close with a signature near the bottom.
fn letter(lines: &[&str]) -> Option<Segment> {
    let nonblank: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].trim().is_empty())
        .collect();
    let (at, to) = nonblank.iter().take(LETTER_EDGE).find_map(|&i| {
        let c = salutation().captures(lines[i])?;
        Some((i, c.name("to")?.as_str().trim().to_string()))
    })?;
    let tail: Vec<usize> = nonblank
        .iter()
        .rev()
        .take(LETTER_EDGE)
        .rev()
        .copied()
        .filter(|&i| i > at)
        .collect();
    let close = tail
        .iter()
        .position(|&i| complimentary_close().is_match(lines[i]))?;
    let signer = tail.get(close + 1).map(|&i| lines[i].trim())?;
    if signer.split_whitespace().count() > 6 || signer.ends_with('.') {
        return None;
    }
    let end = tail[close];
    Some(Segment {
        header: Some(HeaderBlock {
            from: signer.to_string(),
            to,
            date: date_above(lines, at),
            ..HeaderBlock::default()
        }),
        body: lines[at + 1..end].join("\n").trim_matches('\n').to_string(),
        depth: 0,
        start_line: at,
    })
}

/// The memos of a document, in order, each with the text up to the next heading; or, when
/// it has no heading, the letter it is.
pub fn memo_segments(lines: &[&str]) -> Vec<Segment> {
    let memos = memo_headings(lines);
    if memos.is_empty() {
        return letter(lines).into_iter().collect();
    }
    memos
}

fn memo_headings(lines: &[&str]) -> Vec<Segment> {
    let mut headings: Vec<(usize, HeaderBlock, usize)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        match heading_at(lines, i) {
            Some((mut block, end)) => {
                if block.date.is_empty() {
                    block.date = date_above(lines, i);
                }
                headings.push((i, block, end));
                i = end;
            }
            None => i += 1,
        }
    }
    let starts: Vec<usize> = headings.iter().map(|h| h.0).skip(1).collect();
    headings
        .into_iter()
        .enumerate()
        .map(|(n, (start, block, end))| {
            let stop = starts.get(n).copied().unwrap_or(lines.len());
            Segment {
                header: Some(block),
                body: lines[end..stop.max(end)]
                    .join("\n")
                    .trim_matches('\n')
                    .to_string(),
                depth: 0,
                start_line: start,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(text: &str) -> Vec<Segment> {
        let lines: Vec<&str> = text.lines().collect();
        memo_segments(&lines)
    }

    #[test]
    fn a_briefing_memo_heading_with_for_from_re() {
        let text = "                 October 12, 2009\n\n  For: Hillary\n  From: Sid\n  Re: Tony Blair/EU presidency\n\n  Jonathan Powell just sent me the note below.\n";
        let memos = segments(text);
        assert_eq!(memos.len(), 1);
        let h = memos[0].header.clone().unwrap_or_default();
        assert_eq!(
            (h.from.as_str(), h.to.as_str()),
            ("Sid", "Hillary"),
            "{h:?}"
        );
        assert_eq!(h.subject, "Tony Blair/EU presidency");
        assert_eq!(h.date, "October 12, 2009");
        assert_eq!(
            memos[0].body.trim(),
            "Jonathan Powell just sent me the note below."
        );
    }

    #[test]
    fn a_note_to_the_secretary_and_a_wide_layout_value() {
        let text = "NOTE TO THE SECRETARY                            January 20, 2012\n   FROM: Bob Hormats\n\n   SUBJECT: Egypt and the IMF\n   I met this afternoon with the IMF.\n";
        let memos = segments(text);
        assert_eq!(memos.len(), 1);
        let h = memos[0].header.clone().unwrap_or_default();
        assert_eq!(h.to, "THE SECRETARY");
        assert_eq!(h.from, "Bob Hormats");
        let text = "For: Hillary                         — Reason: 1.4(D)\nFrom: Sid\nRe: RE: Saudi Arabia\nText one.\n\nFor: Hillary\nFrom: Sid\nRe: Cuba\nText two.\n";
        let memos = segments(text);
        assert_eq!(memos.len(), 2);
        assert_eq!(memos[0].header.clone().unwrap_or_default().to, "Hillary");
        assert_eq!(
            memos[0].header.clone().unwrap_or_default().subject,
            "RE: Saudi Arabia"
        );
        assert_eq!(memos[0].body, "Text one.");
        assert_eq!(memos[1].body, "Text two.");
    }

    #[test]
    fn a_letter_is_from_its_signer_to_whom_it_greets() {
        let text = "PERSONAL\n      September 13, 2010\n\n  Dear Madame Secretary,\n   My trip to Baghdad left me slack jawed.\n   With warmest regards.\n  Sincerely,\n  Joe Wilson\n";
        let memos = segments(text);
        assert_eq!(memos.len(), 1);
        let h = memos[0].header.clone().unwrap_or_default();
        assert_eq!(
            (h.from.as_str(), h.to.as_str()),
            ("Joe Wilson", "Madame Secretary")
        );
        assert_eq!(h.date, "September 13, 2010");
        assert!(memos[0].body.contains("Baghdad"));
        assert!(segments("Dear all,\nThe schedule is below.\n7:30 call\n").is_empty());
    }

    #[test]
    fn a_memo_heading_with_wrapped_values() {
        let text = "MEMORANDUM FOR:     Port Directors\n\nFROM:               (b)(6)\n                    Director, Field Operations\n\nDATE:               June 2, 2021\n\nSUBJECT:            Requests for\n                    Crossing Information\n\nField Office personnel continue.\n";
        let memos = segments(text);
        let h = memos[0].header.clone().unwrap_or_default();
        assert_eq!(h.from, "(b)(6)");
        assert_eq!(h.date, "June 2, 2021");
        assert_eq!(h.subject, "Requests for Crossing Information");
        assert_eq!(memos[0].body, "Field Office personnel continue.");
    }

    #[test]
    fn no_heading_no_memo() {
        // A routing form's columns are not an addressee.
        assert!(segments("DATE: August 29, 2024\nFrom: Tim Costin\n\nTO:                 FOR:\n   Project Manager   Initials\n").is_empty());
        assert!(
            segments("SCHEDULE FOR THE SECRETARY\n7:30am PHONE CALL\nFrom the airport.\n")
                .is_empty()
        );
        assert!(segments("Subject: an invoice\nTo: Accounts\nTotal: $400\n").is_empty());
    }
}
