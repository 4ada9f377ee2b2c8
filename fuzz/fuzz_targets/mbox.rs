//! An mbox split into messages, each parsed.
#![no_main]

use backchannel::model::Origin;
use backchannel::parse::mbox::split_mbox;
use backchannel::parse::mime::parse_message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = split_mbox(data);
    let total: usize = parts.iter().map(|p| p.len()).sum();
    // The splitter only takes the separator lines away.
    assert!(total <= data.len());
    let mut out = Vec::new();
    for raw in parts.iter() {
        let _ = parse_message(raw, Origin::Header, &mut out);
    }
});
