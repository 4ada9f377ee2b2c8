//! Printed-release text through pagination, page furniture and the chain splitter.
#![no_main]

use backchannel::parse::printed::parse_printed;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = parse_printed(&text);
    for m in &doc.messages {
        assert!(m.page >= 1 && m.page <= doc.pages.max(1));
    }
});
