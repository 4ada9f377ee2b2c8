//! A property of segmentation, tested on generated documents: no text is lost. Whatever
//! a printed release or a message holds, the fields, bodies and margins of the messages
//! read from it, its page furniture and release stamps, and the text outside any message
//! together hold every word of it, but for the labels segmentation reads (`From:`,
//! `Sent:`, `-----Original Message-----`, `On ... wrote:`).

use std::collections::BTreeSet;

use crate::model::{Message, Origin};
use crate::parse::mime::parse_message;
use crate::parse::printed::parse_printed;

/// Words segmentation consumes as labels and separators.
const LABELS: [&str; 17] = [
    "from",
    "sent",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "attachments",
    "importance",
    "on",
    "wrote",
    "original",
    "message",
    "forwarded",
    "begin",
    "mailto",
    "at",
];

/// A small, fixed pseudo-random source (xorshift64*), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: [&str; 24] = [
    "plate",
    "records",
    "detective",
    "please",
    "run",
    "hits",
    "Riverside",
    "booking",
    "address",
    "thanks",
    "(b)(6)",
    "B6",
    "b7c",
    "[REDACTED]",
    "████",
    "XXXX",
    "7ABC123",
    "portal",
    "subpoena",
    "ICE",
    "Mesa",
    "LEARN",
    "555-0100",
    "Altima",
];
const NAMES: [&str; 6] = [
    "Ruiz, Ana",
    "Mark Jensen <mark.jensen@ice.dhs.gov>",
    "(b)(6), (b)(7)(C)",
    "Okafor, Renee <rokafor@washoecounty.gov>",
    "H",
    "Sullivan, Jacob J [mailto:SullivanJJ@state.gov]",
];
const DATES: [&str; 4] = [
    "Tuesday, March 3, 2020 10:00 AM",
    "Fri Apr 02 12:56:32 2010",
    "4/2/2010 1:16:00 PM",
    "Wednesday, September 16, 2020 8:02 AM",
];

fn words(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| rng.pick(&WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn header_block(rng: &mut Rng) -> String {
    let mut out = format!("From: {}\nSent: {}\n", rng.pick(&NAMES), rng.pick(&DATES));
    out.push_str(&format!("To: {}\n", rng.pick(&NAMES)));
    if rng.below(2) == 0 {
        out.push_str(&format!("Cc: {}; {}\n", rng.pick(&NAMES), rng.pick(&NAMES)));
    }
    out.push_str(&format!("Subject: RE: {}\n", words(rng, 3)));
    if rng.below(4) == 0 {
        out.push_str("Importance: High\n");
    }
    if rng.below(4) == 0 {
        out.push_str(&format!("Attachments: {}.pdf\n", rng.pick(&WORDS)));
    }
    out
}

fn paragraph(rng: &mut Rng) -> String {
    let lines = 1 + rng.below(4);
    let mut out = Vec::with_capacity(lines);
    for _ in 0..lines {
        let n = 3 + rng.below(12);
        out.push(words(rng, n));
    }
    out.join("\n")
}

/// A printed release: header blocks, bodies, separators, quoted replies, banners,
/// footers, stamps and form feeds in random order.
fn printed_document(rng: &mut Rng) -> String {
    let mut out = String::new();
    let pages = 1 + rng.below(3);
    for page in 1..=pages {
        if rng.below(2) == 0 {
            out.push_str(&format!(
                "UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C0579{page:04} Date: 02/13/2016\n\n"
            ));
        }
        if rng.below(4) == 0 {
            out.push_str("RELEASE IN PART\nB6\n\n");
        }
        for _ in 0..1 + rng.below(3) {
            match rng.below(8) {
                0 => out.push_str("-----Original Message-----\n"),
                2 => out.push_str(&format!("Note: {}\n\n\n\n", words(rng, 4))),
                3 => out.push_str(&format!(
                    "> {}\n> From: {}\n> Sent: {}\n> To: {}\n> Subject: {}\n>\n> {}\n\n",
                    words(rng, 3),
                    rng.pick(&NAMES),
                    rng.pick(&DATES),
                    rng.pick(&NAMES),
                    words(rng, 2),
                    words(rng, 5)
                )),
                4 => out.push_str(&format!("\t{}  :  {}\n", words(rng, 2), words(rng, 2))),
                1 => out.push_str(&format!(
                    "On {}, {} wrote:\n> {}\n> {}\n\n",
                    rng.pick(&DATES),
                    rng.pick(&NAMES[1..2]),
                    words(rng, 6),
                    words(rng, 4)
                )),
                _ => {}
            }
            out.push_str(&header_block(rng));
            out.push('\n');
            out.push_str(&paragraph(rng));
            out.push_str("\n\n");
        }
        out.push_str(&format!("Page {page} of {pages}\n"));
        if page < pages {
            out.push('\x0c');
        }
    }
    out
}

/// The lower-cased words of a text (letters and digits), labels left out.
fn word_set(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !LABELS.contains(&w.as_str()))
        .collect()
}

fn message_text(m: &Message) -> String {
    let attachments: Vec<&str> = m.attachments.iter().map(|a| a.name.as_str()).collect();
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        m.from,
        m.date.raw,
        m.to.join("; "),
        m.cc.join("; "),
        m.subject,
        attachments.join("; "),
        m.other_headers.join("\n"),
        m.body
    )
}

fn lost(input: &str, kept: &str) -> BTreeSet<String> {
    word_set(input)
        .difference(&word_set(kept))
        .cloned()
        .collect()
}

#[test]
fn printed_segmentation_keeps_every_word() {
    let mut rng = Rng(0x5EED_2026_1126);
    for case in 0..1500 {
        let text = printed_document(&mut rng);
        let doc = parse_printed(&text);
        let mut kept: Vec<String> = doc.messages.iter().map(message_text).collect();
        kept.extend(doc.furniture.iter().cloned());
        kept.extend(doc.stamps.iter().cloned());
        kept.push(doc.text_outside_messages.clone());
        let missing = lost(&text, &kept.join("\n"));
        assert!(
            missing.is_empty(),
            "case {case}: lost {missing:?} from\n{text}"
        );
    }
}

#[test]
fn message_segmentation_keeps_every_word_of_the_body() {
    let mut rng = Rng(0x00B0_D1E5);
    for case in 0..1500 {
        let mut body = paragraph(&mut rng);
        for _ in 0..rng.below(4) {
            body = match rng.below(3) {
                0 => format!(
                    "{}\n\n-----Original Message-----\n{}\n{}",
                    paragraph(&mut rng),
                    header_block(&mut rng),
                    body
                ),
                1 => format!(
                    "{}\n\nOn {}, {} wrote:\n{}",
                    paragraph(&mut rng),
                    rng.pick(&DATES),
                    rng.pick(&NAMES[1..2]),
                    body.lines().map(|l| format!("> {l}\n")).collect::<String>()
                ),
                _ => format!(
                    "{}\n\n{}\n{}",
                    paragraph(&mut rng),
                    header_block(&mut rng),
                    body
                ),
            };
        }
        let raw = format!(
            "From: a@riversideca.gov\nTo: b@ice.dhs.gov\nSubject: case {case}\nMessage-ID: <{case}@x>\n\n{body}\n"
        );
        let mut out = Vec::new();
        let _ = parse_message(raw.as_bytes(), Origin::Header, &mut out);
        let kept: Vec<String> = out.iter().map(message_text).collect();
        let missing = lost(&body, &kept.join("\n"));
        assert!(
            missing.is_empty(),
            "case {case}: lost {missing:?} from\n{body}"
        );
    }
}
