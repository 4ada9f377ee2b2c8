//! Integration tests: run the `backchannel` binary on the sample production and on inputs
//! made here, and assert on the rows it writes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{analyze, bin, document_spans, read_csv, repo, run_labelled_set, shared, DATA_FILES};

#[derive(Debug)]
struct Label {
    path: String,
    messages: usize,
    informal: bool,
    redactions: usize,
}

fn corpus_labels() -> Vec<Label> {
    let text = std::fs::read_to_string(repo().join("tests/data/corpus_labels.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| Label {
            path: d["path"].as_str().unwrap().to_string(),
            messages: d["messages"].as_u64().unwrap() as usize,
            informal: d["informal_request"].as_bool().unwrap(),
            redactions: d["redactions"].as_u64().unwrap() as usize,
        })
        .collect()
}

#[test]
fn corpus_run_matches_its_labels() {
    let out = tempfile::tempdir().unwrap();
    analyze(&[Path::new("corpus")], out.path(), &[]);
    for name in DATA_FILES.iter().chain(&["findings.xlsx"]) {
        assert!(out.path().join(name).is_file(), "{name} missing");
    }
    let rows = read_csv(&out.path().join("messages.csv"));
    let labels = corpus_labels();
    let mut per_file: BTreeMap<&str, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for r in &rows {
        per_file.entry(r["source"].as_str()).or_default().push(r);
    }
    let documents = read_csv(&out.path().join("documents.csv"));
    let mut message_misses = Vec::new();
    let mut flag_misses = Vec::new();
    let mut redaction_misses = Vec::new();
    for label in &labels {
        let got = per_file
            .get(label.path.as_str())
            .cloned()
            .unwrap_or_default();
        if got.len() != label.messages {
            message_misses.push(format!(
                "{}: {} rows, labelled {}",
                label.path,
                got.len(),
                label.messages
            ));
        }
        let flagged = got.iter().any(|r| r["flagged"] == "true");
        if flagged != label.informal {
            flag_misses.push(label.path.clone());
        }
        let spans = document_spans(&documents, &label.path);
        if spans != label.redactions as u64 {
            redaction_misses.push(format!(
                "{}: {spans} spans, labelled {}",
                label.path, label.redactions
            ));
        }
    }
    assert!(
        flag_misses.is_empty(),
        "flag verdicts differ from labels: {flag_misses:?}"
    );
    // The one memo in the sample is read from its heading as a `memo` record; its label,
    // written before memos were read, counts no message.
    assert_eq!(
        message_misses,
        vec!["printed/cbp-2021-foia-027715-memo.txt: 1 rows, labelled 0".to_string()]
    );
    let memo = rows
        .iter()
        .find(|r| r["source"] == "printed/cbp-2021-foia-027715-memo.txt");
    assert_eq!(memo.map(|r| r["origin"].as_str()), Some("memo"));
    assert!(redaction_misses.is_empty(), "{redaction_misses:?}");

    // Every flagged row says why and shows its evidence.
    for r in rows.iter().filter(|r| r["flagged"] == "true") {
        assert!(r["reasons"].contains("cross_agency"), "{r:?}");
        assert!(!r["evidence"].is_empty(), "{r:?}");
        assert!(
            !r["requester"].is_empty() && !r["holder"].is_empty(),
            "{r:?}"
        );
    }
    // flags.csv lists each distinct flagged message once, however many copies it has:
    // the ICE re-production of eml/0003.eml repeats its two flagged messages.
    let flags = read_csv(&out.path().join("flags.csv"));
    let flagged = rows.iter().filter(|r| r["flagged"] == "true");
    assert_eq!(
        flags.len(),
        flagged
            .clone()
            .filter(|r| r["duplicate_of"].is_empty())
            .count()
    );
    assert_eq!(flags.len() + 2, flagged.count());

    // Every file has its document row; none is an error.
    assert_eq!(documents.len(), labels.len());
    assert!(read_csv(&out.path().join("errors.csv")).is_empty());
}

/// Sets written by other hands for this project (tests/data/sets/*: docs/ and
/// labels.json in the dev set's schema): every file's informal-request verdict must match
/// its label, and nearly every file its message and redaction counts.
#[test]
fn labelled_sets_by_other_hands() {
    let sets = repo().join("tests/data/sets");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&sets)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("labels.json").is_file())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for set in names {
        let (rows, documents, labels) = run_labelled_set(&set);
        let docs = labels["documents"].as_array().unwrap();
        let mut wrong_flags = Vec::new();
        let (mut messages_exact, mut redactions_exact) = (0, 0);
        for d in docs {
            let path = d["path"].as_str().unwrap().trim_start_matches("docs/");
            let got: Vec<_> = rows.iter().filter(|r| r["source"] == path).collect();
            let flagged = got.iter().any(|r| r["flagged"] == "true");
            if flagged != d["informal_request"].as_bool().unwrap() {
                wrong_flags.push(path.to_string());
            }
            messages_exact += usize::from(got.len() as u64 == d["messages"].as_u64().unwrap());
            // documents.csv counts the spans of a document that holds no message too.
            let spans = document_spans(&documents, path);
            redactions_exact += usize::from(spans == d["redactions"].as_u64().unwrap());
        }
        let name = set.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            wrong_flags.is_empty(),
            "{name}: verdicts differ from labels: {wrong_flags:?}"
        );
        assert!(
            messages_exact * 10 >= docs.len() * 9,
            "{name}: message counts right in {messages_exact} of {}",
            docs.len()
        );
        assert!(
            redactions_exact * 10 >= docs.len() * 9,
            "{name}: redaction counts right in {redactions_exact} of {}",
            docs.len()
        );
    }
}

#[test]
fn same_input_gives_same_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    analyze(&[Path::new("corpus")], a.path(), &["--no-xlsx"]);
    analyze(&[Path::new("corpus")], b.path(), &["--no-xlsx"]);
    for name in DATA_FILES {
        let x = std::fs::read(a.path().join(name)).unwrap();
        let y = std::fs::read(b.path().join(name)).unwrap();
        assert!(x == y, "{name} differs between two runs");
    }
}

const REPLY_WITH_QUOTE: &str = "Message-ID: <r1@pd.example.gov>\r\nDate: Tue, 03 Mar 2020 13:41:55 -0700\r\nFrom: \"Kowal, Maria\" <mkowal@springfieldpd.gov>\r\nTo: \"Baptiste, Trent\" <Trent.Baptiste@ice.dhs.gov>\r\nSubject: Re: plate ABC1234\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTrent,\r\n\r\nHere's what came back: six reads total on ABC1234 near the depot.\r\n\r\nMaria\r\nSpringfield Police Department\r\n\r\nOn Tue, Mar 3, 2020 at 9:14 AM, Baptiste, Trent <Trent.Baptiste@ice.dhs.gov> wrote:\r\n> Maria,\r\n>\r\n> Could you run plate ABC1234 in your LPR system and send me the hits?\r\n>\r\n> Trent\r\n> Homeland Security Investigations\r\n";

const MBOX: &str = "From a@sheriff.example.gov Mon Jun 08 10:22:00 2020\nFrom: Deputy A <a@sheriff.example.gov>\nTo: Deputy B <b@sheriff.example.gov>\nSubject: training\nDate: Mon, 08 Jun 2020 10:22:00 +0000\n\nThe LPR training is on Friday in room 4.\n>From the roster: ten seats.\n\nFrom b@sheriff.example.gov Mon Jun 08 11:00:00 2020\nFrom: Deputy B <b@sheriff.example.gov>\nTo: Deputy A <a@sheriff.example.gov>\nSubject: RE: training\nDate: Mon, 08 Jun 2020 11:00:00 +0000\n\nThanks, see you there.\n";

const PRINTED: &str = "SPRINGFIELD POLICE DEPARTMENT   PRR 21-0133   SPD-000041\n\nFrom:       (b)(6), (b)(7)(C) @ice.dhs.gov>\nSent:       Tuesday, April 9, 2019 7:58 AM\nTo:         [REDACTED]@springfieldpd.gov\nSubject:    release date\n\nCan you tell me when your jail is releasing ████████ and the address he gave at booking?\n\n(b)(6), (b)(7)(C)\nDeportation Officer, ERO\n\n                                                  Page 1 of 1\n";

#[test]
fn made_inputs_give_the_right_rows() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(docs.join("maildir/x/cur")).unwrap();
    std::fs::write(docs.join("reply.eml"), REPLY_WITH_QUOTE).unwrap();
    std::fs::write(docs.join("thread.mbox"), MBOX).unwrap();
    std::fs::write(
        docs.join("maildir/x/cur/1580237015.M1P2.host,S=10:2,S"),
        REPLY_WITH_QUOTE,
    )
    .unwrap();
    std::fs::write(docs.join("release.txt"), PRINTED).unwrap();
    std::fs::write(docs.join("empty.eml"), "").unwrap();
    std::fs::write(docs.join("scan.bin"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let out = dir.path().join("out");
    analyze(&[&docs], &out, &["--no-xlsx"]);
    let rows = read_csv(&out.join("messages.csv"));
    let by_source = |s: &str| rows.iter().filter(|r| r["source"] == s).collect::<Vec<_>>();

    let reply = by_source("reply.eml");
    assert_eq!(reply.len(), 2);
    assert_eq!(reply[0]["origin"], "header");
    assert_eq!(reply[0]["date"], "2020-03-03T13:41:55-07:00");
    assert_eq!(reply[0]["date_utc"], "2020-03-03T20:41:55Z");
    assert_eq!(reply[1]["origin"], "quoted");
    assert_eq!(
        reply[1]["from"],
        "Baptiste, Trent <Trent.Baptiste@ice.dhs.gov>"
    );
    assert_eq!(reply[1]["flagged"], "true");
    assert!(reply[1]["data_types"].contains("alpr"));
    assert!(reply[1]["identifiers"].contains("plate:ABC1234"));
    assert_eq!(
        reply[1]["requester"],
        "U.S. Immigration and Customs Enforcement"
    );
    assert_eq!(reply[1]["holder"], "Springfield Police Department");
    assert_eq!(reply[0]["flagged"], "true", "the fulfilment is flagged too");

    let mbox = by_source("thread.mbox");
    assert_eq!(mbox.len(), 2);
    assert!(mbox.iter().all(|r| r["flagged"] == "false"));

    assert_eq!(
        by_source("maildir/x/cur/1580237015.M1P2.host,S=10:2,S").len(),
        2
    );

    let printed = by_source("release.txt");
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0]["origin"], "printed");
    assert_eq!(printed[0]["bates"], "SPD-000041");
    assert_eq!(printed[0]["page"], "1");
    assert_eq!(printed[0]["redactions"], "4");
    assert_eq!(printed[0]["exemptions"], "(b)(6); (b)(7)(C)");
    assert_eq!(printed[0]["flagged"], "true");

    let errors = read_csv(&out.join("errors.csv"));
    let files: BTreeSet<&str> = errors.iter().map(|e| e["file"].as_str()).collect();
    assert_eq!(files, BTreeSet::from(["empty.eml", "scan.bin"]));

    // Every file has its document row, read or not.
    let documents = read_csv(&out.join("documents.csv"));
    assert_eq!(documents.len(), 6);
    let format_of = |f: &str| {
        documents
            .iter()
            .find(|d| d["file"] == f)
            .map(|d| d["format"].clone())
    };
    assert_eq!(format_of("thread.mbox").as_deref(), Some("mbox"));
    assert_eq!(format_of("release.txt").as_deref(), Some("printed"));
    assert_eq!(format_of("scan.bin").as_deref(), Some("unreadable"));
}

/// A PDF with a text layer, one page per slice of lines, written with lopdf.
fn pdf_with_pages(pages: &[&[&str]]) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids = Vec::new();
    for lines in pages {
        let mut ops = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 10.into()]),
            Operation::new("TL", vec![12.into()]),
            Operation::new("Td", vec![40.into(), 800.into()]),
        ];
        for line in *lines {
            ops.push(Operation::new("Tj", vec![Object::string_literal(*line)]));
            ops.push(Operation::new("T*", vec![]));
        }
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn pdf_text_layers_are_read_page_by_page() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let page1: &[&str] = &[
        "SPRINGFIELD POLICE DEPARTMENT   PRR 21-0133   SPD-000041",
        "",
        "From:       (b)(6), (b)(7)(C) @ice.dhs.gov>",
        "Sent:       Tuesday, April 9, 2019 7:58 AM",
        "To:         [REDACTED]@springfieldpd.gov",
        "Subject:    RE: release date",
        "",
        "Any luck on this one?",
        "",
        "Page 1 of 2",
    ];
    let page2: &[&str] = &[
        "SPRINGFIELD POLICE DEPARTMENT   PRR 21-0133   SPD-000042",
        "",
        "-----Original Message-----",
        "From:       (b)(6), (b)(7)(C) @ice.dhs.gov>",
        "Sent:       Monday, April 8, 2019 2:15 PM",
        "To:         [REDACTED]@springfieldpd.gov",
        "Subject:    release date",
        "",
        "Can you tell me when your jail is releasing him and the address he gave at booking?",
        "",
        "Page 2 of 2",
    ];
    std::fs::write(docs.join("release.pdf"), pdf_with_pages(&[page1, page2])).unwrap();
    std::fs::write(
        docs.join("broken.pdf"),
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog",
    )
    .unwrap();
    let out = dir.path().join("out");
    analyze(&[&docs], &out, &["--no-xlsx"]);
    let rows = read_csv(&out.join("messages.csv"));
    let pdf: Vec<_> = rows
        .iter()
        .filter(|r| r["source"] == "release.pdf")
        .collect();
    assert_eq!(pdf.len(), 2, "{rows:?}");
    assert_eq!(pdf[0]["page"], "1");
    assert_eq!(pdf[0]["bates"], "SPD-000041");
    assert_eq!(pdf[1]["page"], "2");
    assert_eq!(pdf[1]["bates"], "SPD-000042");
    assert_eq!(pdf[1]["flagged"], "true");
    assert_eq!(pdf[1]["date"], "2019-04-08T14:15:00");
    let errors = read_csv(&out.join("errors.csv"));
    assert!(
        errors
            .iter()
            .any(|e| e["file"] == "broken.pdf" && e["reason"].contains("PDF not readable")),
        "{errors:?}"
    );
}

/// Sets kept to measure generalisation (tests/data/measured): written by other hands after
/// the code they test, and not tuned to file by file. Their floors sit below what they
/// scored when first read, minus what was fixed by phenomenon since; a drop below is a
/// regression.
#[test]
fn measured_sets_hold_their_floors() {
    // (set, informal-request F1, messages exact, redactions exact)
    let floors = [
        ("heldout7", 0.80, 0.95, 0.95),
        ("heldout7pdf", 0.75, 0.75, 0.85),
    ];
    for (name, f1_floor, messages_floor, redactions_floor) in floors {
        let set = repo().join("tests/data/measured").join(name);
        let (rows, documents, labels) = run_labelled_set(&set);
        let docs = labels["documents"].as_array().unwrap();
        let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
        let (mut messages_exact, mut redactions_exact) = (0.0, 0.0);
        for d in docs {
            let path = d["path"].as_str().unwrap().trim_start_matches("docs/");
            let got: Vec<_> = rows.iter().filter(|r| r["source"] == path).collect();
            let flagged = got.iter().any(|r| r["flagged"] == "true");
            match (flagged, d["informal_request"].as_bool().unwrap()) {
                (true, true) => tp += 1.0,
                (true, false) => fp += 1.0,
                (false, true) => fn_ += 1.0,
                _ => {}
            }
            if got.len() as u64 == d["messages"].as_u64().unwrap() {
                messages_exact += 1.0;
            }
            let spans = document_spans(&documents, path);
            if spans == d["redactions"].as_u64().unwrap() {
                redactions_exact += 1.0;
            }
        }
        let n = docs.len() as f64;
        let f1 = 2.0 * tp / (2.0 * tp + fp + fn_);
        assert!(f1 >= f1_floor, "{name}: informal-request F1 {f1:.3}");
        assert!(fp == 0.0, "{name}: {fp} false flags");
        assert!(
            messages_exact / n >= messages_floor,
            "{name}: messages exact {messages_exact}/{n}"
        );
        assert!(
            redactions_exact / n >= redactions_floor,
            "{name}: redactions exact {redactions_exact}/{n}"
        );
    }
}

/// A zip archive of the given parts (an Office file).
fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, text) in parts {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// A production's Word export of a chain, a spreadsheet log with a redaction, a scan saved
/// as an image, and a plain zip archive.
#[test]
fn word_excel_images_and_archives() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    let para = |t: &str| format!("<w:p><w:r><w:t xml:space=\"preserve\">{t}</w:t></w:r></w:p>");
    let body: String = [
        "From: Ortiz, Ben &lt;bortiz@ice.dhs.gov&gt;",
        "Sent: Monday, March 7, 2022 4:40 PM",
        "To: Hale, Dana &lt;dhale@washoecounty.gov&gt;",
        "Subject: plate 7KLM214",
        "",
        "Dana, could you run plate 7KLM214 through your ALPR system and send me the reads directly? Our access request is still pending.",
    ]
    .iter()
    .map(|t| para(t))
    .collect();
    let word = format!("<?xml version=\"1.0\"?><w:document><w:body>{body}</w:body></w:document>");
    std::fs::write(
        docs.join("chain.docx"),
        zip_of(&[("word/document.xml", &word)]),
    )
    .unwrap();
    let sheet = r#"<worksheet><sheetData><row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row><row><c t="inlineStr"><is><t>7KLM214</t></is></c><c t="inlineStr"><is><t>[REDACTED]</t></is></c></row></sheetData></worksheet>"#;
    std::fs::write(
        docs.join("log.xlsx"),
        zip_of(&[
            ("xl/workbook.xml", "<workbook/>"),
            (
                "xl/sharedStrings.xml",
                "<sst><si><t>Plate</t></si><si><t>Requested by</t></si></sst>",
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ]),
    )
    .unwrap();
    std::fs::write(
        docs.join("scan.png"),
        b"\x89PNG\r\n\x1a\n rest of a picture",
    )
    .unwrap();
    std::fs::write(docs.join("bundle.zip"), zip_of(&[("a.txt", "hello")])).unwrap();
    let out = dir.path().join("out");
    analyze(&[&docs], &out, &["--no-xlsx"]);
    let rows = read_csv(&out.join("messages.csv"));
    let chain: Vec<_> = rows
        .iter()
        .filter(|r| r["source"] == "chain.docx")
        .collect();
    assert_eq!(chain.len(), 1, "{rows:?}");
    assert_eq!(chain[0]["flagged"], "true", "{:?}", chain[0]);
    let documents = read_csv(&out.join("documents.csv"));
    let doc = |file: &str| documents.iter().find(|d| d["file"] == file).unwrap();
    assert_eq!(doc("chain.docx")["format"], "docx");
    let log = doc("log.xlsx");
    assert_eq!(
        (
            log["format"].as_str(),
            log["content"].as_str(),
            log["redactions"].as_str()
        ),
        ("xlsx", "other", "1")
    );
    let scan = doc("scan.png");
    assert_eq!(
        (scan["format"].as_str(), scan["pages_needing_ocr"].as_str()),
        ("image", "1")
    );
    assert!(scan["error"].contains("--ocr"), "{scan:?}");
    assert!(doc("bundle.zip")["error"].contains("zip archive"));
}

/// A real release's chain printed as Outlook prints it (labels and values in two columns),
/// the same encrypted with an empty password and with a real one, and the same cut in
/// half (tests/data/pdf).
#[test]
fn printed_pdfs_two_columns_encrypted_and_truncated() {
    let fixtures = repo().join("tests/data/pdf");
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for name in [
        "two-column-print.pdf",
        "encrypted-no-password.pdf",
        "encrypted-password.pdf",
    ] {
        std::fs::copy(fixtures.join(name), docs.join(name)).unwrap();
    }
    let whole = std::fs::read(fixtures.join("two-column-print.pdf")).unwrap();
    std::fs::write(docs.join("truncated.pdf"), &whole[..whole.len() / 2]).unwrap();
    let out = dir.path().join("out");
    analyze(&[&docs], &out, &["--no-xlsx"]);
    let rows = read_csv(&out.join("messages.csv"));
    let senders = |file: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r["source"] == file)
            .map(|r| r["from"].clone())
            .collect()
    };
    let want = [
        "H <hrod17@clintonemail.com >",
        "Sullivan, Jacob 3 [mailto:Sullivan33@state.gov]",
        "McDonough, Denis R. [mailto",
        "Barber, Katharine",
    ];
    assert_eq!(senders("two-column-print.pdf"), want);
    assert_eq!(senders("encrypted-no-password.pdf"), want);
    let first = rows
        .iter()
        .find(|r| r["source"] == "two-column-print.pdf")
        .unwrap();
    assert_eq!(first["date"], "2012-04-18T07:08:00");
    assert_eq!(
        (first["page"].as_str(), first["bates"].as_str()),
        ("1", "C05794298")
    );
    let errors = read_csv(&out.join("errors.csv"));
    let reason = |file: &str| {
        errors
            .iter()
            .filter(|e| e["file"] == file)
            .map(|e| e["reason"].clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    assert!(
        reason("encrypted-password.pdf").contains("password"),
        "{errors:?}"
    );
    assert!(!reason("truncated.pdf").is_empty(), "{errors:?}");
    assert!(reason("two-column-print.pdf").is_empty());
    assert_eq!(read_csv(&out.join("documents.csv")).len(), 4);
}

/// Image-only PDFs (tests/data/scanned, made by make_scans.py): without --ocr they are
/// listed as needing it; with --ocr and tesseract, their printed chain is read; with
/// --ocr and no tesseract, the run stops and says what to install.
#[test]
fn scanned_pdfs_need_ocr_and_are_read_with_it() {
    let scans = repo().join("tests/data/scanned");
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for name in ["scanned-jpeg.pdf", "scanned-1bit.pdf"] {
        std::fs::copy(scans.join(name), docs.join(name)).unwrap();
    }

    let plain = dir.path().join("plain");
    analyze(&[&docs], &plain, &["--no-xlsx"]);
    assert!(read_csv(&plain.join("messages.csv")).is_empty());
    for d in read_csv(&plain.join("documents.csv")) {
        assert_eq!(
            (d["pages"].as_str(), d["pages_needing_ocr"].as_str()),
            ("2", "2")
        );
        assert!(d["error"].contains("--ocr"), "{d:?}");
    }

    let no_tesseract = bin()
        .args(["analyze", "--ocr", "--quiet", "--out"])
        .arg(dir.path().join("none"))
        .arg(&docs)
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert!(!no_tesseract.status.success());
    let said = String::from_utf8_lossy(&no_tesseract.stderr);
    assert!(
        said.contains("tesseract") && said.contains("install"),
        "{said}"
    );

    if which("tesseract").is_none() {
        eprintln!("skipped the OCR run: tesseract is not installed");
        return;
    }
    let ocr = dir.path().join("ocr");
    analyze(&[&docs], &ocr, &["--no-xlsx", "--ocr"]);
    let rows = read_csv(&ocr.join("messages.csv"));
    let jpeg: Vec<_> = rows
        .iter()
        .filter(|r| r["source"] == "scanned-jpeg.pdf")
        .collect();
    assert_eq!(jpeg.len(), 2, "{rows:?}");
    assert!(jpeg[0]["from"].starts_with("Hale, Dana"), "{:?}", jpeg[0]);
    assert_eq!(jpeg[0]["date"], "2022-03-08T10:12:00");
    assert_eq!(
        (jpeg[1]["page"].as_str(), jpeg[1]["bates"].as_str()),
        ("2", "000042")
    );
    assert!(jpeg.iter().all(|r| r["flagged"] == "true"), "{jpeg:?}");
    // The 1-bit scan is CCITT fax data, passed to tesseract as a TIFF.
    assert!(rows
        .iter()
        .any(|r| r["source"] == "scanned-1bit.pdf" && r["from"].starts_with("Hale, Dana")));
    for d in read_csv(&ocr.join("documents.csv")) {
        assert_eq!(d["pages_needing_ocr"], "0", "{d:?}");
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

#[test]
fn rules_prints_the_default_rules_and_a_user_file_extends_them() {
    let output = bin().arg("rules").output().unwrap();
    assert!(output.status.success());
    let rules: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(rules["agencies"].as_array().unwrap().len() > 10);

    let dir = tempfile::tempdir().unwrap();
    let extra = dir.path().join("extra.json");
    std::fs::write(
        &extra,
        r#"{"agencies": [{"name": "Springfield Water Board", "kind": "utility", "aliases": ["Water Board"], "domains": ["swb.example.org"]}]}"#,
    )
    .unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(
        docs.join("a.eml"),
        "From: x@swb.example.org\nTo: y@ice.dhs.gov\nSubject: s\nDate: Mon, 08 Jun 2020 10:22:00 +0000\nMessage-ID: <a@b>\n\nhello\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    analyze(
        &[&docs],
        &out,
        &["--no-xlsx", "--rules", extra.to_str().unwrap()],
    );
    let rows = read_csv(&out.join("messages.csv"));
    assert_eq!(rows[0]["sender_agency"], "Springfield Water Board");
}

#[test]
fn a_missing_input_is_an_error_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = bin()
        .args(["analyze", "no/such/folder", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("no/such/folder"), "{err}");
}

#[test]
fn an_output_folder_that_cannot_be_made_is_an_error_that_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: no folder, no record store, no reports.
    let blocked = dir.path().join("reports");
    std::fs::write(&blocked, "not a folder").unwrap();
    let output = bin()
        .args(["analyze", "corpus", "--quiet", "--out"])
        .arg(&blocked)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("writing to") && err.contains("reports"),
        "{err}"
    );
    assert!(!err.contains("check that the path exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&blocked).unwrap(), "not a folder");
}

#[test]
fn help_explains_every_flag_with_an_example() {
    let output = bin().args(["analyze", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in ["--out", "--rules", "--no-xlsx", "--max-file-mb", "--quiet"] {
        assert!(help.contains(flag), "{flag} missing from help");
    }
    assert!(help.matches("Example").count() >= 5, "{help}");
}

/// Every file of the parser test suites under ../shared is accounted for: message rows or
/// an error row, and no crash. Skipped where ../shared is absent (a user's clone).
/// Thirty documents of the State Department's release of case F-2014-20439, each read by
/// hand for its message count and senders (tests/data/state-dept-sample/expected.json).
#[test]
fn state_department_sample_matches_the_hand_check() {
    let sample = repo().join("tests/data/state-dept-sample");
    let out = tempfile::tempdir().unwrap();
    analyze(&[&sample], out.path(), &["--no-xlsx"]);
    let rows = read_csv(&out.path().join("messages.csv"));
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample.join("expected.json")).unwrap())
            .unwrap();
    let docs = expected["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 30);
    let mut wrong = Vec::new();
    for d in docs {
        let file = d["file"].as_str().unwrap();
        let got: Vec<&str> = rows
            .iter()
            .filter(|r| r["source"] == file)
            .map(|r| r["from"].trim())
            .collect();
        let want: Vec<&str> = d["senders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().trim())
            .collect();
        assert_eq!(want.len() as u64, d["messages"].as_u64().unwrap());
        if got != want {
            wrong.push(format!("{file}: want {want:?}, got {got:?}"));
        }
        let on_page_one = rows
            .iter()
            .find(|r| r["source"] == file)
            .map(|r| (r["page"].clone(), r["bates"].clone()));
        assert_eq!(
            on_page_one,
            Some(("1".to_string(), file.trim_end_matches(".txt").to_string())),
            "{file}: the first message's page and document number"
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The whole State Department release: every document is read without an error row, and
/// every one that is correspondence (an email, a memo with a heading, a signed letter)
/// gives at least one message. The rest are named: a schedule, two tables, a draft
/// treaty, an unheaded concept paper and an unsigned note.
#[test]
fn state_department_release_every_document_gives_messages() {
    let Some(root) = shared("realdata/state-dept-foia") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    analyze(&[&root], out.path(), &["--no-xlsx"]);
    let documents = read_csv(&out.path().join("documents.csv"));
    assert_eq!(documents.len(), 551);
    assert!(read_csv(&out.path().join("errors.csv")).is_empty());
    let without: BTreeSet<&str> = documents
        .iter()
        .filter(|d| d["messages"] == "0")
        .map(|d| d["file"].trim_start_matches("HRCEmail_Feb13thWeb/"))
        .collect();
    let not_correspondence = BTreeSet::from([
        "C05771298.txt", // draft treaty text
        "C05774453.txt", // concept paper, no heading
        "C05782764.txt", // "PRIVATE NOTE", unsigned
        "C05784969.txt", // comparison table of drafts
        "C05785002.txt", // the Secretary's daily schedule
        "C05797160.txt", // staffing table
    ]);
    assert_eq!(without, not_correspondence);
    let rows = read_csv(&out.path().join("messages.csv"));
    let with_bates = rows.iter().filter(|r| !r["bates"].is_empty()).count();
    assert_eq!(
        with_bates,
        rows.len(),
        "every message keeps its document number"
    );
}

#[test]
fn all_real_data_is_accounted_for() {
    let Some(root) = shared("realdata") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let run = bin()
        .arg("analyze")
        .arg(&root)
        .arg("--out")
        .arg(out.path())
        .arg("--no-xlsx")
        .output()
        .expect("run backchannel");
    assert!(run.status.success());
    // The summary's three kinds of file add up to the files found.
    let summary = String::from_utf8_lossy(&run.stderr).to_string();
    let files = walk(&root).len();
    assert!(summary.contains(&format!("{files} files (")), "{summary}");
    let rows = read_csv(&out.path().join("messages.csv"));
    let errors = read_csv(&out.path().join("errors.csv"));
    let documents = read_csv(&out.path().join("documents.csv"));
    let mut seen: BTreeSet<String> = rows.iter().map(|r| r["source"].clone()).collect();
    seen.extend(errors.iter().map(|e| e["file"].clone()));
    let listed: BTreeSet<String> = documents.iter().map(|d| d["file"].clone()).collect();
    assert_eq!(listed.len(), walk(&root).len(), "one document row per file");
    // A file read whole that gave no message must say why: it is not mail.
    for d in &documents {
        if d["messages"] == "0" && d["error"].is_empty() {
            seen.insert(d["file"].clone());
        }
    }
    let mut missing = Vec::new();
    for entry in walk(&root) {
        let rel = entry
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !seen.contains(&rel) {
            missing.push(rel);
        }
    }
    assert!(
        missing.is_empty(),
        "files with neither rows nor error rows: {missing:?}"
    );
    let with = documents.iter().filter(|d| d["messages"] != "0").count();
    let unread = documents
        .iter()
        .filter(|d| d["content"] == "unread")
        .count();
    let without = files - with - unread;
    assert!(
        summary.contains(&format!(
            "{with} with messages, {without} without, {unread} not read"
        )),
        "{summary}"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out
}

/// `rules --patterns` gives ripgrep one regular expression a line: request phrases,
/// agencies (names, acronyms, domains) and exemption codes, every line compiling.
#[test]
fn rules_patterns_are_regexes_for_requests_agencies_and_exemptions() {
    let output = bin().args(["rules", "--patterns"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 100, "{} lines", lines.len());
    let compiled: Vec<regex::Regex> = lines
        .iter()
        .map(|l| {
            assert!(!l.trim().is_empty(), "an empty line matches every line");
            regex::Regex::new(l).unwrap_or_else(|e| panic!("{l:?}: {e}"))
        })
        .collect();
    // Together, as ripgrep 13 joins them: no group name twice, and no flag of one line
    // (case-insensitivity) reaching the next.
    let joined = regex::Regex::new(&lines.join("|")).expect("the lines as one alternation");
    let any = |sample: &str| {
        let one = compiled.iter().any(|r| r.is_match(sample));
        assert_eq!(one, joined.is_match(sample), "{sample:?}");
        one
    };
    for sample in [
        "Could you run this plate for me?",
        "Any chance you could pull the bookings",
        "Referred by Immigration and Customs Enforcement",
        "the ICE detainer",
        "From: jane.doe@ice.dhs.gov",
        "Kern County Sheriff's Office",
        "(b)(6), (b)(7)(C)",
        "RELEASE IN PART B5,B6",
        "b7C",
    ] {
        assert!(any(sample), "nothing matches {sample:?}");
    }
    for sample in ["the ice on the road", "nothing to see here", "vitamin"] {
        assert!(!any(sample), "something matches {sample:?}");
    }
    assert!(
        lines.contains(&r"(?i:(?-u:\b)ice\.dhs\.gov(?-u:\b))"),
        "the domain line, escaped"
    );
}
