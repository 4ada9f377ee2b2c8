//! Printed email releases (pdftotext or OCR output). Takes the text of a release and gives
//! its messages: page furniture (`Page 3 of 7` footers, case and Bates banners, release
//! stamps) is taken out of the text and kept as provenance (page, Bates number), then the
//! text is split at printed header blocks by the chain segmenter.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use regex::Regex;

use crate::model::{Message, Origin};
use crate::parse::chain::{split_chain, Segment};
use crate::parse::memo::memo_segments;
use crate::parse::mime::quoted_message;
use crate::text::{built_regex, fixed_regex};

/// A printed release, split.
#[derive(Debug, Default)]
pub struct PrintedDoc {
    pub messages: Vec<Message>,
    /// Release stamps found on the pages (`RELEASE IN PART B5,B6`).
    pub stamps: Vec<String>,
    /// Banner and footer lines taken out of the text (they name the releasing agency).
    pub furniture: Vec<String>,
    pub pages: u32,
    /// The text that belongs to no message, furniture aside: all of it for a document
    /// with none (a contract, an invoice, a schedule), else what precedes the first
    /// header block (a print's title lines). Its redactions still count.
    pub text_outside_messages: String,
}

struct Line<'a> {
    text: &'a str,
    page: u32,
}

fn page_count() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(&RE, r"(?i)page\s+\d{1,4}\s+(?:of|/)\s+\d{1,4}\s*$")
}

/// `Page 3 of 7`, alone on its line or after a case or Bates number set apart by spaces.
fn is_page_footer(line: &str) -> bool {
    // The cheap test first: this runs at every line.
    if !(line.contains("age") || line.contains("AGE")) {
        return false;
    }
    page_count()
        .find(line)
        .is_some_and(|m| stands_apart(&line[..m.start()]))
}

/// What precedes a footer or banner on its line: nothing, or a short run of text that
/// ends in a gap of spaces (a layout print's columns).
fn stands_apart(before: &str) -> bool {
    before.trim().is_empty() || (before.trim().len() <= 64 && before.ends_with("  "))
}

fn release_stamp() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"(?i)^\s*(?:released?\s+in\s+(?:part|full)\b|withheld\s+pursuant\s+to\s+exemption|declassified\s|classified\s+by\b)",
    )
}

fn foia_banner() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"(?i)released\s+under\s+(?:the\s+)?(?:foia|freedom\s+of\s+information\s+act)\b",
    )
}

/// A release stamp (`RELEASE IN PART B5,B6`, `Withheld pursuant to exemption (b)(5)`) or
/// a release banner (`RELEASED UNDER FOIA - (b)(6), (b)(7)(C)`).
fn is_release_stamp(line: &str) -> bool {
    // The cheap test first: this runs at every line, and reads it once.
    static STEMS: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let stems = STEMS.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(["elease", "ithheld", "lassif"])
            .ok()
    });
    if stems.as_ref().is_some_and(|s| !s.is_match(line)) {
        return false;
    }
    release_stamp().is_match(line)
        || foia_banner()
            .find(line)
            .is_some_and(|m| stands_apart(&line[..m.start()]))
}

/// A line of exemption and classification codes only, as a release stamp lists them:
/// `B1,1.4(B),B3 CIA PERS/ORG,B6,B7(C)`.
fn stamp_codes() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    const ITEM: &str = r"(?:B\d{1,2}(?:\s?\(?[A-Ga-g]\)?)?(?:\s+[A-Z]{2,}(?:[/ ][A-Z]{2,})*)?|\(b\)\s*\(\d\)(?:\s*\([A-Ga-g]\))?|1\.4\s*\([A-Ha-h]\))";
    built_regex(&RE, || format!(r"^\s*{ITEM}(?:\s*,\s*{ITEM})*\s*$"))
}

/// The Bates or document number of a banner line: at its end, `LB-000013`, `ECPD 000041`,
/// `DOJ-OGR-00012345`, `FBI(21-cv-00418)-1093` or a bare `000087`; anywhere, `Doc No. C05768059` (State Department
/// banners go on with the release date).
fn bates_token() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"Doc(?:ument)?\s+No\.?\s*(?P<doc>[A-Z]?\d{5,})\b|(?:(?P<bates>(?:\b[A-Z][A-Z0-9]{1,10}(?:-[A-Z0-9]{2,10}|[_ ][A-Z][A-Z0-9]{1,9}){0,3}[-_ ])?[O0-9]\d{4,9}|\b[A-Z]{2,10}\([A-Za-z0-9-]{3,24}\)-\d{1,7}))\s*$",
    )
}

/// What a browser prints at the edges of a page: the date and the page title at the top
/// (`3/5/2020   City of Austin Mail - Staffing`, a mail client's page), the address and the page count at the
/// bottom (`https://mail.google.com/mail/u/0?ik=...   1/2`).
fn browser_print_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"^\s*(?:\d{1,2}/\d{1,2}/\d{2,4},?(?:\s+\d{1,2}:\d{2}\s*(?:[AaPp][Mm])?)?\s{3,}[^\n]*\b(?:Mail|Gmail|Outlook)\b|https?://\S+\s+\d{1,4}/\d{1,4}\s*$)",
    )
}

fn banner_words() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"(?i)\b(?:unclassified|case\s+no|doc\s+no|public\s+records|foia|cpra|pra\s+\d|release\s+\d|response\s+#|bates)\b",
    )
}

/// Splits a printed release into messages with page and Bates provenance.
pub fn parse_printed(text: &str) -> PrintedDoc {
    let mut doc = PrintedDoc::default();
    let lines = paginate(text);
    doc.pages = lines.last().map_or(0, |l| l.page);
    let mut bates_by_page: Vec<(u32, String)> = Vec::new();
    let mut kept: Vec<&Line> = Vec::new();
    let pages = group_pages(&lines);
    for page in pages {
        crate::watchdog::check();
        let furniture = furniture_lines(page);
        for (i, line) in page.iter().enumerate() {
            if !furniture.contains(&i) {
                kept.push(line);
                continue;
            }
            if is_release_stamp(line.text) {
                doc.stamps.push(line.text.trim().to_string());
                continue;
            }
            if stamp_codes().is_match(line.text) {
                if let Some(stamp) = doc.stamps.last_mut() {
                    stamp.push(' ');
                    stamp.push_str(line.text.trim());
                }
                continue;
            }
            doc.furniture.push(line.text.trim().to_string());
            if let Some(b) = bates_of(line.text) {
                if !bates_by_page.iter().any(|(p, _)| *p == line.page) {
                    bates_by_page.push((line.page, b));
                }
            }
        }
    }
    let cleaned: String = kept.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
    let mut outside: Vec<String> = Vec::new();
    for seg in split_chain(&cleaned) {
        if seg.header.is_none() || under_memo_heading(&kept, seg.start_line) {
            outside.push(seg.body);
            continue;
        }
        doc.messages
            .push(with_provenance(seg, Origin::Printed, &kept, &bates_by_page));
    }
    if doc.messages.is_empty() {
        // The memo pass reads the whole text again: what the chain pass set aside is in it.
        outside.clear();
        let texts: Vec<&str> = kept.iter().map(|l| l.text).collect();
        for (n, mut seg) in memo_segments(&texts).into_iter().enumerate() {
            if n == 0 {
                // The letterhead above the first heading names the writer's agency; it
                // goes with the memo's closing lines, where a signature would.
                let letterhead = letterhead(&texts[..seg.start_line.min(texts.len())]);
                if !letterhead.is_empty() {
                    seg.body.push_str("\n\n");
                    seg.body.push_str(&letterhead);
                }
            }
            doc.messages
                .push(with_provenance(seg, Origin::Memo, &kept, &bates_by_page));
        }
    }
    if let Some(subject) = conversation_subject(&kept) {
        for m in doc.messages.iter_mut().filter(|m| m.subject.is_empty()) {
            m.subject = subject.to_string();
        }
    }
    doc.text_outside_messages = if doc.messages.is_empty() {
        cleaned
    } else {
        outside.join("\n")
    };
    doc
}

/// The lines above a memo's heading, when they are few and short (a letterhead), not a
/// page of text.
fn letterhead(above: &[&str]) -> String {
    let lines: Vec<&str> = above
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > 8 || lines.iter().any(|l| l.len() > 80) {
        return String::new();
    }
    lines.join("\n")
}

/// A Gmail conversation print gives the subject once, above an `N messages` line; its
/// messages print none of their own.
fn conversation_subject<'a>(lines: &[&Line<'a>]) -> Option<&'a str> {
    let at = lines.iter().take(40).position(|l| {
        let t = l.text.trim();
        t.strip_suffix(" messages")
            .or_else(|| t.strip_suffix(" message"))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    })?;
    lines[..at]
        .iter()
        .rev()
        .map(|l| l.text.trim())
        .find(|t| !t.is_empty())
}

/// A segment as a message, with the page it starts on and that page's Bates number.
fn with_provenance(
    seg: Segment,
    origin: Origin,
    kept: &[&Line],
    bates_by_page: &[(u32, String)],
) -> Message {
    let page = kept.get(seg.start_line).map_or(1, |l| l.page);
    let mut message = quoted_message(seg);
    message.origin = Some(origin);
    message.page = page;
    message.bates = bates_by_page
        .iter()
        .rev()
        .find(|(p, _)| *p <= page)
        .map(|(_, b)| b.clone())
        .unwrap_or_default();
    message
}

/// A `FROM:` / `DATE:` / `SUBJECT:` block under a `MEMORANDUM` heading is a memo's, not
/// an email's (the memo pass reads it when the document holds no email).
fn under_memo_heading(lines: &[&Line], start: usize) -> bool {
    lines[start.saturating_sub(12)..start.min(lines.len())]
        .iter()
        .any(|l| l.text.trim_start().starts_with("MEMORANDUM"))
}

/// Numbers every line by page: a form feed or a `Page N of M` footer ends a page.
fn paginate(text: &str) -> Vec<Line<'_>> {
    let mut out: Vec<Line> = Vec::new();
    let mut page = 1;
    let mut pending_break = false;
    for (i, chunk) in text.split('\x0c').enumerate() {
        if i > 0 {
            pending_break = true;
        }
        for line in chunk.lines() {
            if pending_break && !line.trim().is_empty() {
                if !out.is_empty() {
                    page += 1;
                }
                pending_break = false;
            }
            out.push(Line { text: line, page });
            if is_page_footer(line) {
                pending_break = true;
            }
        }
    }
    out
}

fn group_pages<'a>(lines: &'a [Line<'a>]) -> Vec<&'a [Line<'a>]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=lines.len() {
        if i == lines.len() || lines[i].page != lines[start].page {
            out.push(&lines[start..i]);
            start = i;
        }
    }
    out
}

/// Indices (within a page) of banner, footer and stamp lines: the first and last three
/// non-empty lines of a page that carry a page count, a Bates or case number, a release
/// stamp or a capitalised agency banner, and no header label.
fn furniture_lines(page: &[Line]) -> Vec<usize> {
    let nonblank: Vec<usize> = (0..page.len())
        .filter(|&i| !page[i].text.trim().is_empty())
        .collect();
    let edges = nonblank.iter().take(3).chain(nonblank.iter().rev().take(3));
    let mut out: Vec<usize> = edges
        .copied()
        .filter(|&i| is_furniture(page[i].text))
        .collect();
    // A banner in capitals at the top of a page ("LONG BEACH POLICE DEPARTMENT") stands
    // beside a case or Bates line.
    if !out.is_empty() {
        for &i in nonblank.iter().take(2) {
            if is_shouting(page[i].text) && !has_label(page[i].text) && !out.contains(&i) {
                out.push(i);
            }
        }
    }
    // Release stamps and page counts can sit anywhere on a page; a stamp's codes may go
    // on below it ("RELEASE IN PART" over "B1,1.4(B),B6").
    for (n, &i) in nonblank.iter().enumerate() {
        let t = page[i].text;
        let stamp = is_release_stamp(t);
        if (stamp || is_page_footer(t)) && !out.contains(&i) {
            out.push(i);
        }
        if stamp {
            if let Some(&next) = nonblank.get(n + 1) {
                if next == i + 1 && stamp_codes().is_match(page[next].text) {
                    out.push(next);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn is_furniture(line: &str) -> bool {
    let t = line.trim();
    if is_page_footer(t) || is_release_stamp(t) || browser_print_line().is_match(t) {
        return true;
    }
    if has_label(t) {
        return false;
    }
    let shouting = is_shouting(t);
    let bates = bates_of(t).is_some();
    let sparse = t.split_whitespace().count() <= 8;
    (bates && (sparse || banner_words().is_match(t)))
        || (shouting && (banner_words().is_match(t) || bates))
}

fn is_shouting(line: &str) -> bool {
    let letters: Vec<char> = line.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 6
        && letters.iter().all(|c| c.is_uppercase())
        && line.split_whitespace().count() <= 10
}

fn has_label(line: &str) -> bool {
    let head: String = line.chars().take(16).collect();
    head.contains(':') && !head.contains("://") && {
        let before = head.split(':').next().unwrap_or("");
        before.len() <= 12
            && before.chars().all(|c| c.is_alphanumeric() || c == ' ')
            && !before.trim().is_empty()
            && !before.trim().chars().all(|c| c.is_ascii_digit())
    }
}

fn bates_of(line: &str) -> Option<String> {
    let c = bates_token().captures(line.trim_end())?;
    let found = c.name("doc").or_else(|| c.name("bates"))?.as_str().trim();
    // A bare number must look like a page stamp (leading zeros), not a year or a count.
    if found.chars().all(|ch| ch.is_ascii_digit() || ch == 'O') && !found.starts_with(['0', 'O']) {
        return None;
    }
    Some(found.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_PAGES: &str = "LONG BEACH POLICE DEPARTMENT\nCPRA RESPONSE #19-0442                                          LB-000013\n\nFrom:            [REDACTED]@ice.dhs.gov\nSent:            Friday, January 11, 2019 4:52 PM\nTo:              Det. [REDACTED]\nSubject:         RE: plate 8ANK302\n\nAny luck on this one?\n\n-----Original Message-----\nFrom: [REDACTED]@ice.dhs.gov\nSent: Thursday, January 3, 2019 2:07 PM\nTo: Det. [REDACTED]\nSubiect: plate 8ANK302\n\n\n                                                               Page 1 of 2\n\nLONG BEACH POLICE DEPARTMENT\nCPRA RESPONSE #19-0442                                          LB-000014\n\nHi Detective,\n\nCan you see if your cameras have picked up CA 8ANK302?\n\n                                                               Page 2 of 2\n";

    #[test]
    fn splits_and_keeps_page_and_bates() {
        let doc = parse_printed(TWO_PAGES);
        assert_eq!(doc.messages.len(), 2);
        let first = &doc.messages[0];
        assert_eq!(first.page, 1);
        assert_eq!(first.bates, "LB-000013");
        assert_eq!(first.body, "Any luck on this one?");
        let second = &doc.messages[1];
        assert!(
            second.body.contains("Can you see if your cameras"),
            "{}",
            second.body
        );
        assert!(!second.body.contains("LONG BEACH"), "{}", second.body);
        assert!(!second.body.contains("Page 1"), "{}", second.body);
        assert_eq!(doc.pages, 2);
    }

    #[test]
    fn a_header_block_split_by_a_state_department_banner_is_one_block() {
        let banner = "       UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05768029 Date: 02/13/2016";
        let text = format!("{banner}\nFrom: Carson, Johnnie\nTo: Sullivan, Jacob i; Abedin, Huma\n\n{banner}\n\x0c{banner}\n\n\n\nCc: Mills, Cheryl D\nSent: Wed Mar 31 20:08:42 2010\nSubject: RE: Telephone\n\nThanks.\n");
        let doc = parse_printed(&text);
        assert_eq!(doc.messages.len(), 1);
        let m = &doc.messages[0];
        assert_eq!(m.from, "Carson, Johnnie");
        assert_eq!(m.cc, vec!["Mills, Cheryl D".to_string()]);
        assert_eq!(m.date.local, "2010-03-31T20:08:42");
        assert_eq!((m.page, m.bates.as_str()), (1, "C05768029"));
        assert_eq!(m.body, "Thanks.");
    }

    #[test]
    fn a_page_count_beside_a_case_number_ends_the_page() {
        let text = "From: A\nSent: Friday, August 5, 2022 3:40 PM\n                       2022-ICFO-29931\n2022-ICFO-29931                                         Page 2 of 2\n                                                        000045\n\nTo: B\nSubject: x\n\nHello.\n";
        let doc = parse_printed(text);
        assert_eq!(doc.messages.len(), 1);
        assert_eq!(doc.messages[0].to, vec!["B".to_string()]);
        assert_eq!(doc.messages[0].body, "Hello.");
    }

    #[test]
    fn a_gmail_conversation_print() {
        let text = "3/5/2020                      City of Austin Mail - Staffing\n\nStaffing\n3 messages\n\nAnn Lee <alee@austintexas.gov>                     Tue, Mar 3, 2020 at 9:14 AM\nTo: Bo Diaz <bdiaz@dps.texas.gov>\nCc: Cy Ray <cray@austintexas.gov>\n\nWe are confirmed.\n\nBo Diaz <bdiaz@dps.texas.gov>                      Tue, Mar 3, 2020 at 1:47 PM\nTo: Ann Lee <alee@austintexas.gov>\n\nWe can give you 8 troopers.\n[Quoted text hidden]\n\nhttps://mail.google.com/mail/u/0?ik=3f9a2c1b7e&view=pt&search=all   1/2\n";
        let doc = parse_printed(text);
        assert_eq!(doc.messages.len(), 2, "{:?}", doc.messages);
        let first = &doc.messages[0];
        assert_eq!(first.from, "Ann Lee <alee@austintexas.gov>");
        assert_eq!(first.date.local, "2020-03-03T09:14:00");
        assert_eq!(first.cc, vec!["Cy Ray <cray@austintexas.gov>".to_string()]);
        assert_eq!(first.subject, "Staffing");
        assert_eq!(first.body, "We are confirmed.");
        assert!(!doc.messages[1].body.contains("mail.google.com"));
    }

    #[test]
    fn form_feeds_are_page_breaks_and_stamps_are_kept() {
        let text = "RELEASE IN PART B5,B6\nFrom: A\nSent: Friday, April 2, 2010 1:16 PM\nTo: B\nSubject: x\n\nhello\x0cFrom: C\nSent: Friday, April 2, 2010 1:00 PM\nTo: A\nSubject: y\n\nearlier\n";
        let doc = parse_printed(text);
        assert_eq!(doc.messages.len(), 2);
        assert_eq!(doc.messages[1].page, 2);
        assert_eq!(doc.stamps, vec!["RELEASE IN PART B5,B6".to_string()]);
    }

    #[test]
    fn a_memo_heading_block_is_a_memo_not_an_email() {
        let doc = parse_printed("MEMORANDUM FOR: Port Directors\n\nFROM:   (b)(6)\nDATE:   June 2, 2021\nSUBJECT: Requests\n\nText.\n");
        assert_eq!(doc.messages.len(), 1);
        let memo = &doc.messages[0];
        assert_eq!(memo.origin, Some(Origin::Memo));
        assert_eq!(memo.from, "(b)(6)");
        assert_eq!(memo.to, vec!["Port Directors".to_string()]);
        assert_eq!(memo.subject, "Requests");
        assert_eq!(memo.body, "Text.");
    }

    #[test]
    fn a_memo_inside_an_email_is_the_email_s_text() {
        let doc = parse_printed("From: A\nSent: Friday, April 2, 2010 1:16 PM\nTo: B\nSubject: memo\n\nSee below.\n\nMEMORANDUM FOR: Port Directors\nFROM: C\nSUBJECT: Requests\n\nText.\n");
        assert_eq!(doc.messages.len(), 1);
        assert_eq!(doc.messages[0].origin, Some(Origin::Printed));
    }

    #[test]
    fn a_memo_without_headers_gives_no_messages() {
        let doc = parse_printed("MEMORANDUM\n\nAll personnel shall read the order.\n");
        assert!(doc.messages.is_empty());
        assert!(doc.text_outside_messages.contains("All personnel"));
    }
}
