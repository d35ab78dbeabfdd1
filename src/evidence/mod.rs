//! Evidence and attestations: the checklist items that cannot be seen from inside a running
//! process (tests passed, coverage, scans, reviews, sign-offs).
//!
//! CI writes an **evidence bundle** beside the binary (default `evidence/`, resolved against the
//! working directory): a `manifest.json` naming each artifact with the version and commit it was
//! made for and its SHA-256, plus an `attestations/` folder of signed statements.
//!
//! ```json
//! { "artifacts": [
//!   { "kind": "tests", "path": "junit.xml",
//!     "version": "1.5.0", "commit": "9f2c…", "sha256": "…",
//!     "digest": { "tests": { "tests": 212, "failures": 0, "errors": 0, "skipped": 3, … } } } ] }
//! ```
//!
//! **CI digests, the service verifies.** `prodready add` (the `prodready-cli` package) parses
//! each artifact at CI time and records what the verdicts need in its entry's `digest` (see
//! [`parse`]); the service checks the artifact's hash and judges the digest, so it never links
//! an XML or YAML parser. Needs the `evidence` feature; the parsers are the `digest` feature.
//!
//! A service declares where the bundle is and what its build is with an [`EvidenceSpec`]:
//!
//! ```
//! use prodready::evidence::{BuildInfo, EvidenceSpec};
//! let spec = EvidenceSpec::new()
//!     .dir("/app/evidence")
//!     .build(BuildInfo::new("1.5.0").commit("9f2c1e0"))
//!     .coverage_threshold(85.0);
//! let readiness = prodready::Readiness::builder().resource(spec);
//! # let _ = readiness;
//! ```
//!
//! Stale evidence (another version or commit) and a hash mismatch `fail`; a missing artifact is
//! `pending` naming the file and how to produce it. Without `EvidenceSpec::build`, the version
//! given to `ReadinessBuilder::service` is the one evidence and attestations must name; commits
//! follow the rule of [`commit`].

pub mod attest;
pub mod build;
pub mod bundle;
mod checks;
pub mod commit;
pub mod import;
pub mod parse;
mod running;
pub mod sig;
mod spec;
#[cfg(all(test, feature = "digest"))]
mod tests;

pub use attest::{
    attested, Attestation, AttestationError, PublicKey, SigningKey, TrustedKeys, TrustedKeysError,
};
pub use build::BuildInfo;
pub use bundle::{Artifact, Manifest};
pub use checks::*;
pub use spec::{EvidenceSpec, K8sWorkload, Severity};

use crate::Check;
use std::sync::Arc;

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    let mut all: Vec<(&'static str, Arc<dyn Check>)> = checks::bindings();
    all.extend(attest::bindings());
    all
}
