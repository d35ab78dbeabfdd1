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
    t.pass("tests/ui/pass/*.rs");
}
