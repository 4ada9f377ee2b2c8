//! Text helpers shared by parse and extract: decoding bytes to text, repairing OCR digit
//! noise inside words without moving any byte, and splitting a body into sentences. They
//! take text and give text; no stage state lives here.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

/// A regular expression written in the code (not in the rules), compiled once. The
/// patterns are constants covered by the tests, so compiling them cannot fail at run time.
pub fn fixed_regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(pattern).unwrap_or_else(|e| unreachable!("constant pattern {pattern}: {e}"))
    })
}

/// [`fixed_regex`] for a pattern built from parts: `build` runs once, not at every call.
pub fn built_regex(cell: &'static OnceLock<Regex>, build: fn() -> String) -> &'static Regex {
    cell.get_or_init(|| {
        let pattern = build();
        Regex::new(&pattern).unwrap_or_else(|e| unreachable!("constant pattern {pattern}: {e}"))
    })
}

/// Decodes bytes as UTF-8, or, when they are not valid UTF-8, as Windows-1252 (what
/// released text files that are not UTF-8 almost always are). Never fails.
pub fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            text
        }
    }
}

/// Repairs the OCR confusions `1`→`l`/`I` and `0`→`o`/`O` inside words ("Po1ice",
/// "0ffice", "a11", "C0UNTY") so that rules match, keeping every byte where it was: the
/// result has the same length, so offsets found in it point into the original text.
pub fn repair_ocr(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let Some(first) = memchr::memchr3(b'0', b'1', b'|', bytes) else {
        return Cow::Borrowed(text);
    };
    let mut out = bytes.to_vec();
    // Only the bytes a repair can start at are visited (memchr skips the rest); every
    // test reads the original bytes, so the repairs do not depend on each other.
    let mut i = first;
    while i < bytes.len() {
        if bytes[i] == b'|' {
            // "he|pful", "ho|der": a bar between two lower-case letters is an l.
            let between_letters = i > 0
                && i + 1 < bytes.len()
                && bytes[i - 1].is_ascii_lowercase()
                && bytes[i + 1].is_ascii_lowercase();
            if between_letters {
                out[i] = b'l';
            }
            i += 1;
        } else {
            i = repair_digit_run(bytes, i, &mut out);
        }
        match memchr::memchr3(b'0', b'1', b'|', &bytes[i.min(bytes.len())..]) {
            Some(next) => i += next,
            None => break,
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes, so the text is still valid UTF-8.
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(text),
    }
}

/// Repairs the run of `0` and `1` starting at `start` when it is a misread letter; gives
/// where the run ends.
fn repair_digit_run(bytes: &[u8], start: usize, out: &mut [u8]) -> usize {
    let mut i = start;
    while i < bytes.len() && (bytes[i] == b'0' || bytes[i] == b'1') {
        i += 1;
    }
    let left = if start > 0 { bytes[start - 1] } else { b' ' };
    let right = if i < bytes.len() { bytes[i] } else { b' ' };
    let left2 = if start > 1 { bytes[start - 2] } else { b' ' };
    let right2 = if i + 1 < bytes.len() {
        bytes[i + 1]
    } else {
        b' '
    };
    if let Some(case) = replace_case(left, left2, right, right2, i - start) {
        for b in &mut out[start..i] {
            *b = match (*b, case) {
                (b'0', Case::Lower) => b'o',
                (b'0', _) => b'O',
                (_, Case::Upper) => b'I',
                (_, _) => b'l',
            };
        }
    }
    i
}

#[derive(Clone, Copy)]
enum Case {
    Upper,
    Lower,
    /// At the start of a word: `0` reads as `O` ("0ffice"), `1` as `l` ("1ast").
    Start,
}

/// Decides whether a run of 0/1 between `left` and `right` is a misread letter, and which
/// case it stands for. Digits beside other digits (plates, dates, Bates numbers) stay.
fn replace_case(left: u8, left2: u8, right: u8, right2: u8, run: usize) -> Option<Case> {
    let l_letter = left.is_ascii_alphabetic();
    let r_letter = right.is_ascii_alphabetic();
    let l_edge = !left.is_ascii_alphanumeric();
    let r_edge = !right.is_ascii_alphanumeric();
    match (l_letter, r_letter) {
        (true, true) if left.is_ascii_lowercase() || right.is_ascii_lowercase() => {
            Some(Case::Lower)
        }
        (true, true) => Some(Case::Upper),
        // "a11", "Apri1": the word ends in the run; two letters before, or a run of two
        // digits after one letter, make it sure.
        (true, false)
            if r_edge && left.is_ascii_lowercase() && (left2.is_ascii_alphabetic() || run >= 2) =>
        {
            Some(Case::Lower)
        }
        // "0ffice", "1ast": the word starts with the run and goes on in lower case.
        (false, true) if l_edge && right.is_ascii_lowercase() && right2.is_ascii_lowercase() => {
            Some(Case::Start)
        }
        _ => None,
    }
}

/// Splits text into sentences, joining the lines of a paragraph first. Returns byte
/// ranges into `text` so that callers can cut evidence from the original.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = skip_space(bytes, 0);
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        let end_here = match b {
            b'.' | b'?' | b'!' => {
                let next = bytes.get(i + 1).copied().unwrap_or(b' ');
                let spaced =
                    next == b' ' || next == b'\n' || next == b'\r' || next == b'"' || next == b')';
                spaced && !(b == b'.' && is_abbreviation(&text[start..i]))
            }
            b'\n' => {
                // A blank line ends a paragraph, and so a sentence.
                let mut j = i + 1;
                while j < bytes.len()
                    && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'\r')
                {
                    j += 1;
                }
                j >= bytes.len() || bytes[j] == b'\n'
            }
            _ => false,
        };
        if end_here {
            let end = i + 1;
            if text[start..end].trim().len() > 1 {
                out.push((start, end));
            }
            start = skip_space(bytes, end);
            i = start;
            continue;
        }
        i += 1;
    }
    if start < bytes.len() && text[start..].trim().len() > 1 {
        out.push((start, bytes.len()));
    }
    out
}

/// Whether the word before a full stop is an abbreviation or an initial ("N. Harrison
/// St", "Det. Vasquez", "U.S. Marshals"), after which a sentence goes on.
fn is_abbreviation(before: &str) -> bool {
    const ABBREVIATIONS: [&str; 24] = [
        "mr", "ms", "mrs", "dr", "det", "sgt", "lt", "capt", "cpl", "dep", "ofc", "st", "ave",
        "blvd", "rd", "no", "vs", "etc", "approx", "u.s", "inc", "co", "jr", "sr",
    ];
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let single_capital = word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase());
    single_capital || ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str())
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Collapses runs of whitespace (line breaks included) into single spaces.
pub fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Elements nested deeper than this are not laid out: the HTML converter's time grows
/// with the square of the depth, and mail never nests this deep but to attack a reader.
const MAX_HTML_DEPTH: usize = 256;

/// Turns an HTML body into readable text.
pub fn html_to_text(html: &str) -> String {
    if html_depth(html) > MAX_HTML_DEPTH {
        return strip_tags(html);
    }
    match html2text::from_read(html.as_bytes(), 200) {
        Ok(text) => text,
        Err(_) => strip_tags(html),
    }
}

/// How deep elements nest, counting open and close tags (void elements and
/// self-closing tags leave it as it was, as near enough).
fn html_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    for at in memchr::memchr_iter(b'<', bytes) {
        match bytes.get(at + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b) if b.is_ascii_alphabetic() => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            _ => {}
        }
    }
    deepest
}

/// A last resort when the HTML converter gives up: drop tags, keep text.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocr_digits_inside_words_become_letters_in_place() {
        let s = "Santa Barbara Po1ice Department, Kern County Sheriff's 0ffice a11 re1ease Apri1 9";
        let r = repair_ocr(s);
        assert_eq!(r.len(), s.len());
        assert!(r.contains("Police"), "{r}");
        assert!(r.contains("release"), "{r}");
        assert!(r.contains("April 9"), "{r}");
        assert!(r.contains(" all "), "{r}");
        assert!(r.contains("C0UNTY") || !s.contains("C0UNTY"));
        assert_eq!(repair_ocr("STANISLAUS C0UNTY"), "STANISLAUS COUNTY");
        assert_eq!(
            repair_ocr("really he|pful, ho|der | rnay"),
            "really helpful, holder | rnay"
        );
    }

    #[test]
    fn ocr_repair_leaves_plates_dates_and_codes() {
        for s in [
            "CA 7TUW558",
            "5JHD847",
            "1/27 at 0544",
            "(b)(1)",
            "B1",
            "2019-ICFO-18840",
            "1HGCM82633A004352",
        ] {
            assert_eq!(repair_ocr(s), s);
        }
    }

    #[test]
    fn sentences_join_wrapped_lines_and_stop_at_blank_lines() {
        let text = "Hi Tom,\n\nCould you pull the reads on\nCA 6XYR915? Thanks a lot.\nMarisol";
        let got: Vec<&str> = sentences(text).iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(got[0], "Hi Tom,\n");
        assert_eq!(got[1], "Could you pull the reads on\nCA 6XYR915?");
        assert_eq!(got[2], "Thanks a lot.");
    }

    #[test]
    fn deeply_nested_html_is_read_without_layout() {
        let deep = format!(
            "{}deep text{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let started = std::time::Instant::now();
        assert!(html_to_text(&deep).contains("deep text"));
        assert!(started.elapsed().as_secs() < 5);
        assert!(html_to_text("<p>Hello <b>there</b></p>").contains("Hello"));
    }

    #[test]
    fn windows_1252_text_decodes() {
        assert_eq!(decode_text(b"caf\xe9"), "café");
    }
}
