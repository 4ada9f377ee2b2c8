//! RFC 5322 / MIME messages through `mailparse`. Takes the bytes of one message and gives
//! its [`Message`] records: the message itself (headers decoded, text/plain preferred,
//! HTML turned into text, attachments listed), every quoted message recovered from its
//! body, and every attached `message/rfc822`, recursively.

use mailparse::{body::Body, DispositionType, MailAddr, MailHeaderMap, ParsedMail};

use crate::model::{Attachment, Message, Origin};
use crate::parse::chain::{split_chain, Segment};
use crate::parse::dates::parse_date;
use crate::text::{decode_text, html_to_text};

/// How deep attached messages may nest before the rest is listed as attachments only.
const MAX_ATTACHED_DEPTH: usize = 8;

/// Parses one message. Problems that lose part of the message are returned as reasons;
/// the message rows that could be recovered are pushed to `out` regardless.
pub fn parse_message(bytes: &[u8], origin: Origin, out: &mut Vec<Message>) -> Vec<String> {
    let mut problems = Vec::new();
    parse_at_depth(bytes, origin, 0, out, &mut problems);
    problems
}

fn parse_at_depth(
    bytes: &[u8],
    origin: Origin,
    depth: usize,
    out: &mut Vec<Message>,
    problems: &mut Vec<String>,
) {
    match mailparse::parse_mail(bytes) {
        Ok(mail) => {
            let mut parts = Parts::default();
            collect(&mail, &mut parts, problems);
            let body = match (parts.plain, parts.html) {
                (Some(p), _) if !p.trim().is_empty() => p,
                (_, Some(h)) => html_to_text(&h),
                (Some(p), None) => p,
                (None, None) => String::new(),
            };
            let top = header_message(&mail.headers, origin, parts.attachments);
            push_with_quoted(top, &body, out);
            for raw in parts.attached {
                if depth < MAX_ATTACHED_DEPTH {
                    parse_at_depth(&raw, Origin::Attached, depth + 1, out, problems);
                } else {
                    problems.push(
                        "attached messages nested too deep; the deepest were not read".into(),
                    );
                }
            }
        }
        Err(err) => recover_headers(bytes, origin, &err, out, problems),
    }
}

/// When the MIME structure cannot be parsed (deep nesting, broken boundaries), keep the
/// headers and read the rest as plain text, so the message is not lost.
fn recover_headers(
    bytes: &[u8],
    origin: Origin,
    err: &mailparse::MailParseError,
    out: &mut Vec<Message>,
    problems: &mut Vec<String>,
) {
    match mailparse::parse_headers(bytes) {
        Ok((headers, body_start)) => {
            problems.push(format!(
                "MIME structure unreadable ({err}); headers kept, body read as plain text"
            ));
            let body = decode_text(bytes.get(body_start..).unwrap_or_default()).into_owned();
            let top = header_message(&headers, origin, Vec::new());
            push_with_quoted(top, &body, out);
        }
        Err(e) => problems.push(format!("not a readable RFC 5322 message: {e}")),
    }
}

/// Pushes the message with its own body, then one record per quoted message in it.
pub fn push_with_quoted(mut top: Message, body: &str, out: &mut Vec<Message>) {
    let mut segments = split_chain(body).into_iter();
    top.body = segments.next().map(|s| s.body).unwrap_or_default();
    out.push(top);
    for seg in segments {
        out.push(quoted_message(seg));
    }
}

/// A message recovered from a quoted or printed header block.
pub fn quoted_message(seg: Segment) -> Message {
    let header = seg.header.unwrap_or_default();
    let mut body = seg.body;
    // Margin marks beside the header block are the page's redaction marks: they stay
    // with the message's text.
    if !header.margin.is_empty() {
        body.push_str("\n\n");
        body.push_str(&header.margin);
    }
    Message {
        origin: Some(Origin::Quoted),
        date: parse_date(&header.date),
        from: header.from.clone(),
        to: split_list(&header.to),
        cc: split_list(&header.cc),
        subject: header.subject.clone(),
        other_headers: header.other.clone(),
        body,
        depth: seg.depth,
        attachments: split_list(&header.attachments)
            .into_iter()
            .map(|name| Attachment {
                name,
                content_type: String::new(),
                size: 0,
            })
            .collect(),
        ..Message::default()
    }
}

/// Splits a printed address list: `;` separates entries; `,` only where every piece
/// holds an address (names are written "Last, First").
pub fn split_list(value: &str) -> Vec<String> {
    let value = value.trim();
    if value.is_empty() {
        return Vec::new();
    }
    let mut parts: Vec<String> = Vec::new();
    for piece in value.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        // "(b)(6); (b)(7)(C)@x.gov" is one withheld address: the codes stand together.
        match parts.last_mut() {
            Some(last) if is_only_codes(last) => {
                last.push_str("; ");
                last.push_str(piece);
            }
            _ => parts.push(piece.to_string()),
        }
    }
    if parts.len() == 1 && value.matches('@').count() > 1 {
        let by_comma: Vec<String> = value.split(">,").map(|s| s.trim().to_string()).collect();
        if by_comma.len() > 1 {
            let n = by_comma.len();
            return by_comma
                .into_iter()
                .enumerate()
                .map(|(i, s)| if i + 1 < n { format!("{s}>") } else { s })
                .collect();
        }
    }
    parts
}

/// A list entry that is only exemption codes (`(b)(6)`, `B6`, `(b) (7)(C)`).
fn is_only_codes(entry: &str) -> bool {
    if entry.len() > 40 || !entry.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let spans = crate::extract::redactions::redactions_in(entry);
    !spans.is_empty()
        && spans.iter().all(|r| !r.codes.is_empty())
        && spans.iter().map(|r| r.text.len()).sum::<usize>() == entry.len()
}

fn header_message(
    headers: &[mailparse::MailHeader],
    origin: Origin,
    attachments: Vec<Attachment>,
) -> Message {
    let get = |name: &str| headers.get_first_value(name).unwrap_or_default();
    Message {
        origin: Some(origin),
        message_id: get("Message-ID").trim().to_string(),
        in_reply_to: get("In-Reply-To").trim().to_string(),
        references: message_ids(&get("References")),
        date: parse_date(&get("Date")),
        from: addresses(headers, "From").join("; "),
        to: addresses(headers, "To"),
        cc: addresses(headers, "Cc"),
        subject: get("Subject").trim().to_string(),
        attachments,
        ..Message::default()
    }
}

/// The `<id>` tokens of a `References` header, in order (bare tokens when a broken
/// mailer left out the angle brackets).
fn message_ids(value: &str) -> Vec<String> {
    let bracketed: Vec<String> = value
        .split('<')
        .skip(1)
        .filter_map(|piece| piece.split_once('>'))
        .map(|(id, _)| format!("<{}>", id.trim()))
        .filter(|id| id.len() > 2)
        .collect();
    if !bracketed.is_empty() {
        return bracketed;
    }
    value.split_whitespace().map(str::to_string).collect()
}

fn addresses(headers: &[mailparse::MailHeader], name: &str) -> Vec<String> {
    let Some(header) = headers.get_first_header(name) else {
        return Vec::new();
    };
    match mailparse::addrparse_header(header) {
        Ok(list) => list
            .iter()
            .flat_map(|addr| match addr {
                MailAddr::Single(s) => vec![format_addr(s)],
                MailAddr::Group(g) => g.addrs.iter().map(format_addr).collect(),
            })
            .collect(),
        // Undisclosed or broken lists: keep what was written.
        Err(_) => split_list(&header.get_value()),
    }
}

fn format_addr(info: &mailparse::SingleInfo) -> String {
    match &info.display_name {
        Some(name) if !name.trim().is_empty() => format!("{} <{}>", name.trim(), info.addr),
        _ => info.addr.clone(),
    }
}

/// A text part's bytes in the charset its header declares, unless the declaration is
/// wrong: an unknown charset, or none (`us-ascii` by default), is read as UTF-8, then
/// Windows-1252; text declared UTF-16 with no NUL bytes in it is not UTF-16; and a
/// declared charset that fails where UTF-8 reads clean gives way to UTF-8.
fn decode_declared(bytes: &[u8], charset: &str) -> String {
    let label = charset.trim().to_ascii_lowercase();
    let declared = match label.as_str() {
        "" | "us-ascii" | "ascii" | "utf-8" | "utf8" => None,
        _ => encoding_rs::Encoding::for_label(label.as_bytes()),
    };
    let Some(encoding) = declared else {
        return decode_text(bytes).into_owned();
    };
    let wide = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
    if wide && !looks_like_utf16(bytes) {
        return decode_text(bytes).into_owned();
    }
    let (text, _, had_errors) = encoding.decode(bytes);
    match std::str::from_utf8(bytes) {
        Ok(utf8) if had_errors => utf8.to_string(),
        _ => text.into_owned(),
    }
}

/// UTF-16 text has a byte-order mark, or a NUL beside nearly every ASCII letter.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || bytes.iter().filter(|&&b| b == 0).count() * 4 >= bytes.len()
}

#[derive(Default)]
struct Parts {
    plain: Option<String>,
    html: Option<String>,
    attachments: Vec<Attachment>,
    attached: Vec<Vec<u8>>,
}

fn collect(part: &ParsedMail, parts: &mut Parts, problems: &mut Vec<String>) {
    crate::watchdog::check();
    let mime = part.ctype.mimetype.to_ascii_lowercase();
    if mime.starts_with("multipart/") {
        for sub in &part.subparts {
            collect(sub, parts, problems);
        }
        return;
    }
    let disposition = part.get_content_disposition();
    let filename = disposition
        .params
        .get("filename")
        .or_else(|| part.ctype.params.get("name"))
        .cloned();
    if mime == "message/rfc822" {
        let raw = part.get_body_raw().unwrap_or_default();
        parts.attachments.push(Attachment {
            name: filename.unwrap_or_else(|| "message.eml".into()),
            content_type: mime,
            size: raw.len(),
        });
        if !raw.is_empty() {
            parts.attached.push(raw);
        }
        return;
    }
    let is_attachment = disposition.disposition == DispositionType::Attachment
        || (filename.is_some() && !mime.starts_with("text/"));
    let is_text = mime == "text/plain" || mime == "text/html";
    if !is_attachment && is_text {
        let text = match part.get_body_raw() {
            Ok(bytes) => decode_declared(&bytes, &part.ctype.charset),
            Err(e) => {
                problems.push(format!("{mime} part not decoded ({e}); raw text kept"));
                decode_text(part.raw_bytes).into_owned()
            }
        };
        let slot = if mime == "text/plain" {
            &mut parts.plain
        } else {
            &mut parts.html
        };
        match slot {
            None => *slot = Some(text),
            // A second inline text part (a signature, a footer) belongs to the same body.
            Some(existing) => {
                existing.push_str("\n\n");
                existing.push_str(&text);
            }
        }
        return;
    }
    parts.attachments.push(Attachment {
        name: filename.unwrap_or_default(),
        content_type: mime,
        size: decoded_len(part),
    });
}

/// The size of a part once decoded. A file's content is never read, so base64 (most
/// of a production's bytes) is counted, not decoded: every four letters of the alphabet
/// are three bytes.
fn decoded_len(part: &ParsedMail) -> usize {
    match part.get_body_encoded() {
        Body::Base64(body) => base64_letters(body.get_raw()) * 3 / 4,
        Body::QuotedPrintable(body) => body.get_decoded().map_or(0, |b| b.len()),
        Body::SevenBit(body) | Body::EightBit(body) => body.get_raw().len(),
        Body::Binary(body) => body.get_raw().len(),
    }
}

/// How many letters of the base64 alphabet `bytes` holds. The test has no branches and
/// the count is kept in bytes over short chunks, so the compiler reads many bytes at once.
fn base64_letters(bytes: &[u8]) -> usize {
    let letter = |b: u8| {
        let folded = b | 0x20;
        u8::from(
            (folded.wrapping_sub(b'a') < 26)
                | (b.wrapping_sub(b'0') < 10)
                | (b == b'+')
                | (b == b'/'),
        )
    };
    bytes
        .chunks(255)
        .map(|chunk| usize::from(chunk.iter().fold(0u8, |n, &b| n + letter(b))))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::decode_declared;

    #[test]
    fn base64_letters_are_counted_as_the_alphabet_says() {
        let all: Vec<u8> = (0..=255u8).collect();
        let expected = all
            .iter()
            .filter(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'/')
            .count();
        assert_eq!(super::base64_letters(&all), expected);
        assert_eq!(super::base64_letters(&all.repeat(3)), expected * 3);
    }

    #[test]
    fn declared_charsets_are_believed_only_when_they_fit() {
        // Lying: ASCII declared as UTF-16.
        assert_eq!(decode_declared(b"plain ascii", "utf-16"), "plain ascii");
        // Unknown: UTF-8, else Windows-1252.
        assert_eq!(decode_declared(b"caf\xe9", "x-klingon"), "café");
        assert_eq!(decode_declared("café".as_bytes(), "x-klingon"), "café");
        // Undeclared UTF-8 (us-ascii by default) stays UTF-8.
        assert_eq!(decode_declared("naïve".as_bytes(), "us-ascii"), "naïve");
        // True declarations are read as declared.
        assert_eq!(decode_declared(b"caf\xe9", "iso-8859-1"), "café");
        assert_eq!(decode_declared(b"\xff\xfeh\x00i\x00", "utf-16"), "hi");
        assert_eq!(
            decode_declared(b"\x1b$B%a!<%k\x1b(B", "iso-2022-jp"),
            "メール"
        );
    }
    use super::*;

    fn parse(raw: &str) -> Vec<Message> {
        let mut out = Vec::new();
        let problems = parse_message(raw.as_bytes(), Origin::Header, &mut out);
        assert!(problems.is_empty(), "{problems:?}");
        out
    }

    #[test]
    fn rfc2047_and_quoted_printable_decode() {
        let msgs = parse("From: =?UTF-8?Q?Jos=C3=A9_P=C3=A9rez?= <jp@x.gov>\r\nTo: a@b.gov\r\nSubject: =?ISO-8859-1?Q?Caf=E9?=\r\nDate: Wed, 27 Feb 2019 10:15:12 -0800\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nsoft=\r\nbreak caf=C3=A9\r\n");
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].from, "José Pérez <jp@x.gov>");
        assert_eq!(msgs[0].subject, "Café");
        assert_eq!(msgs[0].body, "softbreak café");
        assert_eq!(msgs[0].date.utc, "2019-02-27T18:15:12Z");
    }

    #[test]
    fn html_only_body_becomes_text_and_attachments_are_listed() {
        let raw = "From: a@x.gov\nTo: b@y.gov\nSubject: s\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/html\n\n<p>Can you <b>run</b> this plate?</p>\n--B\nContent-Type: text/csv; name=reads.csv\nContent-Disposition: attachment; filename=reads.csv\nContent-Transfer-Encoding: base64\n\ncGxhdGUK\n--B--\n";
        let msgs = parse(raw);
        assert!(msgs[0].body.contains("Can you"), "{}", msgs[0].body);
        assert!(msgs[0].body.contains("run"));
        assert_eq!(msgs[0].attachments.len(), 1);
        assert_eq!(msgs[0].attachments[0].name, "reads.csv");
        assert_eq!(msgs[0].attachments[0].size, 6);
    }

    #[test]
    fn attached_rfc822_is_its_own_message() {
        let raw = "From: a@x.gov\nTo: b@y.gov\nSubject: fwd\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nsee attached\n--B\nContent-Type: message/rfc822\n\nFrom: c@z.gov\nTo: a@x.gov\nSubject: inner\n\ninner body\n--B--\n";
        let msgs = parse(raw);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[1].origin, Some(Origin::Attached));
        assert_eq!(msgs[1].subject, "inner");
        assert_eq!(msgs[1].body, "inner body");
    }

    #[test]
    fn quoted_messages_become_records() {
        let raw = "From: a@x.gov\nTo: b@y.gov\nSubject: RE: q\n\nyes\n\nOn Tue, Feb 26, 2019 at 4:12 PM, B <b@y.gov> wrote:\n> can you check?\n";
        let msgs = parse(raw);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[1].origin, Some(Origin::Quoted));
        assert_eq!(msgs[1].from, "B <b@y.gov>");
        assert_eq!(msgs[1].body, "can you check?");
    }
}
