//! Criterion benchmarks, one group per stage and one end to end:
//!
//! - `parse`: [`parse_file`] on sample files from `corpus/` (an .eml with an HTML
//!   alternative, an .eml with a base64 attachment, an mbox, a printed chain);
//! - `segment`: printed-release splitting ([`parse_printed`]: page furniture, then chain
//!   segmentation) and chain segmentation alone ([`split_chain`]) over every printed text
//!   of `corpus/`;
//! - `extract`, `flag`: [`extract`] and [`flag_file`] over every message of `corpus/`,
//!   and over the messages of the first files of a generated production (about 1 MB of
//!   message text);
//! - `group`: thread/dedupe ([`group`]) over the records of that production, 20 MB
//!   (about 5,000 records);
//! - `report`: [`write_reports`] of that production's run into a scratch folder, CSV,
//!   Parquet and NDJSON only, then with findings.xlsx as well;
//! - `end_to_end`: [`pipeline::run`] over that production (or one of `BENCH_MB`
//!   megabytes), beside a baseline that only reads the same files.
//!
//! Throughput is given in bytes (MB/s) where the input is text, in records elsewhere.
//! Measurement is kept short (10 samples, 3 s) so that the whole run takes a few minutes on
//! two cores; criterion's own flags change that:
//!
//!   cargo bench --bench stages                        # every group
//!   cargo bench --bench stages -- parse               # the groups/benchmarks matching "parse"
//!   cargo bench --bench stages -- --save-baseline before
//!   cargo bench --bench stages -- --baseline before   # compare with a saved run
//!   BENCH_MB=100 cargo bench --bench stages -- end_to_end
//!
//! The productions are made with the corpus generator (`examples/gen_corpus/synth.rs`) in
//! a scratch folder removed at the end.

#[path = "../examples/gen_corpus/synth.rs"]
#[allow(dead_code)]
mod synth;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
use rayon::prelude::*;

use backchannel::extract::{extract, Extracted};
use backchannel::flag::flag_file;
use backchannel::group::{group, Brief, Signature};
use backchannel::ingest::{detect, discover, Format};
use backchannel::model::{Message, Name, Record};
use backchannel::parse::chain::split_chain;
use backchannel::parse::parse_file;
use backchannel::parse::printed::parse_printed;
use backchannel::pipeline::{self, Options, RunOutput};
use backchannel::report::{write_reports, ReportOptions, Run};
use backchannel::rules::Rules;
use backchannel::store::Stored;
use backchannel::text::decode_text;

/// Size of the generated production: about 5,000 records to group and report; read end
/// to end unless `BENCH_MB` asks for another size.
const PRODUCTION_MB: u64 = 20;
const SEED: u64 = 7;
/// Message text extracted and flagged from the generated production.
const EXTRACT_TEXT: usize = 1 << 20;

fn main() {
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let rules = Rules::default_rules().expect("default rules");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let scratch = tempfile::tempdir().expect("scratch folder");

    let production = generate(&scratch.path().join("production"), PRODUCTION_MB << 20);

    bench_parse(&mut c, &corpus);
    bench_segment(&mut c, &corpus);
    let sample = parsed_files(&corpus, &rules);
    let generated = parsed_files(&production.root, &rules);
    let mut text = 0;
    let first = generated
        .iter()
        .take_while(|f| {
            text += f.messages.iter().map(|m| m.body.len()).sum::<usize>();
            text < EXTRACT_TEXT
        })
        .count();
    let inputs = [("corpus", &sample[..]), ("generated", &generated[..first])];
    bench_extract(&mut c, &inputs, &rules);
    bench_flag(&mut c, &inputs, &rules);

    bench_group(&mut c, generated, &rules);
    bench_report(&mut c, &production, &rules, scratch.path());

    let mb: u64 = std::env::var("BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(PRODUCTION_MB);
    if mb == PRODUCTION_MB {
        bench_end_to_end(&mut c, &production, &rules);
    } else {
        let other = generate(&scratch.path().join(format!("{mb}MB")), mb << 20);
        bench_end_to_end(&mut c, &other, &rules);
    }

    c.final_summary();
}

/// A generated production.
struct Production {
    root: PathBuf,
    bytes: u64,
}

fn generate(dir: &Path, target_bytes: u64) -> Production {
    let manifest = synth::generate(dir, target_bytes, SEED).expect("generating a production");
    Production {
        root: dir.to_path_buf(),
        bytes: manifest.bytes,
    }
}

fn read_corpus_file(corpus: &Path, rel: &str) -> (PathBuf, Vec<u8>) {
    let path = corpus.join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, bytes)
}

fn bench_parse(c: &mut Criterion, corpus: &Path) {
    let mut g = c.benchmark_group("parse");
    for (name, rel) in [
        ("eml_html_alternative", "eml/0001.eml"),
        ("eml_base64_attachment", "eml/0007.eml"),
        ("mbox", "mbox/tucson-hsi-alpr.mbox"),
        ("printed_chain", "printed/ice-2019-foia-004512.txt"),
    ] {
        let (path, bytes) = read_corpus_file(corpus, rel);
        let format = detect(&bytes);
        assert!(
            matches!(format, Format::Eml | Format::Mbox | Format::Printed),
            "{rel}: {format:?}"
        );
        let parsed = parse_file(rel, &path, format, &bytes, None);
        assert!(!parsed.messages.is_empty(), "{rel} gives no message");
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| parse_file(rel, &path, format, black_box(&bytes), None))
        });
    }
    g.finish();
}

fn bench_segment(c: &mut Criterion, corpus: &Path) {
    let texts: Vec<String> = corpus_files(&corpus.join("printed"))
        .iter()
        .map(|p| decode_text(&std::fs::read(p).expect("printed text")).into_owned())
        .collect();
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    let mut g = c.benchmark_group("segment");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("parse_printed", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(parse_printed(black_box(t)));
            }
        })
    });
    g.bench_function("split_chain", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(split_chain(black_box(t)));
            }
        })
    });
    g.finish();
}

/// One file's messages with what extract found in each.
struct ParsedFile {
    messages: Vec<Message>,
    extracted: Vec<Extracted>,
}

fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let found = discover(&[dir.to_path_buf()]).expect("corpus");
    found.files.into_iter().map(|f| f.path).collect()
}

/// Every file under `dir` parsed and extracted, as the pipeline does it.
fn parsed_files(dir: &Path, rules: &Rules) -> Vec<ParsedFile> {
    let found = discover(&[dir.to_path_buf()]).expect("input folder");
    found
        .files
        .par_iter()
        .filter_map(|f| {
            let bytes = std::fs::read(&f.path).ok()?;
            let format = detect(&bytes);
            if matches!(format, Format::Unreadable(_)) {
                return None;
            }
            let messages = parse_file(&f.source, &f.path, format, &bytes, None).messages;
            let extracted = messages.iter().map(|m| extract(m, rules)).collect();
            Some(ParsedFile {
                messages,
                extracted,
            })
        })
        .collect()
}

fn bench_extract(c: &mut Criterion, inputs: &[(&str, &[ParsedFile])], rules: &Rules) {
    let mut g = c.benchmark_group("extract");
    for (name, files) in inputs {
        let messages: Vec<&Message> = files.iter().flat_map(|f| &f.messages).collect();
        let bytes: u64 = messages.iter().map(|m| m.body.len() as u64).sum();
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(BenchmarkId::new(*name, messages.len()), |b| {
            b.iter(|| {
                for m in &messages {
                    black_box(extract(black_box(m), rules));
                }
            })
        });
    }
    g.finish();
}

fn bench_flag(c: &mut Criterion, inputs: &[(&str, &[ParsedFile])], rules: &Rules) {
    let mut g = c.benchmark_group("flag");
    for (name, files) in inputs {
        let messages: usize = files.iter().map(|f| f.messages.len()).sum();
        g.throughput(Throughput::Elements(messages as u64));
        g.bench_function(BenchmarkId::new(*name, messages), |b| {
            b.iter(|| {
                for f in *files {
                    black_box(flag_file(&f.messages, &f.extracted, None, rules));
                }
            })
        });
    }
    g.finish();
}

/// The briefs and signatures of the files' messages, in the pipeline's order, as the
/// pipeline keeps them.
fn briefs_of(files: Vec<ParsedFile>, rules: &Rules) -> (Vec<Brief>, Vec<Signature>) {
    let mut briefs = Vec::new();
    let mut signatures = Vec::new();
    for f in files {
        let findings = flag_file(&f.messages, &f.extracted, None, rules);
        signatures.extend(f.messages.iter().map(Signature::of));
        for (mut message, findings) in f.messages.into_iter().zip(findings) {
            message.body = String::new();
            let source = Name::from(message.source.as_str());
            let record = Record {
                message,
                findings,
                group: Default::default(),
            };
            briefs.push(Brief::of(&record, Stored::default(), &source));
        }
    }
    (briefs, signatures)
}

fn bench_group(c: &mut Criterion, files: Vec<ParsedFile>, rules: &Rules) {
    let (records, signatures) = briefs_of(files, rules);
    let mut g = c.benchmark_group("group");
    g.throughput(Throughput::Elements(records.len() as u64));
    g.bench_function(BenchmarkId::new("records", records.len()), |b| {
        b.iter_batched(
            || records.clone(),
            |mut records| {
                black_box(group(&mut records, &signatures, rules));
                records
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn run_pipeline(root: &Path, rules: &Rules) -> RunOutput {
    pipeline::run(
        &[root.to_path_buf()],
        rules,
        &Options::default(),
        &indicatif::ProgressBar::hidden(),
    )
    .expect("pipeline")
}

fn bench_report(c: &mut Criterion, production: &Production, rules: &Rules, scratch: &Path) {
    let output = run_pipeline(&production.root, rules);
    let run = Run::from(&output);
    let out = scratch.join("reports");
    let mut g = c.benchmark_group("report");
    g.throughput(Throughput::Elements(output.records.len() as u64));
    for (name, xlsx) in [("csv_parquet_ndjson", false), ("with_xlsx", true)] {
        let options = ReportOptions { xlsx };
        g.bench_function(BenchmarkId::new(name, output.records.len()), |b| {
            b.iter(|| write_reports(&out, &run, &options).expect("reports"))
        });
    }
    g.finish();
}

/// Every file under `dir` read into memory: the floor any reader of the production has.
fn read_all(dir: &Path) -> u64 {
    discover(&[dir.to_path_buf()])
        .expect("input folder")
        .files
        .iter()
        .map(|f| std::fs::read(&f.path).map_or(0, |b| b.len() as u64))
        .sum()
}

fn bench_end_to_end(c: &mut Criterion, production: &Production, rules: &Rules) {
    // Warms the page cache, so that both read from memory.
    let bytes = read_all(&production.root);
    assert_eq!(bytes, production.bytes, "the manifest's size");
    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Bytes(bytes));
    let mb = bytes >> 20;
    g.bench_function(BenchmarkId::new("read_baseline", format!("{mb}MB")), |b| {
        b.iter(|| read_all(&production.root))
    });
    g.bench_function(BenchmarkId::new("pipeline", format!("{mb}MB")), |b| {
        b.iter(|| run_pipeline(&production.root, rules))
    });
    g.finish();
}
