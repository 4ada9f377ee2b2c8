//! PDF releases: takes the bytes of a PDF and gives the text of its pages (through
//! `pdf-extract`, which reads the text layer page by page), joined with form feeds so that
//! the printed-release parser keeps page numbers, and the pages that have no text layer
//! (scans, which need OCR). Encrypted, damaged or truncated files give a reason instead.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// The text layer of a PDF.
#[derive(Debug, Default)]
pub struct PdfText {
    /// The text of each page, in order.
    pub pages: Vec<String>,
}

impl PdfText {
    /// Pages (from 1) whose text layer is empty: scans.
    pub fn pages_without_text(&self) -> Vec<u32> {
        (1..)
            .zip(&self.pages)
            .filter(|(_, p)| p.trim().is_empty())
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
    let pages = match catch_unwind(AssertUnwindSafe(|| {
        pdf_extract::extract_text_from_mem_by_pages(bytes)
    })) {
        Ok(Ok(pages)) => pages,
        Ok(Err(e)) => {
            return Err(format!(
                "PDF not readable ({e}): encrypted, damaged or truncated"
            ))
        }
        Err(_) => return Err(
            "PDF not readable: the PDF reader failed on this file (damaged or unusual structure)"
                .into(),
        ),
    };
    Ok(PdfText { pages })
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
