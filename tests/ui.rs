//! Compile-time diagnostics of `#[prodready::check]` and `prodready::checklist!`, with trybuild.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test --test ui`, then read every
//! `.stderr`: each error must point at the offending token and say what is allowed.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
