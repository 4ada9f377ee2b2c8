//! The exemption-code and redaction-mark parser: spans lie inside the text, in order,
//! without overlap, and carry only normalised codes.
#![no_main]

use backchannel::extract::redactions::located_redactions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut last_end = 0;
    for span in located_redactions(&text) {
        assert!(span.start >= last_end && span.start < span.end && span.end <= text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        for code in &span.redaction.codes {
            assert!(code.starts_with("(b)("), "{code}");
        }
        last_end = span.end;
    }
});
