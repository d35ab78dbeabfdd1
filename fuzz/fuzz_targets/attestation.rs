//! Fuzzes attestation parsing and verification: any bytes are rejected cleanly or verify.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prodready::evidence::{Attestation, TrustedKeys};

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = serde_json::from_slice::<Attestation>(data) {
        let _ = a.verify(
            &TrustedKeys::new(),
            "reviewer",
            true,
            jiff_now(),
            Some(("1.0.0", Some("abcdef0"))),
        );
    }
});

fn jiff_now() -> prodready::evidence::attest::Timestamp {
    prodready::evidence::attest::Timestamp::UNIX_EPOCH
}
