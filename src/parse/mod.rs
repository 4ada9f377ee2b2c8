//! Parse stage: takes one file's bytes and its detected [`Format`] and gives its
//! [`Message`] records in file order (ordinals from 1), plus the problems that cost part
//! of the file, which the pipeline writes as error rows. Mail goes through `mailparse`
//! ([`mime`], [`mbox`]); printed text, and the text layer of PDFs ([`pdf`]), through page
//! furniture removal and chain segmentation ([`printed`], [`chain`]).

pub mod chain;
#[cfg(test)]
mod coverage;
pub mod dates;
pub mod mbox;
pub mod memo;
pub mod mime;
pub mod notes;
pub mod ocr;
pub mod office;
pub mod pdf;
pub mod printed;

use std::path::Path;

use crate::ingest::Format;
use crate::model::{Message, Origin};
use crate::parse::ocr::Ocr;
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
/// into error rows by the caller before this is reached. With `ocr`, scanned PDF pages
/// are read through it (`path` is the file, for programs that need it).
pub fn parse_file(
    source: &str,
    path: &Path,
    format: Format,
    bytes: &[u8],
    ocr: Option<&Ocr>,
) -> Parsed {
    let mut parsed = Parsed::default();
    match format {
        Format::Eml => {
            parsed.problems = mime::parse_message(bytes, Origin::Header, &mut parsed.messages);
        }
        Format::Mbox => {
            for (i, raw) in mbox::split_mbox(bytes).iter().enumerate() {
                crate::watchdog::check();
                let problems = mime::parse_message(raw, Origin::Header, &mut parsed.messages);
                parsed.problems.extend(
                    problems
                        .into_iter()
                        .map(|p| format!("message {}: {p}", i + 1)),
                );
            }
        }
        Format::Pdf => parse_pdf(path, bytes, ocr, &mut parsed),
        Format::Office(kind) => match office::office_text(bytes, kind) {
            Ok(text) => parse_printed_text(&text, &mut parsed),
            Err(reason) => parsed.problems.push(reason),
        },
        Format::Image(kind) => parse_image(kind, bytes, ocr, &mut parsed),
        Format::Printed => parse_printed_text(&decode_text(bytes), &mut parsed),
        Format::Unreadable(_) => {}
    }
    number(&mut parsed.messages, source);
    parsed
}

/// A scan saved as an image: read with OCR when asked, else counted as a page needing it.
fn parse_image(kind: &str, bytes: &[u8], ocr: Option<&Ocr>, parsed: &mut Parsed) {
    let Some(ocr) = ocr else {
        parsed.pages = 1;
        parsed.pages_needing_ocr = 1;
        parsed.problems.push(format!(
            "image ({kind}): a scan with no text layer; it needs OCR (--ocr) before it can be read"
        ));
        return;
    };
    match ocr.image_text(bytes) {
        Ok(text) => parse_printed_text(&text, parsed),
        Err(reason) => {
            parsed.pages = 1;
            parsed.pages_needing_ocr = 1;
            parsed.problems.push(reason);
        }
    }
}

/// Reads a PDF's text layer, OCRs its scanned pages when asked, and splits the text.
fn parse_pdf(path: &Path, bytes: &[u8], ocr: Option<&Ocr>, parsed: &mut Parsed) {
    let mut layer = match pdf::read_pdf(bytes) {
        Ok(layer) => layer,
        Err(reason) => {
            parsed.problems.push(reason);
            return;
        }
    };
    if let Some((first, reason)) = layer.page_errors.first() {
        let pages: Vec<String> = layer
            .page_errors
            .iter()
            .map(|(p, _)| p.to_string())
            .collect();
        parsed.problems.push(format!(
            "{} of {} pages have a text layer that could not be read (pages {}; page {first}: \
             {reason}): damaged or truncated file",
            pages.len(),
            layer.pages.len(),
            pages.join(", ")
        ));
    }
    let scanned = layer.pages_without_text();
    if let (Some(ocr), false) = (ocr, scanned.is_empty()) {
        match lopdf::Document::load_mem(bytes) {
            Ok(doc) => {
                for &page in &scanned {
                    crate::watchdog::check();
                    match ocr.page_text(&doc, path, page) {
                        Ok(text) => layer.pages[page as usize - 1] = text,
                        Err(reason) => parsed.problems.push(reason),
                    }
                }
            }
            Err(e) => parsed.problems.push(format!(
                "OCR: the PDF's page images could not be read ({e})"
            )),
        }
    }
    let still_scanned = layer.pages_without_text().len();
    if still_scanned > 0 {
        parsed.problems.push(format!(
            "{still_scanned} of {} pages have no text layer (scanned): they need OCR (--ocr) \
             before they can be read",
            layer.pages.len()
        ));
    }
    parsed.pages_needing_ocr = still_scanned as u32;
    if still_scanned < layer.pages.len() {
        parse_printed_text(&layer.text(), parsed);
    }
    parsed.pages = layer.pages.len() as u32;
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
