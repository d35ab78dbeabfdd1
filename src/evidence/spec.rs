//! What a service declares about its evidence: where the bundle is, its build, thresholds.

use super::attest::TrustedKeys;
use super::build::BuildInfo;
use crate::Host;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A vulnerability severity, lowest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// No severity given.
    Unknown,
    /// Low.
    Low,
    /// Medium (moderate).
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Parses the names scanners use (`CRITICAL`, `High`, `moderate`, `negligible`…).
    pub fn parse(text: &str) -> Severity {
        match text.to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" | "error" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" | "negligible" => Severity::Low,
            _ => Severity::Unknown,
        }
    }

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The Kubernetes workload the manifests must cover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct K8sWorkload {
    /// The Deployment (or StatefulSet) name, which an HPA must target.
    pub name: Option<String>,
    /// The pod labels a NetworkPolicy must select.
    pub labels: BTreeMap<String, String>,
    /// The service account a RoleBinding must bind.
    pub service_account: Option<String>,
}

/// What is known of the release before this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Previous<'a> {
    /// The build recorded the previous release tag.
    Tag(&'a str),
    /// Declared a first release, and the build info records no previous tag.
    FirstRelease,
    /// Declared a first release, but the build records a previous tag.
    Contradiction(String),
    /// No build info, or no previous tag recorded and no first release declared.
    Unknown,
}

/// Where the evidence bundle is, what the running build is, and the thresholds.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct EvidenceSpec {
    pub(crate) dir: PathBuf,
    pub(crate) base: Option<PathBuf>,
    pub(crate) build: Option<BuildInfo>,
    pub(crate) coverage_threshold: f64,
    pub(crate) severity_threshold: Severity,
    pub(crate) max_build_age_days: u64,
    pub(crate) p95_ms: f64,
    pub(crate) max_error_rate: f64,
    pub(crate) workload: K8sWorkload,
    pub(crate) keys: TrustedKeys,
    pub(crate) unsigned_allowed: BTreeSet<String>,
    pub(crate) major_bump: Option<bool>,
    pub(crate) first_release: bool,
    pub(crate) rollback_fired: bool,
    pub(crate) image_key: Option<super::sig::ImageKey>,
}

impl Default for EvidenceSpec {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("evidence"),
            base: None,
            build: None,
            coverage_threshold: 80.0,
            severity_threshold: Severity::Critical,
            max_build_age_days: 30,
            p95_ms: 500.0,
            max_error_rate: 0.01,
            workload: K8sWorkload::default(),
            keys: TrustedKeys::default(),
            unsigned_allowed: BTreeSet::new(),
            major_bump: None,
            first_release: false,
            rollback_fired: false,
            image_key: None,
        }
    }
}

impl EvidenceSpec {
    /// The defaults: `evidence/` under the working directory, thresholds from `items.tsv`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bundle directory (relative paths are resolved against [`EvidenceSpec::base`]).
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = dir.into();
        self
    }

    /// The directory a relative bundle path is resolved against (default: `$PWD`, else `/`).
    pub fn base(mut self, base: impl Into<PathBuf>) -> Self {
        self.base = Some(base.into());
        self
    }

    /// The running build (use [`build_info!`](crate::build_info)).
    pub fn build(mut self, build: BuildInfo) -> Self {
        self.build = Some(build);
        self
    }

    /// Line coverage must be strictly above this percentage (default 80).
    pub fn coverage_threshold(mut self, percent: f64) -> Self {
        self.coverage_threshold = percent;
        self
    }

    /// Findings at or above this severity fail (default critical).
    pub fn severity_threshold(mut self, severity: Severity) -> Self {
        self.severity_threshold = severity;
        self
    }

    /// A build older than this fails "security patches applied" (default 30 days).
    pub fn max_build_age_days(mut self, days: u64) -> Self {
        self.max_build_age_days = days;
        self
    }

    /// Load-test thresholds: p95 latency in milliseconds and error rate (0..1).
    pub fn load_thresholds(mut self, p95_ms: f64, max_error_rate: f64) -> Self {
        self.p95_ms = p95_ms;
        self.max_error_rate = max_error_rate;
        self
    }

    /// The workload the Kubernetes manifests must cover.
    pub fn workload(mut self, workload: K8sWorkload) -> Self {
        self.workload = workload;
        self
    }

    /// Trusted attestation keys per role.
    pub fn trusted_keys(mut self, keys: TrustedKeys) -> Self {
        self.keys = keys;
        self
    }

    /// Lets item `id` be satisfied by an unsigned attestation.
    pub fn allow_unsigned(mut self, id: impl Into<String>) -> Self {
        self.unsigned_allowed.insert(id.into());
        self
    }

    /// Overrides whether this release is a major version bump (default: compare the version
    /// with the previous tag of the build info).
    pub fn major_bump(mut self, major: bool) -> Self {
        self.major_bump = Some(major);
        self
    }

    /// Declares this build the service's first release: there is no previous version, so
    /// "Previous version tagged" and the migration guide are `not_applicable`, and the README,
    /// changelog and rollback plan are not compared with a previous tag. A build that records a
    /// previous tag, or a changelog with an earlier release, contradicts it and `fail`s.
    pub fn first_release(mut self) -> Self {
        self.first_release = true;
        self
    }

    /// Declares that a rollback happened where this process cannot see it (an earlier
    /// deployment): then a post-mortem is needed whatever the rollback triggers of this process
    /// say. Without it, the post-mortem item follows the triggers of the last evaluation.
    pub fn rollback_fired(mut self, fired: bool) -> Self {
        self.rollback_fired = fired;
        self
    }

    /// The public key the image (or binary) signature must verify against.
    pub fn image_key(mut self, key: super::sig::ImageKey) -> Self {
        self.image_key = Some(key);
        self
    }

    /// The spec a check uses: its own, else the one given to the builder, else the defaults.
    pub(crate) fn for_check<'a>(
        own: &'a Option<EvidenceSpec>,
        ctx: &'a crate::Context,
    ) -> &'a EvidenceSpec {
        static DEFAULT: std::sync::OnceLock<EvidenceSpec> = std::sync::OnceLock::new();
        ctx.spec(own)
            .unwrap_or_else(|| DEFAULT.get_or_init(EvidenceSpec::default))
    }

    /// The bundle directory as an absolute host path.
    pub fn resolved_dir(&self, host: &dyn Host) -> PathBuf {
        if self.dir.is_absolute() {
            return self.dir.clone();
        }
        let base = self
            .base
            .clone()
            .or_else(|| host.env("PWD").map(PathBuf::from))
            .filter(|b| b.is_absolute())
            // The same working directory every other spec resolves relative paths against.
            .or_else(|| host.current_dir().ok().filter(|d| d.is_absolute()))
            .unwrap_or_else(|| PathBuf::from("/"));
        base.join(&self.dir)
    }

    /// What is known of the previous release.
    pub(crate) fn previous(&self) -> Previous<'_> {
        let Some(build) = &self.build else {
            // Without build info nothing confirms a declared first release.
            return Previous::Unknown;
        };
        match (self.first_release, build.previous_tag.as_deref()) {
            (true, Some(t)) => Previous::Contradiction(format!(
                "declared a first release (EvidenceSpec::first_release), but the build records the previous release tag {t}"
            )),
            (true, None) => Previous::FirstRelease,
            (false, Some(t)) => Previous::Tag(t),
            (false, None) => Previous::Unknown,
        }
    }

    /// Whether this release is a major version bump (`Some(false)` for a first release).
    pub(crate) fn is_major_bump(&self) -> Option<bool> {
        if let Some(m) = self.major_bump {
            return Some(m);
        }
        let prev = match self.previous() {
            Previous::Tag(t) => t,
            Previous::FirstRelease => return Some(false),
            Previous::Contradiction(_) | Previous::Unknown => return None,
        };
        let b = self.build.as_ref()?;
        let major = |v: &str| {
            v.trim_start_matches('v')
                .split('.')
                .next()
                .and_then(|m| m.parse::<u64>().ok())
        };
        Some(major(&b.version)? > major(prev)?)
    }

    /// Path of `file` inside the bundle.
    pub(crate) fn path_in(&self, host: &dyn Host, file: &Path) -> PathBuf {
        self.resolved_dir(host).join(file)
    }
}
