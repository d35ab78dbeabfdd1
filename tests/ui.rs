//! Compile-time diagnostics of `#[prodready::check]` and `prodready::checklist!`, with trybuild.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test --test ui`, then read every
//! `.stderr`: each error must point at the offending token and say what is allowed.

// A check expression that is not a `Check` is rustc's type error (with the trait's
// `on_unimplemented` note), not the macro's: its output lists the crate's `Check` impls, which
// change with every new check, so it has no case here.
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    // rustc writes a type by its short name only when no other item visible to the test crate
    // has that name; the client crates the integration features re-export (`prodready::async_nats`
    // has a `PublishErrorKind::Send`, …) add such names. These cases name `String` and `Send`, so
    // their output is recorded for one feature set: the suite's `--all-features`.
    if cfg!(all(
        feature = "postgres",
        feature = "mysql",
        feature = "sqlite",
        feature = "redis",
        feature = "amqp",
        feature = "nats",
        feature = "mqtt",
        feature = "http-client"
    )) {
        t.compile_fail("tests/ui/all_features/*.rs");
    }
    t.pass("tests/ui/pass/*.rs");
}
