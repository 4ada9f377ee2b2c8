//! mbox files. Takes the bytes of an mbox and gives the bytes of each message in it:
//! `From ` separator lines removed, `>From ` unescaped (mboxrd and mboxo), LF, CRLF and
//! CR-only line endings accepted, and `Content-Length` framing honoured where the header
//! is present and agrees with the file.

use std::borrow::Cow;

/// Splits an mbox into messages, in file order.
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let data = normalise_cr(bytes);
    let data: &[u8] = &data;
    let mut messages = Vec::new();
    let mut pos = 0;
    // Anything before the first separator (should be nothing) is kept as a message too,
    // so that no text is silently dropped.
    while pos < data.len() {
        let start = if is_separator(data, pos) {
            next_line(data, pos)
        } else {
            pos
        };
        let end = content_length_end(data, start).unwrap_or_else(|| next_separator(data, start));
        let raw = &data[start..end];
        if raw.iter().any(|b| !b.is_ascii_whitespace()) {
            messages.push(unescape_from(raw));
        }
        pos = end;
    }
    messages
}

/// True when `bytes` look like an mbox: the first line is a `From ` separator.
pub fn looks_like_mbox(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    is_separator(bytes, start)
}

/// Files written with CR-only line endings (old Mac mail) become LF.
fn normalise_cr(bytes: &[u8]) -> Cow<'_, [u8]> {
    let has_lone_cr = bytes.windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n')
        || bytes.last() == Some(&b'\r') && !bytes.contains(&b'\n');
    if !has_lone_cr {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' {
            out.push(b'\n');
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(bytes[i]);
        }
        i += 1;
    }
    Cow::Owned(out)
}

/// A separator is `From ` at the start of a line followed, on the same line, by a
/// sender and something with a digit in it (the date).
fn is_separator(data: &[u8], pos: usize) -> bool {
    if pos > 0 && data[pos - 1] != b'\n' {
        return false;
    }
    if !data[pos..].starts_with(b"From ") {
        return false;
    }
    let line_end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |n| pos + n);
    let line = &data[pos + 5..line_end];
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let sender = words.next();
    let rest_has_digit = words.any(|w| w.iter().any(u8::is_ascii_digit));
    sender.is_some() && rest_has_digit
}

fn next_line(data: &[u8], pos: usize) -> usize {
    memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |n| pos + n + 1)
}

/// The next separator that follows a blank line (or, failing that, any separator line).
fn next_separator(data: &[u8], from: usize) -> usize {
    let mut pos = from;
    while pos < data.len() {
        let line_start = pos;
        pos = next_line(data, pos);
        if line_start > from && is_separator(data, line_start) {
            return line_start;
        }
    }
    data.len()
}

/// Where `Content-Length` says the message ends, if the header is present and a
/// separator (or the end of the file) is really there.
fn content_length_end(data: &[u8], start: usize) -> Option<usize> {
    let header_end = find_header_end(data, start)?;
    let headers = &data[start..header_end];
    let text = String::from_utf8_lossy(headers);
    let len: usize = text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })?;
    let end = header_end.checked_add(len)?;
    if end > data.len() {
        return None;
    }
    let mut probe = end;
    while probe < data.len() && (data[probe] == b'\n' || data[probe] == b'\r') {
        probe += 1;
    }
    (probe == data.len() || is_separator(data, probe)).then_some(probe)
}

fn find_header_end(data: &[u8], start: usize) -> Option<usize> {
    let body = &data[start..];
    let lf = memchr::memmem::find(body, b"\n\n").map(|n| n + 2);
    // Only a CRLF blank line before the LF one can come first: looking further would
    // read to the end of the file for every message of an LF mbox.
    let before_lf = lf.map_or(body, |n| &body[..n]);
    let crlf = memchr::memmem::find(before_lf, b"\r\n\r\n").map(|n| n + 4);
    let end = match (lf, crlf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(start + end)
}

/// Removes one `>` from lines that read `>From `, `>>From `...
fn unescape_from(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut pos = 0;
    while pos < raw.len() {
        let end = next_line(raw, pos);
        let line = &raw[pos..end];
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
        pos = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_separators_and_unescapes() {
        let mbox = b"From a@x.gov Tue Oct 22 16:05:33 2019\nFrom: a@x.gov\nSubject: one\n\n>From here on\nbody\n\nFrom b@y.gov Wed Oct 23 08:47:02 2019\nFrom: b@y.gov\nSubject: two\n\nsecond\n";
        let msgs = split_mbox(mbox);
        assert_eq!(msgs.len(), 2);
        let first = String::from_utf8(msgs[0].clone()).unwrap();
        assert!(first.contains("\nFrom here on\n"), "{first}");
        assert!(first.starts_with("From: a@x.gov"));
    }

    #[test]
    fn crlf_and_cr_line_endings() {
        let crlf = b"From a@x.gov Tue Oct 22 16:05:33 2019\r\nSubject: one\r\n\r\nbody\r\n\r\nFrom b@y.gov Wed Oct 23 08:47:02 2019\r\nSubject: two\r\n\r\nsecond\r\n";
        assert_eq!(split_mbox(crlf).len(), 2);
        let cr = b"From a@x.gov Tue Oct 22 16:05:33 2019\rSubject: one\r\rbody\r\rFrom b@y.gov Wed Oct 23 08:47:02 2019\rSubject: two\r\rsecond\r";
        assert_eq!(split_mbox(cr).len(), 2);
    }

    #[test]
    fn content_length_frames_an_unescaped_from_line() {
        let body = "line\nFrom the desk of someone 2019\nend\n";
        let mbox = format!(
            "From a@x.gov Tue Oct 22 16:05:33 2019\nSubject: one\nContent-Length: {}\n\n{body}\nFrom b@y.gov Wed Oct 23 08:47:02 2019\nSubject: two\n\nsecond\n",
            body.len()
        );
        let msgs = split_mbox(mbox.as_bytes());
        assert_eq!(msgs.len(), 2);
        assert!(String::from_utf8_lossy(&msgs[0]).contains("From the desk"));
    }

    #[test]
    fn prose_from_line_is_not_a_separator() {
        assert!(!looks_like_mbox(b"From what I hear, nothing.\n"));
        assert!(looks_like_mbox(b"From a@x.gov Tue Oct 22 16:05:33 2019\n"));
    }
}
