//! Fuzzes `prodready::evidence::import::markdown`: malformed input must be an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
#[allow(unused_imports)]
use prodready::evidence::parse;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = prodready::evidence::import::markdown("fuzz", text);
    }
});
