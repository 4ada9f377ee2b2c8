//! Writes a synthetic production of government email for speed benchmarks.
//!
//!   cargo run --release --example gen_corpus -- --size 1GB --out /tmp/gen1g [--seed 7]
//!       [--manifest /tmp/gen1g.json] [--force]
//!
//! Sizes take a K, M or G suffix (with or without B or iB), all binary: 1GB is 2^30
//! bytes; a bare number is bytes. The production comes within one printed file of the
//! size asked (printed text, written last, takes the rest); below ~20 MB the mix of formats
//! is coarse. The same size and seed give byte-identical output. `--out` must be empty
//! or missing; with `--force` the generator's own folders in it (eml, mbox, maildir,
//! printed) are removed first. The manifest (counts of files, messages, informal requests,
//! ...) is written as JSON to `--manifest` or to stdout. See `synth.rs` for what it writes.

mod synth;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

struct Args {
    size: u64,
    out: PathBuf,
    seed: u64,
    manifest: Option<PathBuf>,
    force: bool,
}

const USAGE: &str = "usage: gen_corpus --size SIZE --out DIR [--seed N] [--manifest FILE] [--force]
  SIZE  bytes, or with a binary suffix: 500KB, 250MB, 1GB, 2GiB";

fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_uppercase();
    let t = t.trim_end_matches('B').trim_end_matches('I');
    let (num, mult) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 1u64 << 10),
        'M' => (&t[..t.len() - 1], 1 << 20),
        'G' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let n: f64 = num.trim().parse().ok()?;
    (n >= 0.0).then_some((n * mult as f64) as u64)
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut size, mut out, mut seed, mut manifest, mut force) = (None, None, 1, None, false);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--size" => size = Some(parse_size(&value()?).ok_or("--size: not a size")?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse().map_err(|_| "--seed: not a number")?,
            "--manifest" => manifest = Some(PathBuf::from(value()?)),
            "--force" => force = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        size: size.ok_or("--size is required")?,
        out: out.ok_or("--out is required")?,
        seed,
        manifest,
        force,
    })
}

/// Refuses a non-empty folder unless forced; then clears the generator's own folders.
fn prepare(out: &Path, force: bool) -> Result<(), String> {
    let busy = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some());
    if busy && !force {
        return Err(format!(
            "{} is not empty (use --force to write over it)",
            out.display()
        ));
    }
    for sub in ["eml", "mbox", "maildir", "printed"] {
        let p = out.join(sub);
        if p.exists() {
            std::fs::remove_dir_all(&p)
                .map_err(|e| format!("cannot clear {}: {e}", p.display()))?;
        }
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))
}

fn run(args: &Args) -> Result<(), String> {
    prepare(&args.out, args.force)?;
    let started = Instant::now();
    let m = synth::generate(&args.out, args.size, args.seed)
        .map_err(|e| format!("writing {}: {e}", args.out.display()))?;
    let secs = started.elapsed().as_secs_f64();
    match &args.manifest {
        Some(p) => {
            std::fs::write(p, m.to_json()).map_err(|e| format!("writing {}: {e}", p.display()))?
        }
        None => print!("{}", m.to_json()),
    }
    eprintln!(
        "gen_corpus: {} files, {:.1} MB, {} messages ({} informal requests) in {:.1} s ({:.0} MB/s)",
        m.files,
        m.bytes as f64 / 1_048_576.0,
        m.messages,
        m.informal_requests,
        secs,
        m.bytes as f64 / 1_048_576.0 / secs.max(1e-9)
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("gen_corpus: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::from(2)
        }
    }
}
