//! A PDF's text layer. The PDF library panics on some damaged files; the reader catches
//! those itself and reports the file as damaged (an error row), so here, as in the
//! product, a caught panic is not a crash: the fuzzer's abort-on-any-panic hook is
//! replaced with a silent one, and only a panic that escapes the reader, a hang,
//! runaway memory or an abort fails the run.
#![no_main]

use std::sync::Once;

use backchannel::parse::pdf::read_pdf;
use libfuzzer_sys::fuzz_target;

static QUIET_PANICS: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    QUIET_PANICS.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let _ = read_pdf(data);
});
