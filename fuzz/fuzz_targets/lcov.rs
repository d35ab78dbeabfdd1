//! Fuzzes `parse::coverage::lcov`: malformed input must be an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prodready::evidence::parse;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse::coverage::lcov("fuzz", text);
    }
});
