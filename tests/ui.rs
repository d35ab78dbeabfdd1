//! Compile-time diagnostics of `#[prodready::check]` and `prodready::checklist!`, with trybuild.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test --test ui`, then read every
//! `.stderr`: each error must point at the offending token and say what is allowed.

// rustc lists some `Check` impls in one expected output, and the `tls` feature adds one: the
// expected output is that of the README's `--all-features` run.
#[test]
#[cfg_attr(
    not(feature = "tls"),
    ignore = "expected compiler output is recorded with --all-features"
)]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
