//! A PDF's text layer. The reader catches the PDF library's panics itself (a damaged
//! file is an error row); this target looks for hangs, runaway memory and aborts.
#![no_main]

use backchannel::parse::pdf::read_pdf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_pdf(data);
});
