//! Office documents in a production: takes the bytes of a Word (`.docx`) or Excel
//! (`.xlsx`) file and gives its text for the printed-release parser: a Word document's
//! paragraphs as lines (page breaks as form feeds), a workbook's rows as tab-separated
//! lines, one sheet per page. Records officers export email to Word and logs to Excel;
//! both can hold redactions, and a Word file can hold printed email chains.

use std::cell::{Cell, RefCell};
use std::io::{Cursor, Read};

use zip::ZipArchive;

/// What kind of Office file a zip archive is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeKind {
    Word,
    Excel,
}

/// No part of an Office file is read past this many bytes once decompressed: a guard
/// against zip bombs.
const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;

/// The Office kind of a zip archive, from the parts it holds.
pub fn office_kind(bytes: &[u8]) -> Option<OfficeKind> {
    let archive = ZipArchive::new(Cursor::new(bytes)).ok()?;
    // A name the archive cannot decode is not one of the parts looked for.
    let names: Vec<_> = archive.file_names().filter_map(Result::ok).collect();
    let holds = |part: &str| names.iter().any(|n| n == part);
    if holds("word/document.xml") {
        Some(OfficeKind::Word)
    } else if holds("xl/workbook.xml") {
        Some(OfficeKind::Excel)
    } else {
        None
    }
}

/// The text of a Word or Excel file, or why it could not be read.
pub fn office_text(bytes: &[u8], kind: OfficeKind) -> Result<String, String> {
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("Office file not readable ({e}): damaged or truncated"))?;
    match kind {
        OfficeKind::Word => Ok(word_text(&part(&mut archive, "word/document.xml")?)),
        OfficeKind::Excel => excel_text(&mut archive),
    }
}

fn part(archive: &mut ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<String, String> {
    let file = archive
        .by_name(name)
        .map_err(|e| format!("Office file part {name} not readable ({e})"))?;
    let mut text = String::new();
    file.take(MAX_PART_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| format!("Office file part {name} not readable ({e})"))?;
    Ok(text)
}

/// A tag of an XML part: its name (without namespace prefix), whether it closes, whether
/// it is empty (`<w:br/>`), and its attributes as written.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    empty: bool,
    attributes: &'a str,
}

/// Walks an XML part: calls `on_tag` for each tag and `on_text` for the text between.
fn walk<'a>(xml: &'a str, mut on_tag: impl FnMut(&Tag<'a>), mut on_text: impl FnMut(&'a str)) {
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        if open > 0 {
            on_text(&rest[..open]);
        }
        let Some(close) = rest[open..].find('>') else {
            return;
        };
        let inner = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        if inner.starts_with('?') || inner.starts_with('!') {
            continue;
        }
        let closing = inner.starts_with('/');
        let empty = inner.ends_with('/');
        let body = inner.trim_start_matches('/').trim_end_matches('/');
        let (qualified, attributes) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        let name = qualified.rsplit(':').next().unwrap_or(qualified);
        on_tag(&Tag {
            name,
            closing,
            empty,
            attributes,
        });
    }
    if !rest.is_empty() {
        on_text(rest);
    }
}

/// Decodes the five XML entities and numeric references.
fn unescape(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let Some(semi) = rest[amp..].find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = &rest[amp + 1..];
            continue;
        };
        let entity = &rest[amp + 1..amp + semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&rest[amp..amp + semi + 1]),
        }
        rest = &rest[amp + semi + 1..];
    }
    out.push_str(rest);
}

/// A Word document's text: `<w:t>` runs, a line per paragraph, tabs and breaks kept.
fn word_text(xml: &str) -> String {
    let mut out = String::new();
    let in_text = Cell::new(false);
    let text = RefCell::new(&mut out);
    walk(
        xml,
        |tag| match (tag.name, tag.closing, tag.empty) {
            ("t", false, false) => in_text.set(true),
            ("t", true, _) => in_text.set(false),
            ("p", true, _) => text.borrow_mut().push('\n'),
            ("tab", _, true) => text.borrow_mut().push('\t'),
            ("br", _, true) | ("cr", _, true) => {
                let page = tag.attributes.contains("\"page\"");
                text.borrow_mut().push(if page { '\x0c' } else { '\n' });
            }
            _ => {}
        },
        |t| {
            if in_text.get() {
                unescape(t, &mut text.borrow_mut());
            }
        },
    );
    out
}

/// A workbook's text: each sheet's rows as tab-separated lines, sheets apart by form feeds.
fn excel_text(archive: &mut ZipArchive<Cursor<&[u8]>>) -> Result<String, String> {
    let shared = match part(archive, "xl/sharedStrings.xml") {
        Ok(xml) => shared_strings(&xml),
        Err(_) => Vec::new(),
    };
    let mut sheets: Vec<String> = archive
        .file_names()
        // A name the archive cannot decode is no sheet's.
        .filter_map(Result::ok)
        .filter(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"))
        .map(String::from)
        .collect();
    sheets.sort_by_key(|n| sheet_number(n));
    let mut pages = Vec::new();
    for name in sheets {
        pages.push(sheet_text(&part(archive, &name)?, &shared));
    }
    Ok(pages.join("\x0c"))
}

fn sheet_number(name: &str) -> u32 {
    name.trim_start_matches("xl/worksheets/sheet")
        .trim_end_matches(".xml")
        .parse()
        .unwrap_or(u32::MAX)
}

/// The shared strings table: one entry per `<si>`, its `<t>` runs joined.
fn shared_strings(xml: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let in_text = Cell::new(false);
    let strings = RefCell::new(&mut out);
    walk(
        xml,
        |tag| match (tag.name, tag.closing) {
            ("si", false) if !tag.empty => strings.borrow_mut().push(String::new()),
            ("t", false) if !tag.empty => in_text.set(true),
            ("t", true) => in_text.set(false),
            _ => {}
        },
        |t| {
            if in_text.get() {
                if let Some(last) = strings.borrow_mut().last_mut() {
                    unescape(t, last);
                }
            }
        },
    );
    out
}

/// A sheet's rows: shared strings looked up, inline strings and values as written.
fn sheet_text(xml: &str, shared: &[String]) -> String {
    #[derive(Default)]
    struct State {
        out: String,
        row: Vec<String>,
        cell: String,
        shared_cell: bool,
        in_value: bool,
    }
    let state = RefCell::new(State::default());
    walk(
        xml,
        |tag| {
            let mut s = state.borrow_mut();
            match (tag.name, tag.closing) {
                ("c", false) => {
                    s.cell.clear();
                    s.shared_cell = tag.attributes.contains("t=\"s\"");
                    if tag.empty {
                        s.row.push(String::new());
                    }
                }
                ("c", true) => {
                    let value = if s.shared_cell {
                        s.cell
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| shared.get(i).cloned())
                            .unwrap_or_default()
                    } else {
                        s.cell.clone()
                    };
                    s.row.push(value);
                }
                ("v", false) | ("t", false) if !tag.empty => s.in_value = true,
                ("v", true) | ("t", true) => s.in_value = false,
                ("row", true) => {
                    let line = s.row.join("\t");
                    s.out.push_str(line.trim_end());
                    s.out.push('\n');
                    s.row.clear();
                }
                _ => {}
            }
        },
        |t| {
            let mut s = state.borrow_mut();
            if s.in_value {
                let mut cell = std::mem::take(&mut s.cell);
                unescape(t, &mut cell);
                s.cell = cell;
            }
        },
    );
    state.into_inner().out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_paragraphs_tabs_and_page_breaks() {
        let xml = r#"<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>From:</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">Ortiz, Ben &lt;b@ice.dhs.gov&gt;</w:t></w:r></w:p><w:p><w:r><w:t>Sent: Monday</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/><w:t>(b)(6) &amp; more</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(
            word_text(xml),
            "From:\tOrtiz, Ben <b@ice.dhs.gov>\nSent: Monday\n\x0c(b)(6) & more\n"
        );
    }

    #[test]
    fn sheet_rows_with_shared_and_inline_strings() {
        let shared = shared_strings(
            r#"<sst><si><t>Plate</t></si><si><r><t>[RED</t></r><r><t>ACTED]</t></r></si></sst>"#,
        );
        assert_eq!(shared, vec!["Plate", "[REDACTED]"]);
        let sheet = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Agency</t></is></c></row><row r="2"><c t="s"><v>1</v></c><c><v>42</v></c></row></sheetData></worksheet>"#;
        assert_eq!(
            sheet_text(sheet, &shared),
            "Plate\tAgency\n[REDACTED]\t42\n"
        );
    }

    #[test]
    fn not_office_and_damaged() {
        assert_eq!(office_kind(b"PK\x03\x04garbage"), None);
        assert!(office_text(b"PK\x03\x04garbage", OfficeKind::Word).is_err());
    }
}
