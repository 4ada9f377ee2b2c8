//! Lotus Notes prints. Notes prints a message's header in two columns: the sender (a
//! Notes name such as `Dan Krueger/HCSO/Hennepin`) and the date on the left, and `To`,
//! `cc`, `bcc` and `Subject` labels without colons on the right:
//!
//! ```text
//! Daniel Krueger/HCSO/Hennepin              To  "Alvarez, Ruth" <r@usms.doj.gov>
//! 03/14/2019 02:15 PM                       cc  Pamela Skoglund/HCSO/Hennepin@Hennepin
//!                                      Subject  Re: call logs
//! ```
//!
//! or with the sender and the date stacked above the labels. Takes the lines of a text and
//! a position, and gives the header block that starts there and the line after it.

use std::sync::OnceLock;

use regex::Regex;

use crate::parse::chain::{label_of, HeaderBlock, Label};
use crate::text::fixed_regex;

fn notes_date() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"^\s*[0-9O]{1,2}/[0-9O]{1,2}/[0-9O]{2,4}\s+[0-9O]{1,2}:[0-9O]{2}(?::[0-9O]{2})?\s*(?:[AaPp][Mm])?\s*$",
    )
}

/// Splits a line into its left column and, after a run of three or more spaces, its right.
/// Some PDF text layers close the gap to one space: then a Notes name (`Name/OU/Org`)
/// followed by ` To ` is split there, and a date followed by ` cc ` or ` bcc `.
fn columns(line: &str) -> (&str, Option<&str>) {
    let start = line.len() - line.trim_start().len();
    if let Some(gap) = line[start..].find("   ") {
        let left = &line[..start + gap];
        let right = line[start + gap..].trim();
        return (left.trim(), (!right.is_empty()).then_some(right));
    }
    let narrow = [" To ", " cc ", " bcc ", " cc", " bcc"];
    for sep in narrow {
        if let Some(at) = line.find(sep) {
            let left = line[..at].trim();
            let tail = &line[at + sep.len()..];
            let notes_name = sep == " To " && left.contains('/');
            let dated = sep != " To "
                && notes_date().is_match(left)
                && (tail.is_empty() || sep.ends_with(' '));
            if notes_name || dated {
                return (left, Some(line[at..].trim()));
            }
        }
    }
    (line.trim(), None)
}

/// A right-column header line: a label without a colon (`To`, `cc`, `Subject`, read
/// through OCR noise such as `Sub ject`), then its value after two spaces, or nothing.
fn right_label(text: &str) -> Option<(Label, &str)> {
    let text = text.trim();
    let (label, value) = match text.find("  ") {
        Some(gap) => (&text[..gap], text[gap..].trim()),
        // A one-space gap: the label is the first word, or the first two (`Sub ject`).
        None => {
            let words: Vec<&str> = text.splitn(3, ' ').collect();
            match words[..] {
                [first, ..] if label_of(first).is_some() => (first, text[first.len()..].trim()),
                [first, second, ..] if label_of(&format!("{first}{second}")).is_some() => {
                    let label = &text[..first.len() + 1 + second.len()];
                    (label, text[label.len()..].trim())
                }
                _ => (text, ""),
            }
        }
    };
    if label.len() > 9 || !label.chars().all(|c| c.is_ascii_alphabetic() || c == ' ') {
        return None;
    }
    match label_of(label)? {
        l @ (Label::To | Label::Cc | Label::Bcc | Label::Subject) => Some((l, value)),
        _ => None,
    }
}

/// The Notes header block starting at line `i`, and the index of the line after it.
pub fn notes_block_at(lines: &[&str], i: usize) -> Option<(HeaderBlock, usize)> {
    let first = lines.get(i)?;
    if first.trim().is_empty() || first.starts_with(' ') {
        return None;
    }
    // The cheap tests first: this runs at every line.
    let side_by_side = first.contains("   ") || first.contains(" To ");
    let stacked = lines
        .get(i + 1)
        .is_some_and(|l| l.starts_with(|c: char| c.is_ascii_digit() || c == 'O'));
    if !side_by_side && !stacked {
        return None;
    }
    let (sender, right) = columns(first);
    let mut block = HeaderBlock {
        from: sender.to_string(),
        ..HeaderBlock::default()
    };
    // The label lines, as (line index, right-column text).
    let mut rights: Vec<(usize, &str)> = Vec::new();
    match right {
        // Sender and `To` side by side; the date under the sender, beside `cc`.
        Some(r) if right_label(r).is_some_and(|(l, _)| l == Label::To) => {
            rights.push((i, r));
            let (date, beside) = columns(lines.get(i + 1)?);
            if !notes_date().is_match(date) {
                return None;
            }
            block.date = date.to_string();
            if let Some(b) = beside {
                rights.push((i + 1, b));
            }
            rights.extend(label_lines(lines, i + 2));
        }
        // Sender, then the date, then the labels, each on its own line.
        None if !sender.contains(':') && sender.len() <= 80 => {
            let date = lines.get(i + 1)?;
            // The cheap test first: this runs at every line.
            if !date.starts_with(|c: char| c.is_ascii_digit() || c == 'O')
                || !notes_date().is_match(date)
            {
                return None;
            }
            block.date = date.trim().to_string();
            rights.extend(label_lines(lines, i + 2));
        }
        _ => return None,
    }
    let mut seen: Vec<Label> = Vec::new();
    let mut end = i + 1;
    for (at, text) in rights {
        let Some((label, value)) = right_label(text) else {
            break;
        };
        if seen.contains(&label) {
            break;
        }
        seen.push(label);
        end = at + 1;
        let field = match label {
            Label::To => &mut block.to,
            Label::Subject => &mut block.subject,
            _ => &mut block.cc,
        };
        if !field.is_empty() {
            field.push_str("; ");
        }
        field.push_str(value);
        if label == Label::Subject {
            break;
        }
    }
    let valid = seen.first() == Some(&Label::To) && seen.contains(&Label::Subject);
    valid.then_some((block, end))
}

/// The label lines from `from` on (the right column alone; indented, or flush left where a
/// PDF text layer dropped the indent).
fn label_lines<'t>(lines: &[&'t str], from: usize) -> Vec<(usize, &'t str)> {
    lines
        .iter()
        .enumerate()
        .skip(from)
        .take(5)
        .take_while(|(_, l)| right_label(l).is_some())
        .map(|(n, l)| (n, l.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Option<(HeaderBlock, usize)> {
        let lines: Vec<&str> = text.lines().collect();
        notes_block_at(&lines, 0)
    }

    #[test]
    fn side_by_side_print() {
        let (b, end) = block("Daniel Krueger/HCSO/Hennepin                          To  \"Alvarez, Ruth (USMS)\" <Ruth.Alvarez@usms.doj.gov>\n03/14/2019 02:15 PM                                   cc  Pamela Skoglund/HCSO/Hennepin@Hennepin\n                                                 Subject  Re: call logs - [REDACTED]\n\nRuth,\n").unwrap_or_default();
        assert_eq!(b.from, "Daniel Krueger/HCSO/Hennepin");
        assert_eq!(b.date, "03/14/2019 02:15 PM");
        assert_eq!(b.to, "\"Alvarez, Ruth (USMS)\" <Ruth.Alvarez@usms.doj.gov>");
        assert_eq!(b.cc, "Pamela Skoglund/HCSO/Hennepin@Hennepin");
        assert_eq!(b.subject, "Re: call logs - [REDACTED]");
        assert_eq!(end, 3);
    }

    #[test]
    fn stacked_print_with_empty_cc_and_ocr_label() {
        let (b, end) = block("Marcus Hebert/HCSO/Harris County\n09/12/2022 08:05 AM\n                                                     To  Linda Okafor/HCSO/Harris County@HCSO\n                                                     cc\n                                                Sub ject  booking photo\n\nLinda,\n").unwrap_or_default();
        assert_eq!(b.from, "Marcus Hebert/HCSO/Harris County");
        assert_eq!(b.to, "Linda Okafor/HCSO/Harris County@HCSO");
        assert_eq!(b.cc, "");
        assert_eq!(b.subject, "booking photo");
        assert_eq!(end, 5);
    }

    #[test]
    fn a_pdf_text_layer_with_the_gaps_closed() {
        let (b, _) = block("Linda Okafor/HCSO/Harris County To Marcus Hebert/HCSO/Harris County@HCSO\n09/12/2022 10:21 AM cc Detention Records Supervisors\nSubject Re: booking photo\nDet. Hebert,\n").unwrap_or_default();
        assert_eq!(b.from, "Linda Okafor/HCSO/Harris County");
        assert_eq!(b.to, "Marcus Hebert/HCSO/Harris County@HCSO");
        assert_eq!(b.cc, "Detention Records Supervisors");
        assert_eq!(b.subject, "Re: booking photo");
    }

    #[test]
    fn prose_is_not_a_notes_block() {
        assert!(block("Thanks to all\n03/14/2019 02:15 PM\nsee you then\n").is_none());
        assert!(block("We went To  the store\nyesterday\n").is_none());
    }
}
