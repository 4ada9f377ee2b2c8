//! Parse stage: takes one file's bytes and its detected [`Format`] and gives its
//! [`Message`] records in file order (ordinals from 1), plus the problems that cost part
//! of the file, which the pipeline writes as error rows. Mail goes through `mailparse`
//! ([`mime`], [`mbox`]); printed text, and the text layer of PDFs ([`pdf`]), through page
//! furniture removal and chain segmentation ([`printed`], [`chain`]).

pub mod chain;
pub mod dates;
pub mod mbox;
pub mod memo;
pub mod mime;
pub mod pdf;
pub mod printed;

use crate::ingest::Format;
use crate::model::{Message, Origin};
use crate::text::decode_text;

/// What a file gave.
#[derive(Debug, Default)]
pub struct Parsed {
    pub messages: Vec<Message>,
    /// Reasons part of the file could not be read (each becomes an error row).
    pub problems: Vec<String>,
    /// Pages, for printed text.
    pub pages: u32,
    /// Release stamps, for printed text.
    pub stamps: Vec<String>,
    /// Page banners and footers, for printed text.
    pub furniture: Vec<String>,
    /// PDF pages with no text layer.
    pub pages_needing_ocr: u32,
    /// The text of a printed document that belongs to no message (furniture removed), for
    /// its redactions.
    pub text_outside_messages: String,
}

/// Parses a file of a mail, PDF or text format. Formats that hold no readable text are turned
/// into error rows by the caller before this is reached.
pub fn parse_file(source: &str, format: Format, bytes: &[u8]) -> Parsed {
    let mut parsed = Parsed::default();
    match format {
        Format::Eml => {
            parsed.problems = mime::parse_message(bytes, Origin::Header, &mut parsed.messages);
        }
        Format::Mbox => {
            for (i, raw) in mbox::split_mbox(bytes).iter().enumerate() {
                let problems = mime::parse_message(raw, Origin::Header, &mut parsed.messages);
                parsed.problems.extend(
                    problems
                        .into_iter()
                        .map(|p| format!("message {}: {p}", i + 1)),
                );
            }
        }
        Format::Pdf => match pdf::read_pdf(bytes) {
            Ok(layer) => {
                parsed.pages_needing_ocr = layer.pages_without_text.len() as u32;
                if !layer.pages_without_text.is_empty() {
                    parsed.problems.push(format!(
                        "{} of {} pages have no text layer (scanned): they need OCR before they can be read",
                        layer.pages_without_text.len(),
                        layer.pages
                    ));
                }
                if layer.pages_without_text.len() < layer.pages as usize {
                    parse_printed_text(&layer.text, &mut parsed);
                }
                parsed.pages = layer.pages;
            }
            Err(reason) => parsed.problems.push(reason),
        },
        Format::Printed => parse_printed_text(&decode_text(bytes), &mut parsed),
        Format::Unreadable(_) => {}
    }
    number(&mut parsed.messages, source);
    parsed
}

/// Splits printed text (a text file, or a PDF's text layer) into messages.
fn parse_printed_text(text: &str, parsed: &mut Parsed) {
    let doc = printed::parse_printed(text);
    parsed.messages = doc.messages;
    parsed.pages = doc.pages;
    parsed.stamps = doc.stamps;
    parsed.furniture = doc.furniture;
    parsed.text_outside_messages = doc.text_outside_messages;
}

/// Gives every message its source and ordinal, and groups quoted messages into the chain
/// of the message that quotes them.
fn number(messages: &mut [Message], source: &str) {
    let mut chain = 0u32;
    for (i, m) in messages.iter_mut().enumerate() {
        let starts_chain = match m.origin {
            Some(Origin::Header) | Some(Origin::Attached) | Some(Origin::Memo) => true,
            Some(Origin::Printed) => m.depth <= 1,
            _ => false,
        };
        if starts_chain && i > 0 {
            chain += 1;
        }
        m.source = source.to_string();
        m.ordinal = i as u32 + 1;
        m.chain = chain;
    }
}
