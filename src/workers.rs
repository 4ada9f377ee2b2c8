//! Worker threads for the per-file stages: takes a count of jobs and a job function and
//! gives each job's output, in job order, whatever the jobs do. Jobs run on a rayon pool
//! whose threads have deep stacks. A job that runs past the time limit should unwind by
//! itself ([`crate::watchdog`]); one that cannot (stuck inside another crate's code) is
//! waited for until `give_up_after`, then left behind with the output `abandoned` gives,
//! and the jobs it held up run on a fresh pool. A left-behind thread ends with the
//! process.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

/// Stack for each worker: parsers of other crates recurse on nested input.
const STACK_BYTES: usize = 256 * 1024 * 1024;
/// Worker threads' names start with this (`backchannel-worker-0`...).
pub const THREAD_PREFIX: &str = "backchannel-worker-";
/// How often the waiting thread looks for stuck jobs.
const POLL: Duration = Duration::from_millis(250);

/// A job, callable from any worker.
pub type Job<T> = Arc<dyn Fn(usize) -> T + Send + Sync>;

/// Runs jobs `0..count` and gives their outputs in order. `done` is called once per
/// finished job (for a progress bar); `abandoned(i, waited)` stands in for a job left
/// behind after `waited` (never, when `give_up_after` is `None`).
pub fn run_all<T: Send + 'static>(
    count: usize,
    job: Job<T>,
    give_up_after: Option<Duration>,
    done: &(dyn Fn() + Sync),
    abandoned: &dyn Fn(usize, Duration) -> T,
) -> Vec<T> {
    let mut outputs: Vec<Option<T>> = (0..count).map(|_| None).collect();
    let mut todo: Vec<usize> = (0..count).collect();
    while !todo.is_empty() {
        let round = run_round(&todo, &job, give_up_after, done);
        for (i, out) in round.finished {
            outputs[i] = Some(out);
        }
        for (i, waited) in round.left_behind {
            outputs[i] = Some(abandoned(i, waited));
        }
        todo = round.not_started;
    }
    outputs
        .into_iter()
        .enumerate()
        .map(|(i, out)| out.unwrap_or_else(|| abandoned(i, Duration::ZERO)))
        .collect()
}

struct Round<T> {
    finished: Vec<(usize, T)>,
    left_behind: Vec<(usize, Duration)>,
    not_started: Vec<usize>,
}

fn run_round<T: Send + 'static>(
    todo: &[usize],
    job: &Job<T>,
    give_up_after: Option<Duration>,
    done: &(dyn Fn() + Sync),
) -> Round<T> {
    let begun = Instant::now();
    // Milliseconds since `begun` at which each job started, plus one; 0 until it starts.
    let started: Arc<Vec<AtomicU64>> = Arc::new(todo.iter().map(|_| AtomicU64::new(0)).collect());
    let (tx, rx) = channel::<(usize, T)>();
    let jobs: Vec<(usize, usize)> = todo.iter().copied().enumerate().collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .stack_size(STACK_BYTES)
        .thread_name(|n| format!("{THREAD_PREFIX}{n}"))
        .build();
    let (job, flags) = (Arc::clone(job), Arc::clone(&started));
    let work = move || {
        jobs.par_iter().for_each_with(tx, |tx, &(slot, i)| {
            flags[slot].store(elapsed_ms(begun) + 1, Ordering::Relaxed);
            let _ = tx.send((i, job(i)));
        });
    };
    match pool {
        Ok(pool) => pool.spawn(work),
        // Without a pool of our own, the global one does: no job is left unread.
        Err(_) => rayon::spawn(work),
    }
    let mut round = Round {
        finished: Vec::with_capacity(todo.len()),
        left_behind: Vec::new(),
        not_started: Vec::new(),
    };
    let mut waiting: BTreeSet<usize> = (0..todo.len()).collect();
    let slot_of = |i: usize| todo.binary_search(&i).ok();
    while !waiting.is_empty() {
        match rx.recv_timeout(POLL) {
            Ok((i, out)) => {
                if let Some(slot) = slot_of(i) {
                    waiting.remove(&slot);
                }
                round.finished.push((i, out));
                done();
            }
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                let Some(grace) = give_up_after else { continue };
                let now = elapsed_ms(begun);
                let age = |slot: usize| match started[slot].load(Ordering::Relaxed) {
                    0 => None,
                    at => Some(Duration::from_millis(now.saturating_sub(at - 1))),
                };
                let stuck: Vec<(usize, Duration)> = waiting
                    .iter()
                    .filter_map(|&slot| age(slot).filter(|a| *a > grace).map(|a| (slot, a)))
                    .collect();
                let moving = waiting
                    .iter()
                    .any(|&slot| age(slot).is_some_and(|a| a <= grace));
                if stuck.is_empty() || moving {
                    continue;
                }
                // Only stuck jobs, and jobs queued behind them, are left.
                for (slot, waited) in stuck {
                    waiting.remove(&slot);
                    round.left_behind.push((todo[slot], waited));
                }
                round.not_started = waiting.iter().map(|&slot| todo[slot]).collect();
                break;
            }
        }
    }
    round
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn outputs_come_in_job_order() {
        let job: Job<usize> = Arc::new(|i| i * 10);
        let count = AtomicUsize::new(0);
        let done = || {
            count.fetch_add(1, Ordering::Relaxed);
        };
        let out = run_all(50, job, None, &done, &|_, _| usize::MAX);
        assert_eq!(out, (0..50).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(count.load(Ordering::Relaxed), 50);
    }

    #[test]
    fn a_job_that_never_ends_is_left_behind_and_the_rest_are_read() {
        let job: Job<&'static str> = Arc::new(|i| {
            if i == 3 {
                loop {
                    std::thread::sleep(Duration::from_secs(3600));
                }
            }
            "read"
        });
        let started = Instant::now();
        let give_up = Some(Duration::from_millis(300));
        let out = run_all(8, job, give_up, &|| {}, &|_, _| "left behind");
        assert_eq!(out[3], "left behind");
        assert!(out.iter().enumerate().all(|(i, o)| i == 3 || *o == "read"));
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn jobs_queued_behind_stuck_ones_run_on_a_fresh_pool() {
        // Every worker of the first pool is stuck on a job that never ends.
        let stuck = rayon::current_num_threads();
        let job: Job<usize> = Arc::new(move |i| {
            if i < stuck {
                loop {
                    std::thread::sleep(Duration::from_secs(3600));
                }
            }
            i
        });
        let give_up = Some(Duration::from_millis(300));
        let out = run_all(stuck + 5, job, give_up, &|| {}, &|_, _| usize::MAX);
        assert!(out[..stuck].iter().all(|&o| o == usize::MAX));
        assert_eq!(out[stuck..], (stuck..stuck + 5).collect::<Vec<_>>()[..]);
    }
}
