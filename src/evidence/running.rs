//! The build the evidence must have been made for: the [`BuildInfo`](super::BuildInfo) declared
//! with `EvidenceSpec::build`, else the version given to `ReadinessBuilder::service`.

use super::commit::{self, CommitIdError};
use super::EvidenceSpec;
use crate::{Context, Outcome};

/// The running build's version and commit, and where they were declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Running {
    pub(crate) version: String,
    pub(crate) commit: Option<String>,
    /// Where the version was declared, as messages name it.
    pub(crate) source: &'static str,
}

/// How something made for one build differs from the running one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// Another version.
    Version { made: String, running: String },
    /// Another commit (both valid ids).
    Commit { made: String, running: String },
    /// The commit it names breaks the commit rule.
    BadMadeCommit(CommitIdError),
    /// The running build's commit breaks the commit rule.
    BadRunningCommit(CommitIdError),
}

impl Running {
    /// The running build: the spec's `BuildInfo` wins; else the service's version (no commit).
    pub(crate) fn of(ctx: &Context, spec: &EvidenceSpec) -> Option<Running> {
        if let Some(b) = &spec.build {
            return Some(Running {
                version: b.version.clone(),
                commit: b.commit.clone(),
                source: "EvidenceSpec::build",
            });
        }
        ctx.service().map(|s| Running {
            version: s.version.clone(),
            commit: None,
            source: "ReadinessBuilder::service",
        })
    }

    /// Whether something made for `version` and `commit` is for this build.
    pub(crate) fn check(&self, version: &str, made_commit: Option<&str>) -> Result<(), Mismatch> {
        let running_commit = match &self.commit {
            Some(c) => Some(commit::CommitId::parse(c).map_err(Mismatch::BadRunningCommit)?),
            None => None,
        };
        let made = match made_commit {
            Some(c) => Some(commit::CommitId::parse(c).map_err(Mismatch::BadMadeCommit)?),
            None => None,
        };
        if version != self.version {
            return Err(Mismatch::Version {
                made: version.to_owned(),
                running: self.version.clone(),
            });
        }
        if let (Some(m), Some(r)) = (made, running_commit) {
            if !m.matches(&r) {
                return Err(Mismatch::Commit {
                    made: m.to_string(),
                    running: r.to_string(),
                });
            }
        }
        Ok(())
    }

    /// The outcome for stale evidence at `shown`.
    pub(crate) fn stale(&self, shown: &str, m: Mismatch) -> Outcome {
        match m {
            Mismatch::Version { made, running } => Outcome::fail(format!(
                "stale evidence: {shown} was made for {made}, running {running} (declared with {})",
                self.source
            ))
            .detail("artifact_version", made)
            .detail("running_version", running)
            .detail("running_version_from", self.source)
            .remediation("regenerate the evidence in this version's CI run"),
            Mismatch::Commit { made, running } => Outcome::fail(format!(
                "stale evidence: {shown} was made for commit {made}, running commit {running}"
            ))
            .detail("artifact_commit", made)
            .detail("running_commit", running)
            .remediation("regenerate the evidence in this commit's CI run"),
            Mismatch::BadMadeCommit(e) => Outcome::fail(format!(
                "the manifest entry for {shown} names a malformed commit: {e}"
            ))
            .remediation(
                "list the artifact again with `prodready add --commit $(git rev-parse HEAD)`",
            ),
            Mismatch::BadRunningCommit(e) => Outcome::fail(format!(
                "the running build's commit (declared with {}) is malformed: {e}",
                self.source
            ))
            .remediation("record the commit with `prodready::build_info!()`"),
        }
    }
}

/// Turns a `pass` into a `warn` saying the running build is unknown, so evidence of any
/// version never passes unseen.
pub(crate) fn unknown_build(out: Outcome) -> Outcome {
    if out.status() != crate::Status::Pass {
        return out;
    }
    let mut o = out;
    o.status = crate::Status::Warn;
    o.message = format!(
        "{}; but the running version is unknown, so it cannot be told whether the evidence is for it",
        o.message
    );
    o.remediation(
        "declare the version with ReadinessBuilder::service(name, version) or EvidenceSpec::build(prodready::build_info!())",
    )
}
