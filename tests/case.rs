//! Cases: productions added release by release to case.sqlite, driven through the binary.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{bin, read_csv, repo, shared};

/// `analyze INPUT --case CASE --quiet EXTRA...`, which must succeed.
fn add(input: &Path, case: &Path, extra: &[&str]) -> Output {
    common::succeeds(add_command(input, case, extra))
}

fn add_command(input: &Path, case: &Path, extra: &[&str]) -> Command {
    let mut command = bin();
    command
        .arg("analyze")
        .arg(input)
        .arg("--case")
        .arg(case)
        .arg("--quiet")
        .args(extra)
        .current_dir(repo());
    command
}

/// Copies `entries` of `from` (files or folders, by name) into `to`.
fn copy_entries(from: &Path, to: &Path, entries: &[String]) {
    for name in entries {
        copy_tree(&from.join(name), &to.join(name), None);
    }
}

/// Copies a file or folder; with `mark`, each file gets a last line of its own, so the
/// copy's content (and hash) differ from the original's.
fn copy_tree(from: &Path, to: &Path, mark: Option<&str>) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        let mut names: Vec<_> = std::fs::read_dir(from)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        for name in names {
            copy_tree(&from.join(&name), &to.join(&name), mark);
        }
        return;
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let mut bytes = std::fs::read(from).unwrap();
    if let Some(mark) = mark {
        bytes.extend_from_slice(format!("\n{mark}\n").as_bytes());
    }
    std::fs::write(to, bytes).unwrap();
}

/// The entries of a folder, sorted by name.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// messages.csv's rows without the columns a case adds.
fn rows_outside_case(path: &Path) -> Vec<BTreeMap<String, String>> {
    read_csv(path)
        .into_iter()
        .map(|mut row| {
            for column in ["production", "first_seen", "message_key"] {
                row.remove(column);
            }
            row
        })
        .collect()
}

/// Splits `docs` into two installments (the first half of its entries, then the rest),
/// adds them to a case one after the other, and checks the case's cumulative messages
/// are one run's over the whole folder, with each row's production and first sighting.
fn installments_match_one_run(docs: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let names = entries(docs);
    let (first, second) = names.split_at(names.len() / 2);
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    copy_entries(docs, &one, first);
    copy_entries(docs, &two, second);
    let whole = dir.path().join("whole");
    common::analyze(&[docs], &whole, &["--no-xlsx"]);
    let case = dir.path().join("case");
    add(&one, &case, &["--no-xlsx"]);
    add(&two, &case, &["--no-xlsx"]);

    let reports = case.join("reports");
    let expected = rows_outside_case(&whole.join("messages.csv"));
    assert!(!expected.is_empty());
    assert_eq!(rows_outside_case(&reports.join("messages.csv")), expected);
    let rows = read_csv(&reports.join("messages.csv"));
    let in_one = rows.iter().filter(|r| r["production"] == "one").count();
    assert!(in_one > 0 && in_one < rows.len());
    for row in &rows {
        assert_eq!(row["message_key"].len(), 16, "{row:?}");
        assert!(["one", "two"].contains(&row["first_seen"].as_str()));
    }
    // What the second installment added: its distinct messages, all new.
    let changes = read_csv(&reports.join("changes.csv"));
    let new: Vec<_> = changes
        .iter()
        .filter(|c| c["change"] == "new message")
        .collect();
    let distinct_in_two = rows
        .iter()
        .filter(|r| r["production"] == "two" && r["duplicate_of"].is_empty())
        .count();
    assert_eq!(new.len(), distinct_in_two);
    assert!(changes.iter().all(|c| c["production"] == "two"));
}

#[test]
fn two_installments_give_the_rows_of_one_run() {
    installments_match_one_run(&repo().join("corpus"));
    if let Some(docs) = shared("devset/docs") {
        installments_match_one_run(&docs);
    }
}

/// The sample production copied `copies` times over, each copy's files made distinct.
fn larger_production(dir: &Path, copies: usize) -> PathBuf {
    let root = dir.join("larger");
    for k in 0..copies {
        copy_tree(
            &repo().join("corpus"),
            &root.join(format!("copy{k:02}")),
            Some(&format!("copy {k}")),
        );
    }
    root
}

fn sha256(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn the_same_production_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Large enough that the first run's reading, not starting a process, is its cost.
    let production = larger_production(dir.path(), 40);
    let case = dir.path().join("case");
    let started = Instant::now();
    add(&production, &case, &[]);
    let first = started.elapsed();
    let database = case.join("case.sqlite");
    let before = sha256(&database);
    let messages = std::fs::read(case.join("reports/messages.csv")).unwrap();

    let started = Instant::now();
    let again = bin()
        .arg("analyze")
        .arg(&production)
        .arg("--case")
        .arg(&case)
        .output()
        .unwrap();
    let second = started.elapsed();
    assert!(again.status.success());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("nothing changed"), "{said}");
    assert_eq!(sha256(&database), before, "case.sqlite changed");
    assert_eq!(
        std::fs::read(case.join("reports/messages.csv")).unwrap(),
        messages
    );
    assert!(
        second * 10 < first,
        "second run {second:?} is not under a tenth of the first {first:?}"
    );
    eprintln!("first run {first:?}, second {second:?}");

    // The same production, moved elsewhere, is still the same production.
    let moved = dir.path().join("moved").join("larger");
    copy_tree(&production, &moved, None);
    let again = common::succeeds({
        let mut command = bin();
        command.arg("analyze").arg(&moved).arg("--case").arg(&case);
        command
    });
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("nothing changed"), "{said}");
    assert_eq!(sha256(&database), before, "case.sqlite changed");

    // Reports that are gone are written again from the case, as they were.
    std::fs::remove_dir_all(case.join("reports")).unwrap();
    add(&production, &case, &[]);
    assert_eq!(
        std::fs::read(case.join("reports/messages.csv")).unwrap(),
        messages
    );
    assert_eq!(sha256(&database), before, "case.sqlite changed");

    // The same files under another name are a production of their own, read from the
    // case, not from disk: every message re-produced, none new.
    add(&production, &case, &["--production", "again"]);
    let changes = read_csv(&case.join("reports/changes.csv"));
    assert!(!changes.is_empty());
    assert!(changes.iter().all(|c| c["change"] == "re-produced"));
    let summary = bin().arg("case").arg(&case).output().unwrap();
    assert!(summary.status.success());
    let table = String::from_utf8_lossy(&summary.stdout);
    assert!(table.contains("2 productions"), "{table}");
    let again_line = table.lines().find(|l| l.starts_with("again")).unwrap();
    let cells: Vec<&str> = again_line.split_whitespace().collect();
    // name, date, files, known, messages, new, re-produced...
    assert_eq!(
        cells[2], cells[3],
        "every file already in the case: {again_line}"
    );
    assert_eq!(cells[5], "0", "{again_line}");

    // Other files under a name the case holds are refused, and change nothing.
    let before = sha256(&database);
    let refused = add_command(
        &repo().join("corpus/eml"),
        &case,
        &["--production", "again"],
    )
    .output()
    .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--replace"), "{said}");
    assert_eq!(sha256(&database), before);
}

const PRINTED: &str = "corpus/printed/2020-ICFO-10452.txt";
const WITHHELD: &str = "CRX7740 is to (b)(6), (b)(7)(C) at";
const RELEASED: &str = "CRX7740 is to Maria Delgado at";

#[test]
fn a_name_released_on_appeal_is_newly_released_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join(PRINTED)).unwrap();
    assert!(text.contains(WITHHELD));
    let (first, second, third) = (
        dir.path().join("interim"),
        dir.path().join("appeal"),
        dir.path().join("later"),
    );
    for d in [&first, &second, &third] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(first.join("release.txt"), &text).unwrap();
    std::fs::write(
        second.join("re-release.txt"),
        text.replace(WITHHELD, RELEASED),
    )
    .unwrap();
    // A later print withholds the name again (and Bates-numbers the page anew).
    std::fs::write(third.join("third.txt"), text.replace("000212", "000912")).unwrap();
    let case = dir.path().join("case");
    add(&first, &case, &["--production", "interim release"]);
    add(&second, &case, &["--production", "after appeal"]);
    let changes = read_csv(&case.join("reports/changes.csv"));
    let released: Vec<_> = changes
        .iter()
        .filter(|c| c["change"] == "newly released")
        .collect();
    assert_eq!(released.len(), 1, "{changes:?}");
    let row = released[0];
    assert_eq!(row["text"], "Maria Delgado");
    assert_eq!(row["production"], "after appeal");
    assert_eq!(row["earlier_production"], "interim release");
    assert_eq!(row["key"], "re-release.txt#1");
    assert_eq!(row["earlier_key"], "release.txt#1");
    assert_eq!(row["field"], "body");
    assert!(row["exemptions"].contains("(b)(6)"), "{row:?}");
    assert!(row["context"].contains("[[Maria Delgado]]"), "{row:?}");
    // Both prints are one message, re-produced.
    assert!(changes.iter().any(|c| c["change"] == "re-produced"
        && c["key"] == "re-release.txt#1"
        && c["earlier_key"] == "release.txt#1"));
    assert!(!changes.iter().any(|c| c["change"] == "new message"));

    add(&third, &case, &["--production", "later"]);
    let changes = read_csv(&case.join("reports/changes.csv"));
    let withheld: Vec<_> = changes
        .iter()
        .filter(|c| c["change"] == "newly withheld")
        .collect();
    assert_eq!(withheld.len(), 1, "{changes:?}");
    assert_eq!(withheld[0]["text"], "Maria Delgado");
    assert_eq!(withheld[0]["production"], "later");
    assert_eq!(withheld[0]["earlier_production"], "after appeal");
    // The cumulative messages hold every print, each with where it came from.
    let messages = read_csv(&case.join("reports/messages.csv"));
    let first_prints: Vec<_> = messages.iter().filter(|m| m["ordinal"] == "1").collect();
    assert_eq!(first_prints.len(), 3);
    assert!(first_prints
        .iter()
        .all(|m| m["first_seen"] == "interim release"));
    let keys: std::collections::BTreeSet<_> = first_prints
        .iter()
        .map(|m| m["message_key"].clone())
        .collect();
    assert_eq!(keys.len(), 1, "one message, one key: {keys:?}");
    // The workbook opens on what changed.
    let book = std::fs::read(case.join("reports/findings.xlsx")).unwrap();
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut workbook = String::new();
    std::io::Read::read_to_string(&mut book.by_name("xl/workbook.xml").unwrap(), &mut workbook)
        .unwrap();
    let summary = workbook.find("name=\"Summary\"").unwrap();
    let whats_new = workbook.find("name=\"What's new\"").unwrap();
    let flags = workbook.find("name=\"Flags\"").unwrap();
    assert!(summary < whats_new && whats_new < flags, "{workbook}");
    // The Summary sheet says which production What's new is about.
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut book.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    for text in [
        "productions in the case",
        "interim release; after appeal; later",
        "production of What's new",
        "newly withheld spans",
    ] {
        assert!(sheet.contains(text), "{text} not in the Summary: {sheet}");
    }
}

/// Every row of every table, as text: what "the case is unchanged" compares.
fn dump(database: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let conn = rusqlite::Connection::open(database).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = BTreeMap::new();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .unwrap();
        let width = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..width)
                    .map(|i| {
                        r.get_ref(i).map(|v| match v {
                            rusqlite::types::ValueRef::Null => "NULL".to_string(),
                            rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                            rusqlite::types::ValueRef::Real(x) => x.to_string(),
                            rusqlite::types::ValueRef::Text(t)
                            | rusqlite::types::ValueRef::Blob(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                        })
                    })
                    .collect::<Result<Vec<String>, _>>()
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        out.insert(table, rows);
    }
    out
}

#[test]
fn a_killed_run_leaves_the_case_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    add(
        &repo().join("corpus/eml"),
        &case,
        &["--production", "first"],
    );
    let database = case.join("case.sqlite");
    let journal = case.join("case.sqlite-journal");
    let before = dump(&database);
    let production = larger_production(dir.path(), 24);

    // The update holds its transaction from before it reads the first file to after it
    // wrote the last row: the journal is there all along, and the run is killed then.
    let mut child = add_command(&production, &case, &["--production", "second"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !journal.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        assert!(Instant::now() < deadline, "no update began");
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // Opening the case rolls the interrupted update back: it is as it was, and usable.
    assert_eq!(dump(&database), before);
    let summary = bin().arg("case").arg(&case).output().unwrap();
    assert!(summary.status.success());
    let table = String::from_utf8_lossy(&summary.stdout);
    assert!(table.contains("1 production,"), "{table}");
    assert!(!table.contains("second"), "{table}");
    add(&production, &case, &["--production", "second"]);
    let after = dump(&database);
    assert_eq!(after["productions"].len(), 2);
    let messages = read_csv(&case.join("reports/messages.csv"));
    assert!(messages.iter().any(|m| m["production"] == "second"));
}

#[test]
fn a_case_being_updated_refuses_a_second_update() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case");
    add(
        &repo().join("corpus/eml"),
        &case,
        &["--production", "first"],
    );
    let database = case.join("case.sqlite");
    let before = dump(&database);
    // Another update holds the case.
    let mut holder = rusqlite::Connection::open(&database).unwrap();
    let held = holder
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    let refused = add_command(&repo().join("corpus/mbox"), &case, &[])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("being updated by another run"), "{said}");
    held.rollback().unwrap();
    assert_eq!(dump(&database), before);
    add(&repo().join("corpus/mbox"), &case, &[]);
    assert_eq!(dump(&database)["productions"].len(), 2);
}

#[test]
fn a_folder_without_a_case_or_with_another_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let summary = bin().arg("case").arg(&empty).output().unwrap();
    assert_eq!(summary.status.code(), Some(2));
    let said = String::from_utf8_lossy(&summary.stderr);
    assert!(
        said.contains("holds no case") && said.contains("--case"),
        "{said}"
    );

    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let conn = rusqlite::Connection::open(other.join("case.sqlite")).unwrap();
    conn.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    drop(conn);
    let before = sha256(&other.join("case.sqlite"));
    let refused = add_command(&repo().join("corpus/eml"), &other, &[])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("did not make"), "{said}");
    assert_eq!(sha256(&other.join("case.sqlite")), before);
}

#[test]
fn files_read_with_other_rules_are_read_again_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(
        docs.join("a.eml"),
        "From: x@swb.example.org\nTo: y@ice.dhs.gov\nSubject: s\nDate: Mon, 08 Jun 2020 10:22:00 +0000\nMessage-ID: <a@b>\n\nhello\n",
    )
    .unwrap();
    let extra = dir.path().join("extra.json");
    std::fs::write(
        &extra,
        r#"{"agencies": [{"name": "Springfield Water Board", "kind": "utility", "aliases": ["Water Board"], "domains": ["swb.example.org"]}]}"#,
    )
    .unwrap();
    let rules = ["--rules", extra.to_str().unwrap()];
    let case = dir.path().join("case");
    add(&docs, &case, &[]);
    let sender =
        |case: &Path| read_csv(&case.join("reports/messages.csv"))[0]["sender_agency"].clone();
    assert_eq!(sender(&case), "");

    // The same files with other rules are not "nothing changed": they are refused...
    let refused = add_command(&docs, &case, &rules).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("other rules") && said.contains("--replace"),
        "{said}"
    );
    // ...and read again with them when asked.
    let mut replace = rules.to_vec();
    replace.push("--replace");
    add(&docs, &case, &replace);
    assert_eq!(sender(&case), "Springfield Water Board");
    let summary = bin().arg("case").arg(&case).output().unwrap();
    let table = String::from_utf8_lossy(&summary.stdout);
    let line = table.lines().find(|l| l.starts_with("docs")).unwrap();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells[3], "0", "read again, not taken from the case: {line}");

    // A production added with the default rules again says which were read otherwise.
    let more = dir.path().join("more");
    copy_tree(&repo().join("corpus/eml"), &more, None);
    let output = add(&more, &case, &[]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("productions docs were read with other rules"),
        "{said}"
    );
}
