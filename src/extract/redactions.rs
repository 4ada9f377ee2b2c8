//! Redactions: takes text as printed and gives its contiguous redacted spans. Exemption
//! codes standing for withheld text (`(b)(6)`, `(b) (7)(c)`, `B6`, `b7c`, `B7(C)`),
//! `[REDACTED]`, runs of `█` and runs of `X` standing for a value are tokens; tokens
//! separated only by a short list separator (`, `, `; `, ` `) are one span; each span
//! carries its codes normalised to the federal form.

use std::sync::OnceLock;

use regex::Regex;

use crate::model::Redaction;
use crate::text::fixed_regex;

fn token_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        concat!(
            r"(?P<long>\([ \t]*[bB][ \t]*\)[ \t]*\([ \t]*(?P<ln>[1-9])[ \t]*\))",
            r"|(?P<short>\b(?:B\s?(?P<sn>[1-9])(?:\s?\((?P<sl1>[A-Fa-f])\)|(?P<sl2>[A-Fa-f])\b|\b)|b(?P<bn>[1-9])(?:(?P<bl>[A-Fa-f])\b|\b))(?:\s-\s?\d{1,2}\b)?)",
            r"|(?P<mark>\[\s*(?i:redacted|withheld|redaction)\b[^\]\n]{0,40}\]|<\s*(?i:redacted)\s*>|\bREDACTED\b)",
            r"|(?P<block>[█■▇▆▌▐]+)",
            r"|(?P<xs>\b[Xx]{3,}(?:[-/.][Xx]{2,})*\b)",
        ),
    )
}

/// Words that make a following `B6`-style token a label, not an exemption.
const NOT_CODE_BEFORE: [&str; 14] = [
    "room", "unit", "building", "bldg", "suite", "apt", "form", "vitamin", "section", "model",
    "exhibit", "level", "gate", "row",
];

struct Token {
    start: usize,
    end: usize,
    code: Option<String>,
}

impl Token {
    fn is_code(&self) -> bool {
        self.code.is_some()
    }
}

/// The redacted spans in `text`, in order.
pub fn redactions_in(text: &str) -> Vec<Redaction> {
    located_redactions(text)
        .into_iter()
        .map(|r| r.redaction)
        .collect()
}

/// A redacted span with where it stands in the text (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub start: usize,
    pub end: usize,
    pub redaction: Redaction,
}

/// The redacted spans in `text`, in order, with their byte ranges.
pub fn located_redactions(text: &str) -> Vec<Located> {
    let tokens = tokens(text);
    let mut out: Vec<Located> = Vec::new();
    let mut last_end: Option<usize> = None;
    let mut last_start = 0;
    let mut last_was_code = false;
    for t in tokens {
        // Codes stand together across list separators ("(b)(6), (b)(7)(C)"); blocks only
        // across a space (a blacked-out "John Smith"), so "██/██/19██" is three fields.
        let joined = last_end.is_some_and(|end| {
            let gap = &text[end..t.start];
            if last_was_code && t.is_code() {
                // One code on every row of a table marks a span per row.
                let new_code = out.last().is_some_and(|span| {
                    t.code
                        .as_ref()
                        .is_some_and(|c| !span.redaction.codes.contains(c))
                });
                is_separator_gap(gap)
                    || new_code && stacked_in_margin(text, (last_start, end), (t.start, t.end))
            } else {
                gap.len() <= 2 && gap.chars().all(|c| c == ' ')
                    || (last_was_code || t.is_code()) && is_separator_gap(gap)
            }
        });
        last_was_code = t.is_code();
        if joined {
            if let Some(span) = out.last_mut() {
                span.redaction
                    .text
                    .push_str(&text[last_end.unwrap_or(t.start)..t.end]);
                span.end = t.end;
                if let Some(code) = t.code {
                    if !span.redaction.codes.contains(&code) {
                        span.redaction.codes.push(code);
                    }
                }
            }
        } else {
            out.push(Located {
                start: t.start,
                end: t.end,
                redaction: Redaction {
                    text: text[t.start..t.end].to_string(),
                    codes: t.code.into_iter().collect(),
                },
            });
        }
        last_start = t.start;
        last_end = Some(t.end);
    }
    out
}

/// `B6-200`, `B6-200-PM`: a code joined to what follows by a hyphen is a model or part
/// number (an FBI-style count, `b6 -1`, has a space before its hyphen).
fn is_part_number(text: &str, end: usize) -> bool {
    let mut rest = text[end..].chars();
    rest.next() == Some('-') && rest.next().is_some_and(|c| c.is_ascii_alphanumeric())
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let regex = token_regex();
    for found in regex.find_iter(text) {
        // Only codes need the groups: a block, a mark or a row of Xs is the match alone,
        // and the first byte tells the branch (codes open with `(`, `B` or `b`).
        if !matches!(text.as_bytes().get(found.start()), Some(b'(' | b'B' | b'b')) {
            out.push(Token {
                start: found.start(),
                end: found.end(),
                code: None,
            });
            continue;
        }
        let Some(caps) = regex.captures_at(text, found.start()) else {
            continue;
        };
        let Some(whole) = caps.get(0) else { continue };
        let mut end = whole.end();
        let code = if caps.name("long").is_some() {
            // "5 U.S.C. 552(b)(6)", "18 U.S.C. 2721(b)(8)": a citation, not a redaction.
            if text[..whole.start()].ends_with(|c: char| c.is_ascii_alphanumeric()) {
                continue;
            }
            let letter = subsection_after(text, end);
            if let Some((_, after)) = letter {
                end = after;
            }
            caps.name("ln")
                .map(|n| normalise(n.as_str(), letter.map(|(l, _)| l).as_deref()))
        } else if caps.name("short").is_some() {
            if !short_code_context(text, whole.start()) || is_part_number(text, whole.end()) {
                continue;
            }
            // A lone lower-case "b4" is text-speak ("b4 we go") unless a letter or an
            // FBI-style number backs it ("b7c", "b6 -1") or another code stands beside it.
            let bare_lower = caps.name("bn").is_some()
                && caps.name("bl").is_none()
                && !whole.as_str().contains('-');
            if bare_lower && in_prose(text, whole.start(), whole.end()) {
                continue;
            }
            let number = caps.name("sn").or_else(|| caps.name("bn"));
            let letter = caps
                .name("sl1")
                .or_else(|| caps.name("sl2"))
                .or_else(|| caps.name("bl"));
            number.map(|n| normalise(n.as_str(), letter.map(|l| l.as_str())))
        } else {
            None
        };
        out.push(Token {
            start: whole.start(),
            end,
            code,
        });
    }
    out
}

/// The subsection letter after `(b)(7)`: `(C)` in `(b)(7)(C)`, with where it ends. A
/// `(b)` that opens the next code (`(b)(5)` then `(b)(6)`) is not one.
fn subsection_after(text: &str, at: usize) -> Option<(String, usize)> {
    let rest = &text[at..];
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let inner = trimmed.strip_prefix('(')?.trim_start_matches([' ', '\t']);
    let letter = inner
        .chars()
        .next()
        .filter(|c| matches!(c, 'A'..='F' | 'a'..='f'))?;
    let close = inner[1..]
        .trim_start_matches([' ', '\t'])
        .strip_prefix(')')?;
    let opens_next_code = close.trim_start().starts_with('(')
        && close.trim_start()[1..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit());
    if matches!(letter, 'b' | 'B') && opens_next_code {
        return None;
    }
    Some((letter.to_string(), at + (rest.len() - close.len())))
}

/// Whether a token sits between two lower-case words, as a word of the sentence does
/// ("employer b4 we go"), rather than standing for a name ("Hi b6,", "for b6 (DOB").
fn in_prose(text: &str, start: usize, end: usize) -> bool {
    let word_before = text[..start]
        .strip_suffix(' ')
        .and_then(|b| b.rsplit(' ').next())
        .is_some_and(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()));
    let word_after = text[end..]
        .strip_prefix(' ')
        .and_then(|a| a.split([' ', '\n']).next())
        .is_some_and(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()));
    word_before && word_after
}

/// `B6` is a code unless a word such as "Room" or "Unit" labels it, or it sits inside a
/// larger token (`B6-12`, `1.4(B)`).
fn short_code_context(text: &str, start: usize) -> bool {
    let before = &text[..start];
    if before.ends_with(['-', '.', '(', '/']) {
        return false;
    }
    let prev_word: String = before
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    !NOT_CODE_BEFORE.contains(&prev_word.as_str())
}

/// Codes stacked in the right margin on consecutive lines (`b6 -1` over `b7C -1`) mark
/// one withheld span: each ends its line, and a wide run of spaces sets it apart from
/// the text. The caller joins them only when the codes differ.
fn stacked_in_margin(text: &str, prev: (usize, usize), next: (usize, usize)) -> bool {
    let gap = &text[prev.1..next.0];
    let Some(newline) = gap.find('\n') else {
        return false;
    };
    if !gap[..newline].trim().is_empty() || gap[newline + 1..].contains('\n') {
        return false;
    }
    let ends_line = |end: usize| {
        text[end..]
            .split('\n')
            .next()
            .is_some_and(|rest| rest.trim().is_empty())
    };
    let in_margin = |start: usize| {
        let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
        let before = &text[line_start..start];
        before.ends_with("   ")
    };
    ends_line(next.1) && in_margin(prev.0) && in_margin(next.0)
}

/// Tokens stand together on one span when only a list separator lies between them.
fn is_separator_gap(gap: &str) -> bool {
    if gap.len() > 4 || gap.contains('\n') {
        return false;
    }
    let rest = gap.trim_matches(|c: char| c == ' ' || c == '\t');
    rest.is_empty() || matches!(rest, "," | ";" | "&" | "/" | "and")
}

/// `6`, `None` → `(b)(6)`; `7`, `c` → `(b)(7)(C)`.
pub fn normalise(number: &str, letter: Option<&str>) -> String {
    match letter {
        Some(l) => format!("(b)({number})({})", l.to_ascii_uppercase()),
        None => format!("(b)({number})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(String, Vec<String>)> {
        redactions_in(text)
            .into_iter()
            .map(|r| (r.text, r.codes))
            .collect()
    }

    #[test]
    fn codes_standing_together_are_one_span() {
        let got = spans("From: (b)(6), (b)(7)(C)\nTo: B6, B7C\nCc: (b) (6); (b) (7)(c)");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1, vec!["(b)(6)", "(b)(7)(C)"]);
        assert_eq!(got[1].1, vec!["(b)(6)", "(b)(7)(C)"]);
        assert_eq!(got[2].1, vec!["(b)(6)", "(b)(7)(C)"]);
    }

    #[test]
    fn short_forms_normalise() {
        let got = spans("B6 and later b7c then B7(C) and (b)(7)(E)");
        let codes: Vec<String> = got.into_iter().flat_map(|s| s.1).collect();
        assert!(codes.contains(&"(b)(6)".to_string()));
        assert!(codes.contains(&"(b)(7)(C)".to_string()));
        assert!(codes.contains(&"(b)(7)(E)".to_string()));
    }

    #[test]
    fn marks_blocks_and_x_runs() {
        let got =
            spans("████████████ <██████████@cityofpasadena.net> and [REDACTED] SSN XXX-XX-XXXX");
        assert_eq!(got.len(), 4);
        assert!(got.iter().all(|s| s.1.is_empty()));
    }

    #[test]
    fn code_split_by_visible_text_is_two_spans() {
        assert_eq!(spans("(b)(6) [mailto:(b)(6)@agency.gov]").len(), 2);
        assert_eq!(spans("(b)(6), (b)(7)(C) @ontarioca.gov'").len(), 1);
    }

    #[test]
    fn look_alikes_are_not_codes() {
        assert!(spans("Room B6 and 1.4(B) and Unit B1 and the BBQ").is_empty());
        assert!(spans("ABBA B52s web2b").is_empty());
    }

    #[test]
    fn code_before_an_address_and_bracketed_notes() {
        let got = spans("To: B6, B7(C)@albanyny.gov and [REDACTED 552.130] here");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1, vec!["(b)(6)", "(b)(7)(C)"]);
    }

    #[test]
    fn a_code_on_the_next_line_is_not_a_subsection() {
        let got = spans("(b)(5)\n\n(b)(6), (b)(7)(C)");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1, vec!["(b)(5)"]);
        assert_eq!(got[1].1, vec!["(b)(6)", "(b)(7)(C)"]);
        assert_eq!(spans("(b)(5)(b)(6)")[0].1, vec!["(b)(5)", "(b)(6)"]);
    }

    #[test]
    fn text_speak_is_not_a_code() {
        assert!(spans("need current employer b4 we go knock thurs").is_empty());
        assert_eq!(spans("From: b6, b7c").len(), 1);
        assert_eq!(spans("Hi b6,")[0].1, vec!["(b)(6)".to_string()]);
        assert_eq!(spans("for b6 (SSN ending b6)?").len(), 2);
    }

    #[test]
    fn blocked_date_fields_are_separate_spans() {
        assert_eq!(spans("DOB ██/██/19██").len(), 3);
        assert_eq!(spans("████ █████ was there").len(), 1);
    }

    #[test]
    fn fbi_numbered_codes_are_one_span() {
        let got = spans("From: b6 -1 b7C -1\nTo: b6 -2 b7C -2 (FBI)");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1, vec!["(b)(6)", "(b)(7)(C)"]);
    }

    #[test]
    fn release_forms_of_the_issue() {
        assert_eq!(spans("B3 CIA PERS/ORG")[0].1, vec!["(b)(3)"]);
        assert!(spans("permissible use at 18 U.S.C. 2721(b)(8) and 552(b)(6)").is_empty());
        assert_eq!(spans("Cc: (b) (7)(C)")[0].1, vec!["(b)(7)(C)"]);
        // Model numbers and part numbers are not codes.
        assert!(spans("4 x B6-200 cameras and the B6-200-PM bracket").is_empty());
        // One code stacked per row of a table is a span per row; different codes
        // stacked in the margin are one span.
        let table =
            "05/09   0712                 (b) (7)(E)\n05/16   0705                 (b) (7)(E)\n";
        assert_eq!(spans(table).len(), 2);
        let stack = "Officer                      b6 -1\n   (primary)                 b7C -1\n";
        assert_eq!(spans(stack).len(), 1);
    }
}
