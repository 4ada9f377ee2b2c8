//! Hostile and broken input: every file a run is given ends in messages, in a document
//! row without messages, or in an error row; nothing crashes, hangs or is half-written;
//! the same input gives the same bytes whatever the thread count.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{bin, read_csv, repo, Row, DATA_FILES};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write input");
}

const HEAD: &str = "From: Ana Ruiz <aruiz@riversideca.gov>\nTo: Mark Jensen <mark.jensen@ice.dhs.gov>\nSubject: plate\nDate: Tue, 3 Mar 2020 10:00:00 -0800\nMessage-ID: <m1@riversideca.gov>\n";

/// MIME multiparts nested `depth` deep.
fn nested(depth: usize) -> Vec<u8> {
    let mut out =
        format!("{HEAD}MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n");
    for i in 1..depth {
        out.push_str(&format!(
            "--b{}\nContent-Type: multipart/mixed; boundary=\"b{i}\"\n\n",
            i - 1
        ));
    }
    out.push_str(&format!(
        "--b{}\nContent-Type: text/plain\n\nthe innermost text\n",
        depth - 1
    ));
    for i in (0..depth).rev() {
        out.push_str(&format!("--b{i}--\n"));
    }
    out.into_bytes()
}

/// One multipart message with `parts` text parts.
fn many_parts(parts: usize) -> Vec<u8> {
    let mut out =
        format!("{HEAD}MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"z\"\n\n");
    for i in 0..parts {
        out.push_str(&format!("--z\nContent-Type: text/plain\n\npart {i}\n"));
    }
    out.push_str("--z--\n");
    out.into_bytes()
}

/// 100 MB of words on one line.
fn one_line(bytes: usize) -> Vec<u8> {
    let words = [
        "plate ", "records ", "officer ", "(b)(6) ", "please ", "run ", "the ",
    ];
    let mut out = Vec::with_capacity(bytes + 16);
    let mut i = 0usize;
    while out.len() < bytes {
        out.extend_from_slice(words[i % words.len()].as_bytes());
        i = i.wrapping_mul(31).wrapping_add(7);
    }
    out
}

/// A PDF whose cross-reference table points nowhere.
const BROKEN_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\nxref\n0 3\nGARBAGE\ntrailer<</Root 1 0 R>>\nstartxref\n99999\n%%EOF";

/// Writes the hostile inputs; gives the names that are files (and the count of entries).
fn hostile_inputs(dir: &Path) {
    let msg = |body: &[u8]| [HEAD.as_bytes(), b"\n", body].concat();
    write(dir, "empty.eml", b"");
    let noise: Vec<u8> = (0..65_536u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    write(dir, "binary.bin", &noise);
    write(
        dir,
        "nul-bytes.eml",
        &msg(&[
            b"Could you run the plate for me? ".repeat(20).as_slice(),
            b"\0stray\0",
            b"\n",
        ]
        .concat()),
    );
    write(
        dir,
        "invalid-utf8.eml",
        &msg(b"caf\xe9 \xc3\x28 \xff\xfe ok\n"),
    );
    write(
        dir,
        "unknown-charset.eml",
        format!("{HEAD}Content-Type: text/plain; charset=x-klingon\n\nqapla\n").as_bytes(),
    );
    write(
        dir,
        "lying-charset.eml",
        format!("{HEAD}Content-Type: text/plain; charset=utf-16\n\nplain ascii, not utf-16\n")
            .as_bytes(),
    );
    write(dir, "one-line.txt", &one_line(100 * 1024 * 1024));
    write(dir, "nested-10000.eml", &nested(10_000));
    write(dir, "parts-100000.eml", &many_parts(100_000));
    write(dir, "header-only.eml", HEAD.as_bytes());
    write(
        dir,
        "truncated-base64.eml",
        format!(
            "{HEAD}Content-Transfer-Encoding: base64\n\nQ291bGQgeW91IHJ1biB0aGUgcGxhdGU/IFRoYW5r"
        )
        .as_bytes(),
    );
    write(dir, "truncated-qp.eml", format!("{HEAD}Content-Transfer-Encoding: quoted-printable\n\nCould you run the plate=3F Thanks =E2=80=9").as_bytes());
    let mbox = format!(
        "From someone-without-a-date\n{HEAD}\nfirst\n\nFrom a@b.gov Tue Mar  3 10:00:00 2020\n{HEAD}\nsecond\n{HEAD}\nglued on, no separator\n"
    );
    write(dir, "bad-separators.mbox", mbox.as_bytes());
    write(
        dir,
        "cr-only.eml",
        msg(b"line one\nline two\n")
            .iter()
            .map(|&b| if b == b'\n' { b'\r' } else { b })
            .collect::<Vec<u8>>()
            .as_slice(),
    );
    write(dir, "broken-xref.pdf", BROKEN_PDF);
    write(
        dir,
        "archive.zip",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00 not really a zip past its magic",
    );
    write(dir, "unreadable.eml", &msg(b"no one may read this\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("unreadable.eml");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        std::os::unix::fs::symlink(".", dir.join("loop")).expect("symlink loop");
        std::os::unix::fs::symlink("gone.eml", dir.join("dangling.eml")).expect("symlink");
    }
}

fn run(input: &Path, out: &Path, extra: &[&str], threads: &str) -> std::process::Output {
    bin()
        .arg("analyze")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--no-xlsx")
        .args(extra)
        .env("RAYON_NUM_THREADS", threads)
        .current_dir(repo())
        .output()
        .expect("run backchannel")
}

fn find<'a>(rows: &'a [Row], column: &str, value: &str) -> Option<&'a Row> {
    rows.iter().find(|r| r[column] == value)
}

#[test]
fn hostile_inputs_are_each_accounted_for_and_nothing_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    hostile_inputs(&input);
    let out = dir.path().join("out");
    let started = Instant::now();
    let output = run(&input, &out, &[], "2");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );

    let documents = read_csv(&out.join("documents.csv"));
    let errors = read_csv(&out.join("errors.csv"));
    let messages = read_csv(&out.join("messages.csv"));
    let names: Vec<String> = std::fs::read_dir(&input)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // Every entry has its document row or its error row.
    for name in &names {
        assert!(
            find(&documents, "file", name).is_some() || find(&errors, "file", name).is_some(),
            "{name} is not accounted for"
        );
    }
    let error_of = |name: &str| {
        find(&errors, "file", name)
            .map(|r| r["reason"].clone())
            .unwrap_or_default()
    };
    let messages_of = |name: &str| messages.iter().filter(|m| m["source"] == name).count();
    assert!(error_of("empty.eml").contains("empty"));
    assert!(error_of("binary.bin").contains("binary"));
    assert!(error_of("archive.zip").contains("zip archive"));
    assert!(error_of("loop").contains("loop"));
    assert!(!error_of("dangling.eml").is_empty());
    assert!(error_of("broken-xref.pdf").contains("PDF not readable"));
    assert!(error_of("nested-10000.eml").contains("MIME"));
    for name in [
        "nul-bytes.eml",
        "invalid-utf8.eml",
        "unknown-charset.eml",
        "lying-charset.eml",
        "nested-10000.eml",
        "parts-100000.eml",
        "header-only.eml",
        "truncated-base64.eml",
        "truncated-qp.eml",
        "cr-only.eml",
    ] {
        assert_eq!(messages_of(name), 1, "{name}: {:?}", error_of(name));
    }
    assert!(messages_of("bad-separators.mbox") >= 2);
    // Root reads a file whatever its mode; anyone else gets an error row.
    assert!(
        messages_of("unreadable.eml") == 1 || error_of("unreadable.eml").contains("cannot read")
    );
    let one_line = find(&documents, "file", "one-line.txt").expect("one-line.txt row");
    assert_eq!(one_line["content"], "other");

    // The summary's three kinds of file add up to the entries found.
    let summary = stderr
        .lines()
        .find(|l| l.starts_with("backchannel:"))
        .unwrap_or_default()
        .to_string();
    let count_before = |label: &str| -> usize {
        let at = summary
            .find(label)
            .unwrap_or_else(|| panic!("{label}: {summary}"));
        let digits: String = summary[..at]
            .trim_end()
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse().unwrap()
    };
    assert!(
        summary.contains(&format!("{} files", names.len())),
        "{summary}"
    );
    let (with, without, unread) = (
        count_before(" with messages"),
        count_before(" without"),
        count_before(" not read"),
    );
    assert!(with >= 12 && unread >= 5, "{summary}");
    assert_eq!(with + without + unread, names.len(), "{summary}");
}

#[test]
fn a_file_over_the_time_limit_is_an_error_row_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    // Thousands of levels of quoting, three times over: seconds of work, far over a limit
    // of one (one such chain alone now reads in little more than a second).
    let mut quoted = String::new();
    for level in 0..3_000 {
        quoted = format!(
            "On Mon, Mar 2, 2020 at 10:00 AM, P{level} <p{level}@x.gov> wrote:\n{}",
            format!("text {level}\n{quoted}")
                .lines()
                .map(|l| format!("> {l}\n"))
                .collect::<String>()
        );
    }
    write(
        &input,
        "deep-quotes.eml",
        format!("{HEAD}\n{quoted}{quoted}{quoted}").as_bytes(),
    );
    write(
        &input,
        "fine.eml",
        format!("{HEAD}\nCould you run the plate?\n").as_bytes(),
    );
    let out = dir.path().join("out");
    let output = run(&input, &out, &["--max-file-secs", "1"], "2");
    assert!(output.status.success());
    let errors = read_csv(&out.join("errors.csv"));
    let row = find(&errors, "file", "deep-quotes.eml").expect("an error row for deep-quotes.eml");
    assert!(row["reason"].contains("time limit"), "{row:?}");
    let messages = read_csv(&out.join("messages.csv"));
    assert!(find(&messages, "source", "fine.eml").is_some());
}

#[test]
fn the_same_input_gives_the_same_bytes_with_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = repo().join("corpus");
    let mut outputs = Vec::new();
    for threads in ["1", "2", "5"] {
        let out = dir.path().join(format!("out{threads}"));
        assert!(run(&corpus, &out, &[], threads).status.success());
        outputs.push(out);
    }
    for name in DATA_FILES {
        let first = std::fs::read(outputs[0].join(name)).unwrap();
        for other in &outputs[1..] {
            assert!(
                first == std::fs::read(other.join(name)).unwrap(),
                "{name} differs"
            );
        }
    }
}

#[test]
fn a_killed_run_leaves_the_last_whole_reports_and_a_rerun_replaces_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let corpus = repo().join("corpus");
    let with_workbook = bin()
        .arg("analyze")
        .arg(&corpus)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .status();
    assert!(with_workbook.expect("run").success());
    assert!(out.join("findings.xlsx").is_file());
    let whole = std::fs::read(out.join("messages.csv")).unwrap();
    // A bigger input, killed while it is being read.
    let input = dir.path().join("big");
    std::fs::create_dir(&input).unwrap();
    for i in 0..40 {
        write(&input, &format!("{i}.txt"), &one_line(4 * 1024 * 1024));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_backchannel"))
        .arg("analyze")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .spawn()
        .expect("start");
    std::thread::sleep(Duration::from_millis(700));
    child.kill().expect("kill");
    let _ = child.wait();
    assert_eq!(
        std::fs::read(out.join("messages.csv")).unwrap(),
        whole,
        "the earlier reports stay whole"
    );
    // A re-run replaces everything, stale staging folders included; --no-xlsx also takes
    // away the earlier workbook, which would no longer match.
    assert!(run(&corpus, &out, &[], "2").status.success());
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    assert!(!names.contains(&"findings.xlsx".to_string()));
    assert_eq!(std::fs::read(out.join("messages.csv")).unwrap(), whole);
}

#[test]
fn a_run_that_cannot_start_says_why_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let missing = bin()
        .arg("analyze")
        .arg(dir.path().join("nowhere"))
        .arg("--out")
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nowhere"));
    // An output folder that is a file cannot be written.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "a file").unwrap();
    let unwritable = bin()
        .arg("analyze")
        .arg(repo().join("corpus"))
        .arg("--out")
        .arg(&blocked)
        .output()
        .unwrap();
    assert!(!unwritable.status.success());
    assert!(
        String::from_utf8_lossy(&unwritable.stderr).contains("writ"),
        "{}",
        String::from_utf8_lossy(&unwritable.stderr)
    );
    let bad_flag = bin()
        .arg("analyze")
        .arg("--max-file-secs")
        .arg("soon")
        .output()
        .unwrap();
    assert!(!bad_flag.status.success());
}

#[test]
fn a_pdf_that_makes_the_pdf_library_panic_is_an_error_row_and_says_nothing_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = repo().join("tests/data/pdf/fuzz-xref-panic.pdf");
    let output = run(&pdf, &dir.path().join("out"), &[], "2");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let errors = read_csv(&dir.path().join("out").join("errors.csv"));
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]["reason"].starts_with("PDF not readable"),
        "{errors:?}"
    );
}
