//! Evidence and attestations: parsers on real sample files, renderers read back, the CLI.

mod build;
mod parsers;
mod renderers;
mod signature;

/// The sample file `name` of `tests/fixtures/evidence/`.
pub(crate) fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/evidence/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
