//! OCR of scanned PDF pages (`--ocr`). Takes a PDF's bytes (and its path) and a page with
//! no text layer, and gives the page's text as `tesseract` reads it. The page's scan is
//! taken straight out of the PDF when it is what scanners write (JPEG, CCITT fax, or a
//! plain 8-bit or 1-bit raster), and rendered with poppler's `pdftoppm` otherwise, when
//! it is installed. Both programs are found on `PATH` once, at the start of a run, so that a
//! run asked to OCR says at once when it cannot.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lopdf::{Document, Object, ObjectId};

/// The OCR programs of this machine.
#[derive(Debug, Clone)]
pub struct Ocr {
    tesseract: PathBuf,
    pdftoppm: Option<PathBuf>,
    /// Tesseract's language code (`eng`, `eng+spa`).
    language: String,
}

/// What a failed OCR of a page says, for the document's error row.
pub type OcrError = String;

impl Ocr {
    /// Finds `tesseract` (and `pdftoppm`, optional) on `PATH`.
    pub fn find(language: &str) -> Result<Ocr, String> {
        let tesseract = on_path("tesseract").ok_or_else(|| {
            "--ocr needs the tesseract program, which is not on PATH: install it (Debian or \
             Ubuntu: apt install tesseract-ocr; macOS: brew install tesseract) or run without \
             --ocr (scanned pages are then listed in documents.csv as needing OCR)"
                .to_string()
        })?;
        Ok(Ocr {
            tesseract,
            pdftoppm: on_path("pdftoppm"),
            language: language.to_string(),
        })
    }

    /// Reads the text of page `page` (from 1) of a PDF.
    pub fn page_text(&self, pdf: &Document, path: &Path, page: u32) -> Result<String, OcrError> {
        let image = match page_scan(pdf, page) {
            Some(image) => image,
            None => self.render(path, page)?,
        };
        self.recognise(&image)
            .map_err(|e| format!("OCR of page {page} failed: {e}"))
    }

    /// Reads the text of a scan saved as an image file (PNG, JPEG, TIFF).
    pub fn image_text(&self, image: &[u8]) -> Result<String, OcrError> {
        self.recognise(image)
            .map_err(|e| format!("OCR of the image failed: {e}"))
    }

    /// Renders a page to PNG with `pdftoppm`, for scans stored in encodings read here.
    fn render(&self, path: &Path, page: u32) -> Result<Vec<u8>, OcrError> {
        let Some(pdftoppm) = &self.pdftoppm else {
            return Err(format!(
                "page {page}: its scan is stored in an encoding that needs poppler's pdftoppm \
                 to render (install poppler-utils)"
            ));
        };
        let n = page.to_string();
        let out = Command::new(pdftoppm)
            .args(["-png", "-r", "300", "-f", &n, "-l", &n, "-singlefile"])
            .arg(path)
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("page {page}: pdftoppm did not run: {e}"))?;
        if !out.status.success() || out.stdout.is_empty() {
            return Err(format!(
                "page {page}: pdftoppm could not render it: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(out.stdout)
    }

    /// Runs tesseract on an image (JPEG, PNG or PNM bytes) given on its standard input.
    fn recognise(&self, image: &[u8]) -> Result<String, String> {
        let mut child = Command::new(&self.tesseract)
            .args(["stdin", "stdout", "-l", &self.language])
            // Files are read in parallel already: one thread per tesseract keeps the
            // machine from being oversubscribed.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("tesseract did not start: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(image)
                .map_err(|e| format!("could not pass the image to tesseract: {e}"))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("tesseract did not finish: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// The largest image on a page, as bytes tesseract reads: a JPEG as stored, or a raw
/// raster written as PNM. `None` when the page holds no image in such an encoding.
fn page_scan(pdf: &Document, page: u32) -> Option<Vec<u8>> {
    let page_id: ObjectId = *pdf.get_pages().get(&page)?;
    let images = pdf.get_page_images(page_id).ok()?;
    let image = images.iter().max_by_key(|i| i.width * i.height)?;
    let filters = image.filters.clone().unwrap_or_default();
    let width = usize::try_from(image.width).ok()?;
    let height = usize::try_from(image.height).ok()?;
    match filters.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["DCTDecode"] => Some(image.content.to_vec()),
        ["CCITTFaxDecode"] => {
            let k = decode_parm(image.origin_dict, b"K").unwrap_or(0);
            let columns = decode_parm(image.origin_dict, b"Columns")
                .and_then(|c| usize::try_from(c).ok())
                .unwrap_or(width);
            Some(fax_tiff(image.content, columns, height, k))
        }
        [] | ["FlateDecode"] => {
            let stream = pdf.get_object(image.id).ok()?.as_stream().ok()?;
            let raw = if filters.is_empty() {
                stream.content.clone()
            } else {
                stream.decompressed_content().ok()?
            };
            let inverted = decode_inverted(image.origin_dict);
            pnm(
                &raw,
                width,
                height,
                image.bits_per_component.unwrap_or(8),
                inverted,
            )
        }
        _ => None,
    }
}

/// A number in an image's `/DecodeParms`.
fn decode_parm(dict: &lopdf::Dictionary, key: &[u8]) -> Option<i64> {
    let parms = match dict.get(b"DecodeParms").ok()? {
        Object::Array(a) => a.first()?.as_dict().ok()?,
        Object::Dictionary(d) => d,
        _ => return None,
    };
    parms.get(key).ok()?.as_i64().ok()
}

/// Wraps CCITT fax data (what black-and-white scanners write) in a one-strip TIFF, which
/// tesseract reads: `K < 0` is Group 4, otherwise Group 3 (2-D when `K > 0`).
fn fax_tiff(data: &[u8], width: usize, height: usize, k: i64) -> Vec<u8> {
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    let (compression, t4_options) = match k {
        k if k < 0 => (4u32, None),
        0 => (3, Some(0u32)),
        _ => (3, Some(1)),
    };
    let mut entries: Vec<(u16, u16, u32)> = vec![
        (256, LONG, u32::try_from(width).unwrap_or(u32::MAX)),
        (257, LONG, u32::try_from(height).unwrap_or(u32::MAX)),
        (258, SHORT, 1),
        (259, SHORT, compression),
        // White is zero: the fax codes' white runs decode to 0 bits.
        (262, SHORT, 0),
        (273, LONG, 0), // strip offset, set below
        (277, SHORT, 1),
        (278, LONG, u32::try_from(height).unwrap_or(u32::MAX)),
        (279, LONG, u32::try_from(data.len()).unwrap_or(u32::MAX)),
    ];
    if let Some(options) = t4_options {
        entries.push((292, LONG, options));
    }
    let ifd_len = 2 + entries.len() * 12 + 4;
    let data_offset = u32::try_from(8 + ifd_len).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(8 + ifd_len + data.len());
    out.extend_from_slice(b"II*\0");
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&u16::try_from(entries.len()).unwrap_or(0).to_le_bytes());
    for (tag, kind, value) in entries {
        let value = if tag == 273 { data_offset } else { value };
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        if kind == SHORT {
            out.extend_from_slice(&u16::try_from(value).unwrap_or(0).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// A `/Decode [1 0]` array flips a grey image's values.
fn decode_inverted(dict: &lopdf::Dictionary) -> bool {
    match dict.get(b"Decode") {
        Ok(Object::Array(a)) => a.first().and_then(|o| o.as_float().ok()) == Some(1.0),
        _ => false,
    }
}

/// Writes a raw raster as PNM: 1-bit as PBM, 8-bit grey as PGM, 8-bit RGB (or CMYK,
/// folded to RGB) as PPM.
fn pnm(raw: &[u8], width: usize, height: usize, bits: i64, inverted: bool) -> Option<Vec<u8>> {
    let pixels = width.checked_mul(height)?;
    if pixels == 0 {
        return None;
    }
    if bits == 1 {
        let row = width.div_ceil(8);
        let data = raw.get(..row.checked_mul(height)?)?;
        let mut out = format!("P4\n{width} {height}\n").into_bytes();
        // PDF grey: 0 is black; PBM: 1 is black.
        out.extend(data.iter().map(|b| if inverted { *b } else { !*b }));
        return Some(out);
    }
    if bits != 8 {
        return None;
    }
    let components = raw.len() / pixels;
    let data = raw.get(..pixels.checked_mul(components)?)?;
    match components {
        1 => {
            let mut out = format!("P5\n{width} {height}\n255\n").into_bytes();
            out.extend(data.iter().map(|b| if inverted { 255 - *b } else { *b }));
            Some(out)
        }
        3 => {
            let mut out = format!("P6\n{width} {height}\n255\n").into_bytes();
            out.extend_from_slice(data);
            Some(out)
        }
        4 => {
            let mut out = format!("P6\n{width} {height}\n255\n").into_bytes();
            for px in data.chunks_exact(4) {
                let k = u16::from(px[3]);
                for c in &px[..3] {
                    let v = 255u16.saturating_sub((u16::from(*c) + k).min(255));
                    out.push(u8::try_from(v).unwrap_or(0));
                }
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rasters_become_pnm() {
        let grey = pnm(&[0, 255, 128, 64], 2, 2, 8, false).unwrap_or_default();
        assert!(grey.starts_with(b"P5\n2 2\n255\n"));
        assert_eq!(&grey[grey.len() - 4..], &[0, 255, 128, 64]);
        let rgb = pnm(&[1, 2, 3, 4, 5, 6], 2, 1, 8, false).unwrap_or_default();
        assert!(rgb.starts_with(b"P6\n2 1\n255\n"));
        let bits = pnm(&[0b1010_0000], 3, 1, 1, false).unwrap_or_default();
        assert_eq!(bits, b"P4\n3 1\n\x5f".to_vec());
        assert!(
            pnm(&[0, 1], 2, 2, 8, false).is_none(),
            "too short for the size"
        );
        assert!(pnm(&[], 0, 0, 8, false).is_none());
    }
}
