//! One RFC 5322 message through mailparse and the quoted-chain splitter, then the
//! copy-detection signature of every record.
#![no_main]

use backchannel::group::Signature;
use backchannel::model::Origin;
use backchannel::parse::mime::parse_message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    let _problems = parse_message(data, Origin::Header, &mut out);
    for message in &out {
        let _ = Signature::of(message);
    }
});
