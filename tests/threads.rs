//! Integration tests for the thread/dedupe stage: conversations across files, copies of
//! one message in different forms, and text one copy withholds and another shows.

mod common;

use std::path::Path;

use common::{analyze, read_csv, Row};

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write input");
}

fn row<'a>(rows: &'a [Row], key: &str) -> &'a Row {
    rows.iter().find(|r| r["key"] == key).unwrap_or_else(|| {
        panic!(
            "no row {key}: {:?}",
            rows.iter().map(|r| &r["key"]).collect::<Vec<_>>()
        )
    })
}

const ASK: &str = "Ana,\n\nCould you run plate 7ABC123, registered to Daniel Ortiz, through your \
ALPR system for the last 30 days? Our LEARN access is down and I need the hits for a case \
that is moving fast. Please send them to my email, not through the portal.\n\nThanks,\n\
Mark Jensen\nSpecial Agent, HSI Riverside\n";

/// The ask as sent, clear.
fn original() -> String {
    format!(
        "From: Mark Jensen <mark.jensen@ice.dhs.gov>\r\nTo: Ana Ruiz <aruiz@riversideca.gov>\r\n\
         Subject: Plate 7ABC123\r\nDate: Tue, 3 Mar 2020 10:00:00 -0800\r\n\
         Message-ID: <ask-1@ice.dhs.gov>\r\n\r\n{ASK}"
    )
}

/// The detective's answer, quoting the ask.
fn reply() -> String {
    let quoted: String = ASK.lines().map(|l| format!("> {l}\n")).collect();
    format!(
        "From: Ana Ruiz <aruiz@riversideca.gov>\nTo: Mark Jensen <mark.jensen@ice.dhs.gov>\n\
         Subject: RE: Plate 7ABC123\nDate: Tue, 3 Mar 2020 11:30:00 -0800\n\
         Message-ID: <answer-1@riversideca.gov>\nIn-Reply-To: <ask-1@ice.dhs.gov>\n\n\
         Mark, four hits, list below. Keep it between us.\n\n\
         On Tue, Mar 3, 2020 at 10:00 AM, Mark Jensen <mark.jensen@ice.dhs.gov> wrote:\n{quoted}"
    )
}

/// The ask as the police department printed and released it: OCR noise, re-wrapped
/// lines, and the registered owner's name withheld.
fn printed() -> String {
    let body = ASK
        .replace("Daniel Ortiz", "(b)(6)")
        .replace("through", "tbrough")
        .replace("system", "systern")
        .replace("moving", "rnoving")
        .replace(", not", ",\nnot");
    format!(
        "RIVERSIDE POLICE DEPARTMENT   CPRA RESPONSE #20-0101   RPD-000412\n\n\
         From: Jensen, Mark\nSent: Tuesday, March 3, 2020 10:00 AM\nTo: Ruiz, Ana\n\
         Subject: Plate 7ABC123\n\n{body}\n\nPage 1 of 1\n"
    )
}

#[test]
fn one_message_as_eml_quote_and_print_is_one_message_with_a_redaction_difference() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("production");
    std::fs::create_dir(&input).unwrap();
    write(&input, "ask.eml", &original());
    write(&input, "answer.eml", &reply());
    write(&input, "release.txt", &printed());
    let out = dir.path().join("out");
    let run = analyze(&[&input], &out, &["--no-xlsx"]);
    let _ = run;

    let messages = read_csv(&out.join("messages.csv"));
    assert_eq!(messages.len(), 4, "{messages:#?}");
    let ask = row(&messages, "ask.eml#1");
    let quoted = row(&messages, "answer.eml#2");
    let print = row(&messages, "release.txt#1");
    let answer = row(&messages, "answer.eml#1");
    // The first occurrence in path order is the reply's quote; every copy points to it.
    assert_eq!(quoted["duplicate_of"], "");
    assert_eq!(ask["duplicate_of"], "answer.eml#2");
    assert_eq!(print["duplicate_of"], "answer.eml#2");
    assert_eq!(answer["duplicate_of"], "");
    for copy in [ask, quoted, print] {
        assert_eq!(copy["copies"], "3");
        assert_eq!(copy["inclusive"], "false", "the answer quotes it whole");
    }
    assert_eq!(answer["copies"], "1");
    assert_eq!(answer["inclusive"], "true");
    assert_eq!(print["redactions"], "1");
    let thread = &ask["thread_id"];
    assert!(messages.iter().all(|m| &m["thread_id"] == thread));

    let threads = read_csv(&out.join("threads.csv"));
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0]["messages"], "2");
    assert_eq!(threads[0]["occurrences"], "4");
    assert_eq!(threads[0]["subject"], "Plate 7ABC123");
    assert_eq!(threads[0]["sources"], "answer.eml; ask.eml; release.txt");

    let diffs = read_csv(&out.join("redaction_diffs.csv"));
    assert_eq!(diffs.len(), 1, "{diffs:#?}");
    let d = &diffs[0];
    assert_eq!(d["withheld"], "Daniel Ortiz,");
    assert_eq!(d["exemption"], "(b)(6)");
    assert_eq!(d["field"], "body");
    assert_eq!(d["message"], "answer.eml#2");
    assert_eq!(d["redacted_in"], "release.txt#1");
    assert_eq!(d["redacted_page"], "1");
    assert_eq!(d["redacted_bates"], "RPD-000412");
    assert_eq!(d["visible_in"], "answer.eml#2");
    assert!(
        d["context"].contains("registered to [[Daniel Ortiz,]] through"),
        "{}",
        d["context"]
    );

    // Counts are of distinct messages: the ask is one flagged request, not three.
    let flags = read_csv(&out.join("flags.csv"));
    let ask_flags: Vec<&Row> = flags.iter().filter(|f| f["thread_id"] == *thread).collect();
    assert!(ask_flags.len() <= 2, "{flags:#?}");
    assert!(ask_flags
        .iter()
        .all(|f| f["key"] != "ask.eml#1" && f["key"] != "release.txt#1"));
    let agencies = read_csv(&out.join("agencies.csv"));
    let ice = agencies
        .iter()
        .find(|a| a["agency"] == "U.S. Immigration and Customs Enforcement")
        .expect("ICE row");
    assert_eq!(ice["messages"], "2");
}

fn eml(
    id: &str,
    headers: &str,
    subject: &str,
    from: &str,
    to: &str,
    date: &str,
    body: &str,
) -> String {
    format!(
        "From: {from}\nTo: {to}\nSubject: {subject}\nDate: {date}\nMessage-ID: {id}\n{headers}\n{body}\n"
    )
}

#[test]
fn replies_thread_through_a_missing_parent_and_generic_subjects_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("production");
    std::fs::create_dir(&input).unwrap();
    let agent = "Mark Jensen <mark.jensen@ice.dhs.gov>";
    let det = "Ana Ruiz <aruiz@riversideca.gov>";
    write(
        &input,
        "1-ask.eml",
        &eml(
            "<t1@ice.dhs.gov>",
            "",
            "Plate 7ABC123",
            agent,
            det,
            "Tue, 3 Mar 2020 10:00:00 -0800",
            "Can you run 7ABC123 for me?",
        ),
    );
    // The detective's answer, <t2@riversideca.gov>, was not released.
    write(&input, "3-thanks.eml", &eml("<t3@ice.dhs.gov>",
        "In-Reply-To: <t2@riversideca.gov>\nReferences: <t1@ice.dhs.gov> <t2@riversideca.gov>\n",
        "got them", agent, det, "Tue, 3 Mar 2020 14:00:00 -0800", "Got the four hits, thank you."));
    // Two unrelated conversations with a generic subject and a participant in common.
    write(
        &input,
        "4-question.eml",
        &eml(
            "<q1@ice.dhs.gov>",
            "",
            "Question",
            agent,
            det,
            "Wed, 4 Mar 2020 09:00:00 -0800",
            "Are you going to the training on Friday?",
        ),
    );
    write(
        &input,
        "5-question.eml",
        &eml(
            "<q2@ice.dhs.gov>",
            "",
            "RE: question",
            agent,
            det,
            "Thu, 5 Mar 2020 09:00:00 -0800",
            "Who signs the overtime forms for the task force?",
        ),
    );
    // A later conversation on the ask's subject, with the same people: one conversation.
    write(
        &input,
        "6-again.eml",
        &eml(
            "<t6@ice.dhs.gov>",
            "",
            "FW: Plate 7ABC123",
            agent,
            det,
            "Fri, 6 Mar 2020 09:00:00 -0800",
            "One more date range on this one, please.",
        ),
    );
    // Same subject, nobody in common: another conversation.
    write(
        &input,
        "7-other.eml",
        &eml(
            "<o1@fbi.gov>",
            "",
            "Plate 7ABC123",
            "Lee Park <lpark@fbi.gov>",
            "Sam Cole <scole@lapd.org>",
            "Fri, 6 Mar 2020 11:00:00 -0800",
            "Do you have anything on this plate?",
        ),
    );
    let out = dir.path().join("out");
    analyze(&[&input], &out, &["--no-xlsx"]);
    let messages = read_csv(&out.join("messages.csv"));
    let thread = |key: &str| row(&messages, key)["thread_id"].clone();
    assert_eq!(thread("1-ask.eml#1"), thread("3-thanks.eml#1"));
    assert_eq!(thread("1-ask.eml#1"), thread("6-again.eml#1"));
    assert_ne!(thread("4-question.eml#1"), thread("5-question.eml#1"));
    assert_ne!(thread("4-question.eml#1"), thread("1-ask.eml#1"));
    assert_ne!(thread("7-other.eml#1"), thread("1-ask.eml#1"));
    assert!(messages
        .iter()
        .all(|m| m["duplicate_of"].is_empty() && m["copies"] == "1"));
    let threads = read_csv(&out.join("threads.csv"));
    assert_eq!(threads.len(), 4);
    let ask_thread = threads
        .iter()
        .find(|t| t["thread_id"] == thread("1-ask.eml#1"))
        .unwrap();
    assert_eq!(ask_thread["messages"], "3");
    assert_eq!(ask_thread["first_date"], "2020-03-03T10:00:00-08:00");
    assert_eq!(ask_thread["last_date"], "2020-03-06T09:00:00-08:00");
}
