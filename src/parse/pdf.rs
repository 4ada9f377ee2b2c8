//! PDF releases: takes the bytes of a PDF and gives the text of its pages (through
//! `oxidize-pdf`, which reads the text layer page by page and keeps a printed header's
//! label and value on one line), joined with form feeds so that the printed-release parser
//! keeps page numbers, and the pages that have no text layer (scans, which need OCR).
//! Files encrypted with a password, and damaged ones, give a reason instead; a damaged
//! page gives its own.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use oxidize_pdf::parser::{PdfDocument, PdfReader};
use oxidize_pdf::text::ExtractionOptions;

/// The text layer of a PDF.
#[derive(Debug, Default)]
pub struct PdfText {
    /// The text of each page, in order (empty for a page that could not be read).
    pub pages: Vec<String>,
    /// Pages (from 1) whose text layer could not be read, with the reason.
    pub page_errors: Vec<(u32, String)>,
}

impl PdfText {
    /// Pages (from 1) with no text, and no error: scans.
    pub fn pages_without_text(&self) -> Vec<u32> {
        (1..)
            .zip(&self.pages)
            .filter(|(n, p)| p.trim().is_empty() && !self.page_errors.iter().any(|e| e.0 == *n))
            .map(|(n, _)| n)
            .collect()
    }

    /// Page texts joined by form feeds, as the printed-release parser reads them.
    pub fn text(&self) -> String {
        self.pages.join("\x0c")
    }
}

/// Reads the text layer. A PDF the reader cannot open, or that makes it fail, gives the
/// reason, never a panic.
pub fn read_pdf(bytes: &[u8]) -> Result<PdfText, String> {
    match catch_unwind(AssertUnwindSafe(|| text_layer(bytes))) {
        Ok(result) => result,
        // The file's time is up: that is the pipeline's to report, not a damaged PDF.
        Err(payload) if crate::watchdog::is_over_time(payload.as_ref()) => {
            std::panic::resume_unwind(payload)
        }
        Err(_) => Err(
            "PDF not readable: the PDF reader failed on this file (damaged or unusual structure)"
                .into(),
        ),
    }
}

fn text_layer(bytes: &[u8]) -> Result<PdfText, String> {
    let mut reader = PdfReader::new(Cursor::new(bytes))
        .map_err(|e| format!("PDF not readable ({e}): damaged or truncated"))?;
    if reader.is_encrypted() {
        // Releases are often encrypted with an empty user password (printing allowed,
        // editing not): those open; a real password does not.
        let opened = reader
            .try_empty_password()
            .map_err(|e| format!("PDF encrypted and not readable ({e})"))?;
        if !opened {
            return Err("PDF encrypted with a password: it cannot be read without it".into());
        }
    }
    let doc = PdfDocument::new(reader);
    let count = doc
        .page_count()
        .map_err(|e| format!("PDF not readable ({e}): its page tree is damaged"))?;
    // Hyphen merging would glue "-----Original Message-----" to the next line.
    let options = ExtractionOptions {
        merge_hyphenated: false,
        ..Default::default()
    };
    let mut text = PdfText::default();
    for (i, number) in (0..count).zip(1u32..) {
        crate::watchdog::check();
        match doc.extract_text_from_page_with_options(i, options.clone()) {
            Ok(page) => text.pages.push(page.text),
            Err(e) => {
                text.pages.push(String::new());
                text.page_errors.push((number, e.to_string()));
            }
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_reason_not_a_panic() {
        assert!(read_pdf(b"%PDF-1.4\nthis is not a pdf").is_err());
        assert!(read_pdf(b"").is_err());
    }
}
