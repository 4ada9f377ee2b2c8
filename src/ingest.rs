//! Ingest stage: takes the input paths a user gave and gives the files under them, each
//! with the path it will be reported under (relative to the input folder it came from),
//! and detects each file's format from its content, not its name. Paths that cannot be
//! walked become error rows; nothing is skipped silently.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::Error;
use crate::model::ErrorRow;
use crate::parse::mbox::looks_like_mbox;
use crate::parse::office::{office_kind, OfficeKind};

/// A file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The name it is reported under.
    pub source: String,
    pub size: u64,
}

/// What a file's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One RFC 5322 message (`.eml`, a maildir file).
    Eml,
    /// An mbox of messages.
    Mbox,
    /// Plain text: a printed or OCR'd release.
    Printed,
    /// A PDF, read through its text layer.
    Pdf,
    /// A Word or Excel file.
    Office(OfficeKind),
    /// A scan saved as an image (PNG, JPEG, TIFF), read only with `--ocr`.
    Image(&'static str),
    /// Nothing this version reads; the reason says what it is.
    Unreadable(&'static str),
}

/// Files found under the inputs, in a stable order, and the paths that could not be walked.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<SourceFile>,
    pub errors: Vec<ErrorRow>,
}

/// Walks the inputs (files or folders, recursively, symlinks followed with loop checks).
/// An input that does not exist is an error of the whole run: the user mistyped it.
pub fn discover(inputs: &[PathBuf]) -> Result<Discovery, Error> {
    let mut found = Discovery::default();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| Error::Read {
            path: input.clone(),
            source,
        })?;
        if meta.is_file() {
            let name = input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| input.display().to_string());
            found.files.push(SourceFile {
                path: input.clone(),
                source: name,
                size: meta.len(),
            });
            continue;
        }
        walk(input, &mut found);
    }
    Ok(found)
}

fn walk(root: &Path, found: &mut Discovery) {
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                found.files.push(SourceFile {
                    source: relative(root, e.path()),
                    path: e.into_path(),
                    size,
                });
            }
            Ok(e) if e.file_type().is_dir() => {}
            // A FIFO would block the reader and a device is not a document: each is
            // named, not read.
            Ok(e) => found.errors.push(ErrorRow {
                file: relative(root, e.path()),
                stage: "ingest".into(),
                reason: "not a regular file (a named pipe, socket or device); not read".into(),
            }),
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| root.display().to_string());
                let reason = if err.loop_ancestor().is_some() {
                    "symbolic link loop; not followed".to_string()
                } else {
                    err.to_string()
                };
                found.errors.push(ErrorRow {
                    file: path,
                    stage: "ingest".into(),
                    reason,
                });
            }
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

/// Detects the format from the bytes.
pub fn detect(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(8192)];
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Format::Unreadable("empty file");
    }
    if head.trim_ascii_start().starts_with(b"%PDF") {
        return Format::Pdf;
    }
    if head.starts_with(b"PK\x03\x04") {
        if let Some(kind) = office_kind(bytes) {
            return Format::Office(kind);
        }
    }
    if let Some(kind) = image_kind(head) {
        return Format::Image(kind);
    }
    if let Some(kind) = binary_kind(head) {
        return Format::Unreadable(kind);
    }
    if looks_like_mbox(head) {
        return Format::Mbox;
    }
    if looks_like_rfc5322(head) {
        return Format::Eml;
    }
    Format::Printed
}

/// A scan saved as an image.
fn image_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 4] = [
        (b"\x89PNG", "PNG"),
        (b"\xff\xd8\xff", "JPEG"),
        (b"II*\x00", "TIFF"),
        (b"MM\x00*", "TIFF"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, kind)| *kind)
}

fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 5] = [
        (
            b"PK\x03\x04",
            "zip archive: not read; extract it and run again on the folder",
        ),
        (
            b"\x1f\x8b",
            "gzip archive: not read; decompress it and run again",
        ),
        (b"Rar!", "RAR archive: not read; extract it and run again"),
        (
            b"7z\xbc\xaf",
            "7-Zip archive: not read; extract it and run again",
        ),
        (
            b"\xd0\xcf\x11\xe0",
            "Outlook .msg or Office binary file: not read; export it as .eml",
        ),
    ];
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let trimmed = &head[start..];
    if let Some((_, kind)) = MAGIC.iter().find(|(m, _)| trimmed.starts_with(m)) {
        return Some(kind);
    }
    // A stray NUL or control byte in a message does not make it binary; text that is
    // one part in twenty control bytes, or one in a hundred NULs, is not text.
    let nuls = head.iter().filter(|&&b| b == 0).count();
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)))
        .count();
    // Text in a legacy code page has a byte above 0x7F here and there; sound, images
    // and compressed data are full of them and are not UTF-8.
    let high = head.iter().filter(|&&b| b >= 0x80).count();
    // (A head cut inside a character is still UTF-8.)
    let invalid_utf8 = std::str::from_utf8(head).is_err_and(|e| e.error_len().is_some());
    let not_text = high * 10 > head.len() * 3 && invalid_utf8;
    (nuls * 100 > head.len() || controls * 20 > head.len() || not_text)
        .then_some("binary file: not email or text")
}

/// An RFC 5322 message starts with header fields (no spaces in names) and holds at least
/// one field that printed releases do not print (`Message-ID`, `Received`, `MIME-Version`,
/// ...) or the three of `From`, `Date`, `Subject` without Outlook's `Sent:`.
fn looks_like_rfc5322(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) && i > 0 {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return false;
        }
        names.push(name.to_ascii_lowercase());
        if names.len() > 400 {
            break;
        }
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    const MACHINE: [&str; 10] = [
        "message-id",
        "content-transfer-encoding",
        "received",
        "mime-version",
        "return-path",
        "delivered-to",
        "content-type",
        "in-reply-to",
        "references",
        "x-mailer",
    ];
    let machine = names
        .iter()
        .any(|n| MACHINE.contains(&n.as_str()) || n.starts_with("x-"));
    !has("sent") && (machine || (has("from") && has("date") && has("subject")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_content() {
        assert_eq!(
            detect(b"Message-ID: <a@b>\nFrom: a@b.gov\n\nhi"),
            Format::Eml
        );
        assert_eq!(
            detect(b"From a@b.gov Tue Oct 22 16:05:33 2019\nFrom: a@b.gov\n\nhi"),
            Format::Mbox
        );
        assert_eq!(
            detect(b"From:  X\nSent:  Monday\nTo: Y\nSubject: z\n\nhi"),
            Format::Printed
        );
        assert_eq!(detect(b"LONG BEACH POLICE\n\nFrom: X\n"), Format::Printed);
        assert_eq!(detect(b"%PDF-1.4\n"), Format::Pdf);
        assert!(matches!(detect(b"PK\x03\x04rest"), Format::Unreadable(_)));
        assert!(matches!(detect(b"abc\0\0\0def"), Format::Unreadable(_)));
        let stray_nul = [
            b"Message-ID: <a@b>\nFrom: a@b.gov\n\na stray\0NUL".as_slice(),
            b" in a body of some length".repeat(8).as_slice(),
        ]
        .concat();
        assert_eq!(detect(&stray_nul), Format::Eml);
        assert!(matches!(detect(b"  \n"), Format::Unreadable(_)));
    }

    #[test]
    fn discover_walks_folders_in_stable_order_with_relative_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("maildir/x/cur")).unwrap();
        std::fs::write(dir.path().join("b.eml"), "x").unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        std::fs::write(dir.path().join("maildir/x/cur/1:2,S"), "x").unwrap();
        let found = discover(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<&str> = found.files.iter().map(|f| f.source.as_str()).collect();
        assert_eq!(names, vec!["a.txt", "b.eml", "maildir/x/cur/1:2,S"]);
        assert!(discover(&[dir.path().join("missing")]).is_err());
    }
}
