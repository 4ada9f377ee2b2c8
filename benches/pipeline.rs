//! End-to-end throughput of the pipeline (ingest → parse → extract → flag), against a
//! baseline measured in the same run: reading the same bytes from disk. Figures are given
//! as MB/s and as the ratio to the baseline, since these machines are noisy.
//!
//!   cargo bench                                   # the sample production, copied 40 times
//!   BENCH_INPUT=../shared/realdata/state-dept-foia cargo bench
//!   BENCH_COPIES=200 cargo bench

use std::path::{Path, PathBuf};
use std::time::Instant;

use backchannel::pipeline::{run, Options};
use backchannel::rules::Rules;

fn main() {
    let copies: usize = std::env::var("BENCH_COPIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let scratch = tempfile::tempdir().expect("scratch dir");
    let input = match std::env::var("BENCH_INPUT") {
        Ok(p) => PathBuf::from(p),
        Err(_) => {
            let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
            for i in 0..copies {
                copy_dir(&corpus, &scratch.path().join(format!("copy{i:04}")));
            }
            scratch.path().to_path_buf()
        }
    };
    let rules = Rules::default_rules().expect("default rules");
    let progress = indicatif::ProgressBar::hidden();
    // Warm the page cache so both measurements read from memory.
    let bytes = read_all(&input);
    let mb = bytes as f64 / 1_048_576.0;
    let rounds = 5;
    let mut read_best = f64::MAX;
    let mut run_best = f64::MAX;
    let mut messages = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        read_all(&input);
        read_best = read_best.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let out = run(
            std::slice::from_ref(&input),
            &rules,
            &Options::default(),
            &progress,
        )
        .expect("pipeline");
        run_best = run_best.min(t.elapsed().as_secs_f64());
        messages = out.records.len();
    }
    println!(
        "input: {} ({:.1} MB, {} messages)",
        input.display(),
        mb,
        messages
    );
    println!(
        "baseline read:  {:.3} s  {:8.1} MB/s",
        read_best,
        mb / read_best
    );
    println!(
        "pipeline:       {:.3} s  {:8.1} MB/s  ({:.1}x the read time, {:.0} messages/s)",
        run_best,
        mb / run_best,
        run_best / read_best,
        messages as f64 / run_best
    );
}

fn read_all(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| std::fs::read(e.path()).map(|b| b.len() as u64).unwrap_or(0))
        .sum()
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(from).expect("inside");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
