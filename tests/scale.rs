//! A generated production (examples/gen_corpus) read end to end: the generator gives the
//! same bytes for the same size and seed, and the tool recovers the messages it wrote,
//! flags its informal requests and reads every file.

mod common;

#[allow(dead_code)]
#[path = "../examples/gen_corpus/synth.rs"]
mod synth;

use std::collections::BTreeMap;
use std::path::Path;

use common::{analyze, read_csv};

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir");
                let bytes = std::fs::read(&path).expect("read file");
                out.insert(rel.display().to_string(), bytes);
            }
        }
    }
    out
}

#[test]
fn the_generator_gives_the_same_production_for_the_same_seed() {
    let scratch = tempfile::tempdir().expect("scratch");
    let (a, b) = (scratch.path().join("a"), scratch.path().join("b"));
    let first = synth::generate(&a, 1 << 20, 11).expect("generate");
    let second = synth::generate(&b, 1 << 20, 11).expect("generate");
    assert_eq!(first.to_json(), second.to_json());
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.len() as u64, first.files);
    assert!(fa == fb, "the two productions differ");
    let other = synth::generate(&scratch.path().join("c"), 1 << 20, 12).expect("generate");
    assert_ne!(
        files(&scratch.path().join("c")),
        fa,
        "another seed, another production"
    );
    assert!(other.messages > 0);
}

#[test]
fn a_generated_production_is_read_whole() {
    let scratch = tempfile::tempdir().expect("scratch");
    let production = scratch.path().join("production");
    let manifest = synth::generate(&production, 4 << 20, 3).expect("generate");
    assert!(manifest.eml_files > 0 && manifest.mbox_files > 0);
    assert!(manifest.maildir_files > 0 && manifest.printed_files > 0);
    let out = scratch.path().join("out");
    analyze(&[&production], &out, &["--no-xlsx"]);

    assert!(
        read_csv(&out.join("errors.csv")).is_empty(),
        "no file fails"
    );
    let documents = read_csv(&out.join("documents.csv"));
    assert_eq!(documents.len() as u64, manifest.files);

    // Every occurrence the generator wrote is recovered, give or take the few a page
    // break splits (a header block broken by a page without a form feed).
    let messages = read_csv(&out.join("messages.csv")).len() as f64;
    let written = manifest.messages as f64;
    assert!(
        (messages - written).abs() <= written * 0.02,
        "{messages} messages read, {written} written"
    );
    // Most informal requests and answers are flagged (redacted prints hide some).
    let flagged = read_csv(&out.join("flags.csv")).len() as u64;
    let informal = manifest.informal_requests + manifest.informal_answers;
    assert!(
        flagged * 2 >= informal && flagged <= informal + informal / 5,
        "{flagged} flagged of {informal} informal requests and answers"
    );
    let redactions = read_csv(&out.join("redactions.csv"));
    assert!(redactions.iter().any(|r| r.values().any(|v| v == "(b)(6)")));
}
