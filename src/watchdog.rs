//! Per-file time limits. A file's work runs with a deadline kept for its thread; the
//! parse stage's long loops (messages of a chain, pages, MIME parts, mbox messages, PDF
//! pages) call [`check`], which unwinds the file's work once the deadline has passed, so
//! that the pipeline can turn it into an error row and go on. Work inside other crates
//! cannot be interrupted this way: the pipeline also stops waiting for a file that runs
//! far past its limit (see [`crate::pipeline`]).

use std::cell::Cell;
use std::time::{Duration, Instant};

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// What a file's work unwinds with when it runs past its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverTime;

/// Runs `work` with a deadline `limit` from now (none when `limit` is `None`), then puts
/// back the deadline that was there before.
pub fn with_deadline<T>(limit: Option<Duration>, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.set(self.0);
        }
    }
    let _restore = Restore(DEADLINE.replace(limit.map(|l| Instant::now() + l)));
    work()
}

/// Unwinds the current file's work (with [`OverTime`]) once its deadline has passed.
pub fn check() {
    if let Some(deadline) = DEADLINE.get() {
        if Instant::now() >= deadline {
            std::panic::panic_any(OverTime);
        }
    }
}

/// Whether a caught panic is a deadline passing.
pub fn is_over_time(payload: &(dyn std::any::Any + Send)) -> bool {
    payload.is::<OverTime>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_past_its_deadline_unwinds_and_the_old_deadline_comes_back() {
        let caught = std::panic::catch_unwind(|| {
            with_deadline(Some(Duration::from_millis(5)), || loop {
                check();
                std::thread::sleep(Duration::from_millis(1));
            })
        });
        let payload = caught.expect_err("the loop must be stopped");
        assert!(is_over_time(payload.as_ref()));
        // No deadline is left behind: this never stops.
        check();
        assert_eq!(with_deadline(None, || 7), 7);
    }
}
