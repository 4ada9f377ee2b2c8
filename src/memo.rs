//! Per-thread memos of the extract stage's pure functions of short texts. A production
//! repeats its short texts endlessly: a sender's signature lines close every message,
//! "Thanks," and "Sent from my iPhone" close half of them, and copies and quotes repeat
//! whole sentences. Each worker thread keeps what it computed for the texts it has seen,
//! keyed by the rules that computed it, so a result never depends on which thread, or
//! which earlier file, computed it first.

use std::cell::RefCell;
use std::thread::LocalKey;

/// Entries a memo holds before it starts over: a few megabytes a thread.
const CAPACITY: usize = 20_000;
/// Texts longer than this are not kept: long texts seldom repeat.
pub const MAX_KEY_BYTES: usize = 400;

/// One memo: results for one set of rules.
pub struct Memo<V> {
    rules: u64,
    map: foldhash::HashMap<Box<str>, V>,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo {
            rules: 0,
            map: foldhash::HashMap::default(),
        }
    }
}

/// `compute()`'s value for `key` under the rules `rules_id`, computed once a thread.
pub fn remembered<V: Clone + 'static>(
    memo: &'static LocalKey<RefCell<Memo<V>>>,
    rules_id: u64,
    key: &str,
    compute: impl FnOnce() -> V,
) -> V {
    if key.len() > MAX_KEY_BYTES {
        return compute();
    }
    let known = memo.with_borrow(|m| {
        (m.rules == rules_id)
            .then(|| m.map.get(key).cloned())
            .flatten()
    });
    if let Some(value) = known {
        return value;
    }
    let value = compute();
    memo.with_borrow_mut(|m| {
        if m.rules != rules_id || m.map.len() >= CAPACITY {
            m.map.clear();
            m.rules = rules_id;
        }
        m.map.insert(key.into(), value.clone());
    });
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static LENGTHS: RefCell<Memo<usize>> = RefCell::default();
    }

    #[test]
    fn a_value_is_computed_once_per_rules_and_long_keys_are_not_kept() {
        let mut calls = 0;
        for _ in 0..3 {
            remembered(&LENGTHS, 1, "Thanks,", || {
                calls += 1;
                7
            });
        }
        assert_eq!(calls, 1);
        // Other rules: computed again.
        assert_eq!(remembered(&LENGTHS, 2, "Thanks,", || 8), 8);
        assert_eq!(remembered(&LENGTHS, 1, "Thanks,", || 9), 9);
        let long = "x".repeat(MAX_KEY_BYTES + 1);
        let mut long_calls = 0;
        for _ in 0..2 {
            remembered(&LENGTHS, 1, &long, || {
                long_calls += 1;
                0
            });
        }
        assert_eq!(long_calls, 2);
    }
}
