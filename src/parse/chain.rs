//! Chain segmentation: takes the text of a body or of a printed release and gives its
//! [`Segment`]s: the text before the first quoted message, then each quoted, forwarded or
//! printed message that carries its own header block (`From:` / `Sent:` / `To:` /
//! `Subject:`, after `-----Original Message-----`, `Begin forwarded message:` and the like)
//! or an attribution line (`On <date>, <name> wrote:`), with quote markers removed.
//! Header labels are read through OCR noise (`Frorn:`, `Subiect:`, `Sen t:`, `T0:`).

use std::sync::OnceLock;

use regex::Regex;

use crate::parse::notes::notes_block_at;
use crate::text::{built_regex, fixed_regex};

/// The header of a quoted or printed message, as printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderBlock {
    pub from: String,
    pub date: String,
    pub to: String,
    pub cc: String,
    pub subject: String,
    pub attachments: String,
    /// True when the header is an attribution line rather than a header block.
    pub attribution: bool,
    /// Exemption and classification marks printed in the margin beside the block
    /// (`B6`, `1.4(D)`), taken out of the values; they belong to the message's page.
    pub margin: String,
    /// Lines of the block that fill no field (`Importance: High`, a bounce's quoted
    /// `Message-ID:`), as written.
    pub other: Vec<String>,
}

/// A run of text: the part of a body before any quoted message (`header` is `None`), or a
/// quoted / printed message with its header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Segment {
    pub header: Option<HeaderBlock>,
    pub body: String,
    /// How many messages deep this one is quoted (0 for the text that quotes the rest).
    pub depth: u32,
    /// Index of the segment's first line (its header, when it has one) in the input.
    pub start_line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    From,
    Date,
    To,
    Cc,
    Bcc,
    Subject,
    Attachments,
    Importance,
}

/// Splits `text` into segments. The first segment is always the text before the first
/// quoted message (possibly empty); each later one carries a header.
pub fn split_chain(text: &str) -> Vec<Segment> {
    // Lines borrow from the text: dequoting a quoted region only narrows them.
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    split_lines(lines, &mut out);
    out
}

/// Text still to split: from which line of the current text, and what the message it
/// begins with carries.
struct Pending {
    from: usize,
    depth: u32,
    /// Quoted regions this text sits inside.
    nesting: u32,
    offset: usize,
    header: Option<HeaderBlock>,
    /// The line the message's header block starts on, when it is not `offset`.
    start_line: Option<usize>,
    /// Text before the first header of a quoted region belongs to the quoting message.
    joins_previous: bool,
}

/// Where the rest of the text goes once a message is split off.
struct Next<'t> {
    /// The dequoted lines of a quoted region, or `None` to go on in the same text.
    inner: Option<Vec<&'t str>>,
    pending: Pending,
}

/// Quoted regions nested deeper than this are kept as the text of the deepest message
/// read: each level is a copy of the text below it, so a hostile file could otherwise
/// cost time and memory by the square of its depth. Real chains stop far short of it.
pub const MAX_QUOTE_DEPTH: u32 = 100;

/// Splits the lines into segments, one message at a time. Each message hands the text
/// after its own to the next; this is a loop, not recursion, so that a chain of
/// thousands of messages cannot exhaust the stack, and only the text being split is
/// held (a quoted region's dequoted lines replace the text that held them).
fn split_lines(lines: Vec<&str>, out: &mut Vec<Segment>) {
    let mut current = lines;
    let mut pending = Some(Pending {
        from: 0,
        depth: 0,
        nesting: 0,
        offset: 0,
        header: None,
        start_line: None,
        joins_previous: false,
    });
    while let Some(mut p) = pending.take() {
        crate::watchdog::check();
        let at = out.len();
        let header = p.header.take();
        let next = split_one(&current[p.from..], &p, header, out);
        if let (Some(line), Some(seg)) = (p.start_line, out.get_mut(at)) {
            seg.start_line = line;
        }
        if p.joins_previous && at > 0 && out.get(at).is_some_and(|s| s.header.is_none()) {
            let lead = out.remove(at);
            if !lead.body.trim().is_empty() {
                let prev = &mut out[at - 1];
                prev.body.push('\n');
                prev.body.push_str(&lead.body);
            }
        }
        pending = next.map(|n| match n.inner {
            Some(inner) => {
                current = inner;
                Pending {
                    nesting: p.nesting + 1,
                    ..n.pending
                }
            }
            None => Pending {
                from: p.from + n.pending.from,
                nesting: p.nesting,
                ..n.pending
            },
        });
    }
}

/// Pushes the segment that begins `lines` and says where the next one starts, if any.
fn split_one<'t>(
    lines: &[&'t str],
    p: &Pending,
    header: Option<HeaderBlock>,
    out: &mut Vec<Segment>,
) -> Option<Next<'t>> {
    let (depth, offset) = (p.depth, p.offset);
    let mut tail: Vec<&str> = Vec::new();
    let same = |from: usize, block: HeaderBlock, start: usize| Next {
        inner: None,
        pending: Pending {
            from,
            depth: depth + 1,
            nesting: 0,
            offset: offset + from,
            header: Some(block),
            start_line: Some(offset + start),
            joins_previous: false,
        },
    };
    let descend = p.nesting < MAX_QUOTE_DEPTH;
    let body_until = |i: usize| &lines[..i];
    let mut i = 0;
    while i < lines.len() {
        if i % 4096 == 4095 {
            crate::watchdog::check();
        }
        let line = lines[i];
        if is_separator(line) {
            let next = next_nonblank(lines, i + 1, 3);
            if let Some((block, end)) = next.and_then(|n| header_block_at(lines, n)) {
                push(out, header, body_until(i), &tail, depth, offset);
                return Some(same(end, block, next.unwrap_or(i)));
            }
        }
        if let Some((block, end)) = header_block_at(lines, i) {
            push(out, header, body_until(i), &tail, depth, offset);
            return Some(same(end, block, i));
        }
        if let Some((block, end)) = attribution_at(lines, i) {
            let start = next_nonblank(lines, end, usize::MAX).unwrap_or(end);
            if descend && lines.get(start).is_some_and(|l| quote_level(l) > 0) {
                let stop = quoted_region_end(lines, start);
                let inner = dequote(&lines[start..stop]);
                tail.extend_from_slice(&lines[stop..]);
                push(out, header, body_until(i), &tail, depth, offset);
                return Some(Next {
                    inner: Some(inner),
                    pending: Pending {
                        from: 0,
                        depth: depth + 1,
                        nesting: 0,
                        offset: offset + start,
                        header: Some(block),
                        start_line: Some(offset + i),
                        joins_previous: false,
                    },
                });
            }
            push(out, header, body_until(i), &tail, depth, offset);
            return Some(same(end, block, i));
        }
        if descend && quote_level(line) > 0 {
            // A quoted region with no attribution: a message only if it holds a header block.
            let stop = quoted_region_end(lines, i);
            let inner = dequote(&lines[i..stop]);
            if has_boundary(&inner) {
                tail.extend_from_slice(&lines[stop..]);
                push(out, header, body_until(i), &tail, depth, offset);
                return Some(Next {
                    inner: Some(inner),
                    pending: Pending {
                        from: 0,
                        depth,
                        nesting: 0,
                        offset: offset + i,
                        header: None,
                        start_line: None,
                        joins_previous: true,
                    },
                });
            }
        }
        i += 1;
    }
    push(out, header, body_until(lines.len()), &tail, depth, offset);
    None
}

fn push(
    out: &mut Vec<Segment>,
    header: Option<HeaderBlock>,
    body: &[&str],
    tail: &[&str],
    depth: u32,
    offset: usize,
) {
    let mut text = body.join("\n");
    for t in tail {
        text.push('\n');
        text.push_str(t);
    }
    out.push(Segment {
        header,
        body: text.trim_matches('\n').to_string(),
        depth,
        start_line: offset,
    });
}

fn next_nonblank(lines: &[&str], from: usize, within: usize) -> Option<usize> {
    (from..lines.len())
        .take(within)
        .find(|&j| !lines[j].trim().is_empty())
}

fn quote_level(line: &str) -> usize {
    line.trim_start()
        .chars()
        .take_while(|&c| c == '>' || c == ' ')
        .filter(|&c| c == '>')
        .count()
}

/// The end (exclusive) of a run of `>`-quoted lines starting at `start`, blank lines
/// inside it included.
fn quoted_region_end(lines: &[&str], start: usize) -> usize {
    // Runs once per quoted message, over the rest of its quote: deep quoting makes it
    // the longest part of a reading.
    crate::watchdog::check();
    let mut end = start;
    let mut j = start;
    while j < lines.len() {
        if quote_level(lines[j]) > 0 {
            end = j + 1;
        } else if !lines[j].trim().is_empty() {
            break;
        }
        j += 1;
    }
    end
}

/// Removes one level of `>` quoting.
fn dequote<'t>(lines: &[&'t str]) -> Vec<&'t str> {
    lines
        .iter()
        .map(|l| {
            let t = l.trim_start();
            match t.strip_prefix('>') {
                Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
                None => l,
            }
        })
        .collect()
}

fn has_boundary(lines: &[&str]) -> bool {
    (0..lines.len())
        .any(|i| header_block_at(lines, i).is_some() || attribution_at(lines, i).is_some())
}

fn separator_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"(?i)^\s*(?:-{2,}\s*[o0]riginal\s+message\s*-{2,}|[o0]riginal\s+message|-{2,}\s*forwarded\s+message\s*-{2,}|begin\s+forwarded\s+message\s*:?|_{10,}|-{2,}\s*(?:reply|forward)\s+(?:message|header)\s*-{2,}|\*{3,}\s*forwarded.*)\s*$",
    )
}

fn is_separator(line: &str) -> bool {
    separator_regex().is_match(line)
}

/// Reads a header label through OCR noise.
pub(crate) fn label_of(raw: &str) -> Option<Label> {
    let mut norm: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c.to_ascii_lowercase() {
            '0' => 'o',
            '1' | '|' => 'l',
            c => c,
        })
        .collect();
    norm = norm.replace("rn", "m");
    let exact = match norm.as_str() {
        "from" => Some(Label::From),
        "sent" | "date" => Some(Label::Date),
        "to" => Some(Label::To),
        "cc" => Some(Label::Cc),
        "bcc" => Some(Label::Bcc),
        "subject" | "subj" => Some(Label::Subject),
        "attachments" | "attachment" => Some(Label::Attachments),
        "importance" => Some(Label::Importance),
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    const FUZZY: [(&str, Label); 5] = [
        ("from", Label::From),
        ("sent", Label::Date),
        ("date", Label::Date),
        ("subject", Label::Subject),
        ("attachments", Label::Attachments),
    ];
    FUZZY
        .iter()
        .find(|(word, _)| norm.len() >= 4 && edit_distance_le1(&norm, word))
        .map(|&(_, l)| l)
}

fn edit_distance_le1(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let mut i = 0;
    let mut j = 0;
    let mut edits = 0;
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (a.len() - i) + (b.len() - j) <= 1
}

/// Splits `Label: value`; the label may carry OCR noise and spaces (`Sen t:`).
fn label_line(line: &str) -> Option<(Label, &str)> {
    // HTML turned into text marks bold labels ("**From:** Galloway, Trent").
    let t = line.trim_start().trim_start_matches(['*', '_']);
    // OCR reads a colon as a semicolon at times ("Sent;").
    // A label is at most 14 characters: only the line's start is looked at (this runs at
    // every line of a print).
    let colon = t.bytes().take(15).position(|b| b == b':' || b == b';')?;
    if colon == 0 {
        return None;
    }
    let raw = &t[..colon];
    if !raw
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '|')
    {
        return None;
    }
    let label = label_of(raw)?;
    let after = t[colon + 1..].trim_start_matches(['*', '_']);
    // "http://..." and "12:30" are not labels; a label is followed by space or nothing.
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    Some((label, after.trim()))
}

/// How many blank lines may stand inside a header block: a page break in the middle of
/// it leaves the page's bottom and top margins (its banner and footer removed).
const BLANKS_IN_BLOCK: usize = 12;

/// A header block starting at line `i`: returns it and the index of the line after it.
/// Labels may come in any order (Apple Mail prints `Subject:` first), so a block may
/// start at any label; it must hold a `From:`.
fn header_block_at(lines: &[&str], i: usize) -> Option<(HeaderBlock, usize)> {
    if let Some(found) = notes_block_at(lines, i) {
        return Some(found);
    }
    let mut block = HeaderBlock::default();
    let mut seen: Vec<Label> = Vec::new();
    let mut last: Option<Label> = None;
    let mut j = i;
    if let Some((from, date)) = gmail_sender_at(lines, i) {
        block.from = from;
        block.date = date;
        seen.extend([Label::From, Label::Date]);
        j = i + 1;
    } else {
        let (first, _) = label_line(lines.get(i)?)?;
        if matches!(first, Label::Importance | Label::Attachments | Label::Bcc) {
            return None;
        }
    }
    while j < lines.len() {
        let line = &lines[j];
        if line.trim().is_empty() {
            // Blank lines may sit between header lines: layout-preserving text puts one
            // there, and a page break (its banner removed) several.
            let next = next_nonblank(lines, j + 1, BLANKS_IN_BLOCK);
            let continues = next
                .and_then(|n| label_line(lines[n]))
                .is_some_and(|(l, _)| !seen.contains(&l) && !seen.contains(&Label::Subject));
            match next {
                Some(n) if continues => {
                    j = n;
                    continue;
                }
                _ => break,
            }
        }
        if let Some(marks) = margin_only(line) {
            block.push_margin(marks, true);
            j += 1;
            continue;
        }
        if let Some((label, value)) = label_line(line) {
            let repeated_list = last == Some(label) && is_list(label);
            if seen.contains(&label) && !repeated_list {
                break;
            }
            if !repeated_list {
                seen.push(label);
            }
            last = Some(label);
            if slot(&mut block, label).is_none() {
                block.other.push(line.trim().to_string());
                j += 1;
                continue;
            }
            let value = block.take_margin(value);
            add(&mut block, label, &columns_as_list(label, value), "; ");
            j += 1;
            continue;
        }
        // Other RFC 5322 fields copied into a body (a bounce quotes the original message's
        // header whole) belong to the block but fill nothing.
        if is_other_field(line) {
            block.other.push(line.trim().to_string());
            j += 1;
            continue;
        }
        // A wrapped value: indented, or the previous value ends in a list separator, or
        // (a wide layout wraps a list without either) another label follows at once.
        let indented = line.starts_with("  ") || line.starts_with('\t');
        let open_list = last
            .and_then(|l| slot(&mut block, l).map(|v| v.trim_end().ends_with([';', ','])))
            .unwrap_or(false);
        let label_follows = last.is_some_and(is_list) && label_within(lines, j + 1, 3);
        match last {
            Some(
                l @ (Label::To
                | Label::Cc
                | Label::Bcc
                | Label::Subject
                | Label::Attachments
                | Label::From),
            ) if (indented || open_list || label_follows) && !seen.contains(&Label::Subject)
                || (l == Label::Subject && indented && j == i + seen.len()) =>
            {
                let value = block.take_margin(line.trim());
                let sep = if is_list(l) && !open_list { "; " } else { " " };
                add(&mut block, l, &columns_as_list(l, value), sep);
                j += 1;
            }
            _ => break,
        }
    }
    let has = |l: Label| seen.contains(&l);
    let valid = has(Label::From)
        && ((has(Label::Date) && (has(Label::To) || has(Label::Subject)))
            || (has(Label::To) && has(Label::Subject)));
    // A memo's heading (`TO:` `FROM:` `DATE: March 4, 2024` `SUBJECT:`) looks like a
    // block out of order; an email's block out of order still carries a time of day.
    let email_like = seen.first() == Some(&Label::From) || has_time_of_day(&block.date);
    (valid && email_like).then_some((block, j))
}

fn gmail_sender_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"^\s*(?P<from>\S.*?>|\S.*?\S\s\s)\s+(?P<date>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4},?\s+(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?)\s*$",
    )
}

/// A Gmail print's message header: the sender and the date on one line
/// (`Ann Lee <ann@x.gov>          Tue, Mar 3, 2020 at 9:14 AM`, the gap one space
/// wide in some PDF text layers when the sender ends in an address), then `To:`.
fn gmail_sender_at(lines: &[&str], i: usize) -> Option<(String, String)> {
    // The cheap test first: this runs at every line.
    let (next, _) = label_line(lines.get(i + 1)?)?;
    if next != Label::To {
        return None;
    }
    let c = gmail_sender_regex().captures(lines.get(i)?)?;
    Some((c["from"].trim().to_string(), c["date"].trim().to_string()))
}

fn has_time_of_day(date: &str) -> bool {
    let b = date.as_bytes();
    b.windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit())
}

/// `Message-Id:`, `Content-Type:`, `X-Mailer:`, `Received:`: a mail header field that is
/// not one a print shows.
fn is_other_field(line: &str) -> bool {
    let Some((name, _)) = line.split_once(':') else {
        return false;
    };
    let plain = !name.is_empty()
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    plain
        && (name.contains('-')
            || [
                "received",
                "sender",
                "references",
                "organization",
                "priority",
            ]
            .contains(&name.to_ascii_lowercase().as_str()))
}

fn is_list(label: Label) -> bool {
    matches!(label, Label::To | Label::Cc | Label::Bcc)
}

/// Whether a header label starts one of the `within` lines from `from` (a wrapped list
/// may be followed by a blank line before the next label, as a layout print leaves).
fn label_within(lines: &[&str], from: usize, within: usize) -> bool {
    lines
        .iter()
        .skip(from)
        .take(within)
        .any(|line| label_line(line).is_some())
}

/// An exemption or classification mark as printed in a margin: `B6`, `B7(C)`, `(b)(6)`,
/// `b6 -1` (the FBI's count of the persons withheld), `1.4(D)`.
const MARGIN_MARK: &str = r"(?:\(b\)\s*\(\d\)(?:\s*\([A-Za-z]\))?|[Bb]\d(?:\s*\(?[A-Za-z]\)?)?(?:\s-\s?\d{1,2})?|1\.4\s*\([A-Ha-h]\))";

fn margin_line_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    built_regex(&RE, || {
        format!(r"^\s*{MARGIN_MARK}(?:[,\s]+{MARGIN_MARK})*\s*$")
    })
}

fn margin_tail_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    built_regex(&RE, || {
        format!(r"\S\s{{3,}}(?P<marks>{MARGIN_MARK}(?:[,\s]+{MARGIN_MARK})*)\s*$")
    })
}

fn classification_tail() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"\s{3,}(?:[—–-]\s*)?(?:Classified\s+by\b|Class:|CONFIDENTIAL\b|SECRET\b|Reason:|Declassify\b|on:\s*\d).*$",
    )
}

/// A line that holds only margin marks.
fn margin_only(line: &str) -> Option<&str> {
    let t = line.trim();
    // The cheap test first: a mark starts with `(b)`, `B`/`b` and a digit, or `1.4`.
    if t.is_empty() || t.len() > 60 || !t.starts_with(['(', 'B', 'b', '1']) {
        return None;
    }
    margin_line_regex().is_match(line).then_some(t)
}

/// In a wide layout, a list's columns stand apart by runs of spaces: each is an entry.
fn columns_as_list(label: Label, value: &str) -> String {
    if !is_list(label) || !value.contains("   ") {
        return value.to_string();
    }
    value
        .split("   ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

impl HeaderBlock {
    /// Keeps margin marks aside: marks on a line of their own go on with the marks above
    /// them (one stack), marks beside another header line start a new one.
    fn push_margin(&mut self, marks: &str, own_line: bool) {
        if !self.margin.is_empty() {
            self.margin.push(if own_line { ' ' } else { '\n' });
        }
        self.margin.push_str(marks);
    }

    /// Takes margin marks off the end of a value, keeping them aside.
    fn take_margin<'a>(&mut self, value: &'a str) -> &'a str {
        // Both kinds of margin text stand three spaces or more from the value.
        if !value.contains("   ") {
            return value;
        }
        // A classification marking printed across the margin ("Classified by DAS ...
        // Reason: 1.4(B) ... Declassify on: 06/17/2027") is the page's, not the value's.
        let value = match classification_tail().find(value) {
            Some(m) if m.start() > 0 => {
                self.push_margin(m.as_str().trim(), false);
                value[..m.start()].trim_end()
            }
            _ => value,
        };
        let Some(c) = margin_tail_regex().captures(value) else {
            return value;
        };
        let Some(marks) = c.name("marks") else {
            return value;
        };
        self.push_margin(marks.as_str(), false);
        value[..marks.start()].trim_end()
    }
}

/// The field a label fills; `Importance` is read but not kept.
fn slot(block: &mut HeaderBlock, label: Label) -> Option<&mut String> {
    match label {
        Label::From => Some(&mut block.from),
        Label::Date => Some(&mut block.date),
        Label::To => Some(&mut block.to),
        Label::Cc | Label::Bcc => Some(&mut block.cc),
        Label::Subject => Some(&mut block.subject),
        Label::Attachments => Some(&mut block.attachments),
        Label::Importance => None,
    }
}

/// Adds a value to its field: `separator` joins it to a value already there (`; ` for a
/// repeated label such as Cc and Bcc, a space for a wrapped line).
fn add(block: &mut HeaderBlock, label: Label, value: &str, separator: &str) {
    if let Some(field) = slot(block, label) {
        if !field.is_empty() {
            field.push_str(separator);
        }
        field.push_str(value);
    }
}

fn attribution_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"(?i)^\s*On\s+(?P<date>.+?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*[+-]\d{4})?(?:\s*\(?[A-Z]{2,4}\)?)?|[^,]+,\s*[^,]+,\s*\d{4}|.+?\d{4})\s*,?\s+(?P<who>.+?)\s+(?:wrote|writes|a\s+écrit)\s*:\s*$",
    )
}

fn short_attribution_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"^\s*(?P<who>[^<>:]{2,80}<[^<>\s]+@[^<>\s]+>)\s+wrote:\s*$",
    )
}

/// `H wrote:`: a name alone, which counts only when quoted lines follow.
fn bare_attribution_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    fixed_regex(
        &RE,
        r"^\s*(?P<who>[A-Z][\w.'-]*(?:[ ,]+[A-Z][\w.'-]*){0,3})\s+wrote:\s*$",
    )
}

/// An attribution line (possibly wrapped over two lines) at `i`.
fn attribution_at(lines: &[&str], i: usize) -> Option<(HeaderBlock, usize)> {
    let line = lines.get(i)?;
    let t = line.trim();
    // Both forms end in "wrote:": the cheap test first, as this runs at every line.
    if !t.ends_with("wrote:") && !t.starts_with("On ") && !t.starts_with("on ") {
        return None;
    }
    let bare = bare_attribution_regex()
        .captures(t)
        .filter(|_| next_nonblank(lines, i + 1, 2).is_some_and(|n| quote_level(lines[n]) > 0));
    if let Some(c) = short_attribution_regex().captures(t).or(bare) {
        let block = HeaderBlock {
            from: c["who"].trim().to_string(),
            attribution: true,
            ..HeaderBlock::default()
        };
        return Some((block, i + 1));
    }
    if !t.starts_with("On ") && !t.starts_with("on ") {
        return None;
    }
    let candidates = [
        (t.to_string(), i + 1),
        (
            format!("{} {}", t, lines.get(i + 1).map(|l| l.trim()).unwrap_or("")),
            i + 2,
        ),
    ];
    for (joined, end) in candidates {
        if joined.len() > 300 {
            continue;
        }
        if let Some(c) = attribution_regex().captures(&joined) {
            let block = HeaderBlock {
                from: c["who"].trim().trim_end_matches(',').to_string(),
                date: c["date"].trim().to_string(),
                attribution: true,
                ..HeaderBlock::default()
            };
            return Some((block, end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlook_original_message_blocks_split() {
        let text = "Thanks, got it.\n\nTom\n\n-----Original Message-----\nFrom: Vasquez, Lorena <lv@chulavistaca.gov>\nSent: Monday, June 3, 2019 3:41 PM\nTo: Kowalski, Aaron <a@ice.dhs.gov>\nSubject: RE: plate\n\nUse legal process.\n\n-----Original Message-----\nFrom: Kowalski, Aaron\nSent: Monday, June 3, 2019 1:00 PM\nTo: Vasquez, Lorena\nSubject: plate\n\nCan you run it?\n";
        let segs = split_chain(text);
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[0].body, "Thanks, got it.\n\nTom");
        let h1 = segs[1].header.as_ref().unwrap();
        assert_eq!(h1.from, "Vasquez, Lorena <lv@chulavistaca.gov>");
        assert_eq!(h1.date, "Monday, June 3, 2019 3:41 PM");
        assert_eq!(segs[1].body, "Use legal process.");
        assert_eq!(segs[2].body, "Can you run it?");
        assert_eq!(segs[2].depth, 2);
    }

    #[test]
    fn attribution_with_quoted_lines_is_dequoted() {
        let text = "Attached.\n\nOn Tue, Feb 26, 2019 at 4:12 PM, Alvarez, Marisol <m@ice.dhs.gov> wrote:\n> Hi Tom,\n>\n> Could you pull the reads?\n";
        let segs = split_chain(text);
        assert_eq!(segs.len(), 2);
        let h = segs[1].header.as_ref().unwrap();
        assert!(h.attribution);
        assert_eq!(h.from, "Alvarez, Marisol <m@ice.dhs.gov>");
        assert_eq!(h.date, "Tue, Feb 26, 2019 at 4:12 PM");
        assert_eq!(segs[1].body, "Hi Tom,\n\nCould you pull the reads?");
    }

    #[test]
    fn wrapped_attribution_line() {
        let text = "ok\n\nOn Mon, Sep 9, 2019 at 10:02 AM, Kowal, Erin <ekowal@fbi.gov>\nwrote:\n> any chance?\n";
        let segs = split_chain(text);
        assert_eq!(segs.len(), 2);
        assert_eq!(
            segs[1].header.as_ref().unwrap().from,
            "Kowal, Erin <ekowal@fbi.gov>"
        );
    }

    #[test]
    fn ocr_noisy_labels_and_layout_columns() {
        let text = "2O19-ICFO-18840      O00312\n\nFrorn:              B6, B7C\nSent:               Tuesday, Apri1 9, 2019 7:58 AM\nT0:                 B6, B7C\nSubjcct:            RE: re1ease date\n\nThanks.\n\n-----0riginal Message-----\nFrorn: B6, B7C\nSen t: Monday, Apri1 8, 2019 4:31 PM\nT o: B6, B7C\nSubiect: re1ease date\n\nHe's out on the 12th.\n";
        let segs = split_chain(text);
        assert_eq!(segs.len(), 3, "{segs:#?}");
        assert!(segs[0].header.is_none());
        assert_eq!(segs[1].header.as_ref().unwrap().subject, "RE: re1ease date");
        assert_eq!(segs[2].header.as_ref().unwrap().to, "B6, B7C");
        assert_eq!(segs[2].body, "He's out on the 12th.");
    }

    #[test]
    fn a_bounce_quotes_the_original_header_whole() {
        let text = "Delivery failed.\n\nMessage-Id: <C@gmail.com>\nFrom: a <a@gmail.com>\nTo: k@example.co.jp\nContent-Type: text/plain; charset=US-ASCII\nMime-Version: 1.0\nSubject: test for bounce 2\nDate: Mon, 4 Oct 2010 07:49:27 +0900\n\ntest\n";
        let segs = split_chain(text);
        assert_eq!(segs.len(), 2, "{segs:#?}");
        let h = segs[1].header.clone().unwrap_or_default();
        assert_eq!(h.to, "k@example.co.jp");
        assert_eq!(h.subject, "test for bounce 2");
        assert_eq!(segs[1].body, "test");
    }

    #[test]
    fn gmail_forward_and_apple_forward() {
        let text = "FYI\n\n---------- Forwarded message ---------\nFrom: Ann Lee <ann@x.gov>\nDate: Mon, Mar 2, 2020 at 9:14 AM\nSubject: plates\nTo: Bob <bob@y.gov>\n\nhello\n\nBegin forwarded message:\n\nFrom: Cy <cy@z.gov>\nSubject: older\nDate: March 1, 2020 at 8:00:00 AM PST\nTo: Ann Lee <ann@x.gov>\n\nolder text\n";
        let segs = split_chain(text);
        assert_eq!(segs.len(), 3, "{segs:#?}");
        assert_eq!(segs[1].body, "hello");
        assert_eq!(segs[2].header.as_ref().unwrap().from, "Cy <cy@z.gov>");
    }

    #[test]
    fn quoted_text_without_header_is_not_a_message() {
        let text = "I agree.\n\n> earlier words\n> more words\n";
        let segs = split_chain(text);
        assert_eq!(segs.len(), 1);
        assert!(segs[0].body.contains("> earlier words"));
    }

    #[test]
    fn prose_with_a_from_line_is_not_a_header() {
        let text = "From: the desk of the chief\nWe met on Tuesday.\n";
        assert_eq!(split_chain(text).len(), 1);
    }

    #[test]
    fn header_block_split_by_a_page_break() {
        let text = "Yes.\n\n-----Original Message-----\nFrom: A <a@x.gov>\nSent: Wednesday, April 9, 2025 3:40 PM\n\n\n\nTo: B <b@y.us>\nSubject: Elm St\n\nIs he still there?\n";
        let segs = split_chain(text);
        assert_eq!(segs.len(), 2, "{segs:#?}");
        assert_eq!(segs[1].header.as_ref().unwrap().subject, "Elm St");
        assert_eq!(segs[1].body, "Is he still there?");
    }

    #[test]
    fn bold_labels_from_html() {
        let text = "10-4 will send\n\n**From:** Galloway, Trent <t@gwinnettcounty.com>\n**Sent:** Monday, October 16, 2023 3:12 PM\n**To:** Oyelaran, Marcus <m@cobbcounty.org>\n**Subject:** bookings\n\nCan you pull it?\n";
        let segs = split_chain(text);
        assert_eq!(segs.len(), 2, "{segs:#?}");
        assert_eq!(
            segs[1].header.as_ref().unwrap().from,
            "Galloway, Trent <t@gwinnettcounty.com>"
        );
    }

    #[test]
    fn wrapped_to_list() {
        let text = "From:    A <a@x.gov>\nSent:    Monday, June 3, 2019 3:41 PM\nTo:      B <b@y.gov>; C <c@y.gov>;\n         D <d@y.gov>\nSubject: hi\n\nbody\n";
        let segs = split_chain(text);
        assert_eq!(
            segs[1].header.as_ref().unwrap().to,
            "B <b@y.gov>; C <c@y.gov>; D <d@y.gov>"
        );
    }
}
