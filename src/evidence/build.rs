//! Build info: version, commit, tags and build time recorded into the binary by `build.rs`.
//!
//! In the service's `build.rs` (with prodready as a build-dependency):
//!
//! ```no_run
//! prodready::evidence::build::emit();
//! ```
//!
//! and in the service: `let info = prodready::build_info!();`.

use serde::{Deserialize, Serialize};
use std::process::Command;

/// What the running build is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildInfo {
    /// The version (`CARGO_PKG_VERSION`).
    pub version: String,
    /// The git commit the build was made from.
    pub commit: Option<String>,
    /// The release tag on the commit, if any.
    pub tag: Option<String>,
    /// The release tag before this one.
    pub previous_tag: Option<String>,
    /// Build time, RFC 3339.
    pub built_at: Option<String>,
    /// Unix time of the last commit touching `README.md`.
    pub readme_changed_unix: Option<i64>,
    /// Unix time of the previous tag's commit.
    pub previous_tag_unix: Option<i64>,
}

impl BuildInfo {
    /// A build of `version`, nothing else known.
    pub fn new(version: impl Into<String>) -> Self {
        Self {
            version: version.into(),
            ..Self::default()
        }
    }

    /// The commit.
    pub fn commit(mut self, commit: impl Into<String>) -> Self {
        self.commit = Some(commit.into());
        self
    }

    /// The previous release tag.
    pub fn previous_tag(mut self, tag: impl Into<String>) -> Self {
        self.previous_tag = Some(tag.into());
        self
    }

    /// The build time (RFC 3339).
    pub fn built_at(mut self, time: impl Into<String>) -> Self {
        self.built_at = Some(time.into());
        self
    }

    /// Builds from the values [`emit`] recorded (what [`build_info!`](crate::build_info) passes).
    #[doc(hidden)]
    pub fn from_parts(version: &str, parts: [Option<&str>; 6]) -> Self {
        let s = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_owned);
        let n = |v: Option<&str>| v.and_then(|v| v.parse().ok());
        let [commit, tag, prev, built, readme, prev_unix] = parts;
        Self {
            version: version.to_owned(),
            commit: s(commit),
            tag: s(tag),
            previous_tag: s(prev),
            built_at: s(built),
            readme_changed_unix: n(readme),
            previous_tag_unix: n(prev_unix),
        }
    }
}

/// The [`BuildInfo`] of the crate calling it, from what [`emit`] recorded in its `build.rs`.
#[macro_export]
macro_rules! build_info {
    () => {
        $crate::evidence::BuildInfo::from_parts(
            env!("CARGO_PKG_VERSION"),
            [
                option_env!("PRODREADY_GIT_COMMIT"),
                option_env!("PRODREADY_GIT_TAG"),
                option_env!("PRODREADY_PREVIOUS_TAG"),
                option_env!("PRODREADY_BUILT_AT"),
                option_env!("PRODREADY_README_CHANGED_UNIX"),
                option_env!("PRODREADY_PREVIOUS_TAG_UNIX"),
            ],
        )
    };
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The `cargo:` lines [`emit`] prints (without git, the values are left out).
pub fn lines(now_rfc3339: &str) -> Vec<String> {
    let tag = git(&["describe", "--tags", "--exact-match", "HEAD"]);
    // The previous release: the newest tag reachable from the parent of the current tag's
    // commit, or from HEAD when HEAD is not tagged.
    let prev = match &tag {
        Some(_) => git(&["describe", "--tags", "--abbrev=0", "HEAD^"]),
        None => git(&["describe", "--tags", "--abbrev=0", "HEAD"]),
    };
    let prev_unix = prev
        .as_deref()
        .and_then(|p| git(&["log", "-1", "--format=%ct", p]));
    let values = [
        ("PRODREADY_GIT_COMMIT", git(&["rev-parse", "HEAD"])),
        ("PRODREADY_GIT_TAG", tag),
        ("PRODREADY_PREVIOUS_TAG", prev),
        ("PRODREADY_BUILT_AT", Some(now_rfc3339.to_owned())),
        (
            "PRODREADY_README_CHANGED_UNIX",
            git(&["log", "-1", "--format=%ct", "--", "README.md"]),
        ),
        ("PRODREADY_PREVIOUS_TAG_UNIX", prev_unix),
    ];
    let mut out: Vec<String> = values
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("cargo:rustc-env={k}={v}")))
        .collect();
    out.push("cargo:rerun-if-changed=.git/HEAD".to_owned());
    out.push("cargo:rerun-if-changed=.git/refs/tags".to_owned());
    out
}

/// Prints the `cargo:rustc-env=` lines for [`build_info!`](crate::build_info). Call it from
/// `build.rs`.
pub fn emit() {
    let now = jiff::Timestamp::now().to_string();
    for line in lines(&now) {
        println!("{line}");
    }
}
