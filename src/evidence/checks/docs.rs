//! Documentation items: README, OpenAPI, changelog, rollback plan, build info.

use super::judges::parsed;
use crate::evidence::bundle::Loaded;
use crate::evidence::parse;
use crate::evidence::running::Running;
use crate::evidence::spec::Previous;
use crate::evidence::EvidenceSpec;
use crate::{Context, Outcome};

/// The version documents must match: the running build's.
fn version(ctx: &Context, spec: &EvidenceSpec) -> Result<String, Outcome> {
    Running::of(ctx, spec).map(|r| r.version).ok_or_else(|| {
        Outcome::warn("the running version is unknown: cannot tell which version the document must match")
            .remediation("declare it with ReadinessBuilder::service(name, version) or EvidenceSpec::build(prodready::build_info!())")
    })
}

/// A `fail` for a declared first release that the build contradicts.
fn contradiction(why: &str) -> Outcome {
    Outcome::fail(format!("contradiction: {why}"))
        .remediation("drop EvidenceSpec::first_release if an earlier release exists, or build from the history of the first release")
}

pub(super) fn readme(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    if let Some(f) = files
        .iter()
        .find(|f| f.bytes.iter().all(u8::is_ascii_whitespace))
    {
        return Outcome::fail(format!("{} is empty", f.shown()));
    }
    match spec.previous() {
        Previous::Contradiction(why) => return contradiction(&why),
        Previous::FirstRelease => {
            return Outcome::pass(
                "README is non-empty; first release: no previous version to compare it with",
            )
        }
        Previous::Tag(_) | Previous::Unknown => {}
    }
    let b = spec.build.as_ref();
    match (b.and_then(|b| b.readme_changed_unix), b.and_then(|b| b.previous_tag_unix)) {
        (Some(changed), Some(tag)) if changed >= tag => Outcome::pass("README is non-empty and changed since the previous release tag")
            .detail("readme_changed_unix", changed).detail("previous_tag_unix", tag),
        (Some(changed), Some(tag)) => Outcome::fail("README has not changed since the previous release tag")
            .detail("readme_changed_unix", changed).detail("previous_tag_unix", tag)
            .remediation("update README.md for this release"),
        _ => Outcome::warn("README is non-empty; build info does not say when it last changed relative to the previous tag")
            .remediation("record build info with `prodready::evidence::build::emit()` in build.rs, or declare EvidenceSpec::first_release for a first release"),
    }
}

pub(super) fn openapi(ctx: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let docs = match super::judges::digested::<parse::docs::OpenApi>(files, parse::field::OPENAPI) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let v = match version(ctx, spec) {
        Ok(v) => v,
        Err(o) => return o,
    };
    let v = v.as_str();
    match docs.iter().find(|d| d.version != v) {
        Some(d) => Outcome::fail(format!(
            "OpenAPI info.version is {}, running {v}",
            d.version
        ))
        .detail("openapi_version", &d.version)
        .remediation("regenerate the OpenAPI document for this version"),
        None => Outcome::pass(format!(
            "OpenAPI {} document for {v}, {} paths",
            docs.first().map_or("", |d| d.openapi.as_str()),
            docs.iter().map(|d| d.paths.len()).sum::<usize>()
        )),
    }
}

fn release<'a>(releases: &'a [parse::docs::Release], v: &str) -> Option<&'a parse::docs::Release> {
    releases.iter().find(|r| r.version == v)
}

pub(super) fn notes(ctx: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let logs = match parsed(files, parse::docs::changelog) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let v = match version(ctx, spec) {
        Ok(v) => v,
        Err(o) => return o,
    };
    let v = v.as_str();
    match logs.iter().find_map(|l| release(l, v)) {
        Some(r) if r.entries() > 0 => Outcome::pass(format!(
            "CHANGELOG section [{v}] with {} entries",
            r.entries()
        )),
        Some(_) => Outcome::fail(format!("CHANGELOG section [{v}] is empty"))
            .remediation("describe the deployment in the section"),
        None => Outcome::fail(format!("CHANGELOG has no section for {v}"))
            .remediation(format!("add `## [{v}] - <date>` with the deployment notes")),
    }
}

pub(super) fn breaking(ctx: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let logs = match parsed(files, parse::docs::changelog) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let v = match version(ctx, spec) {
        Ok(v) => v,
        Err(o) => return o,
    };
    let v = v.as_str();
    let Some(r) = logs.iter().find_map(|l| release(l, v)) else {
        return Outcome::fail(format!("CHANGELOG has no section for {v}"))
            .remediation(format!("add `## [{v}] - <date>`"));
    };
    match spec.previous() {
        Previous::Contradiction(why) => return contradiction(&why),
        Previous::FirstRelease => {
            let earlier: Vec<&str> = logs
                .iter()
                .flatten()
                .map(|r| r.version.as_str())
                .filter(|rv| *rv != v && !rv.eq_ignore_ascii_case("unreleased"))
                .collect();
            if !earlier.is_empty() {
                return contradiction(&format!(
                    "declared a first release (EvidenceSpec::first_release), but the CHANGELOG lists earlier releases: {}",
                    earlier.join(", ")
                ))
                .detail("earlier_releases", earlier);
            }
            return Outcome::pass(format!(
                "CHANGELOG section [{v}]; first release: no previous version, nothing to break"
            ));
        }
        Previous::Tag(_) | Previous::Unknown => {}
    }
    match spec.is_major_bump() {
        Some(true) if !r.has_breaking_changes() => Outcome::fail(format!("{v} is a major version bump but its CHANGELOG section lists no breaking changes"))
            .remediation("add a `### Breaking` (or `### Removed`) subsection"),
        Some(true) => Outcome::pass(format!("{v}: breaking changes listed")),
        Some(false) => Outcome::pass(format!("CHANGELOG section [{v}]; not a major bump")),
        None => Outcome::warn(format!("CHANGELOG section [{v}] exists; the previous version is unknown, so a major bump cannot be ruled out"))
            .remediation("record the previous tag with `prodready::evidence::build::emit()`, or declare EvidenceSpec::first_release for a first release"),
    }
}

pub(super) fn migration_pre(_: &Context, spec: &EvidenceSpec) -> Option<Outcome> {
    match spec.previous() {
        Previous::Contradiction(why) => return Some(contradiction(&why)),
        Previous::FirstRelease if spec.major_bump.is_none() => {
            return Some(Outcome::not_applicable(
                "first release: no previous version, so no migration guide is needed",
            ))
        }
        _ => {}
    }
    match spec.is_major_bump() {
        Some(true) => None,
        Some(false) => Some(Outcome::not_applicable("not a major version bump: no migration guide needed")),
        None => Some(Outcome::warn("the previous version is unknown: cannot tell whether a migration guide is needed")
            .remediation("record the previous tag with `prodready::evidence::build::emit()`, or declare EvidenceSpec::major_bump or EvidenceSpec::first_release")),
    }
}

pub(super) fn previous_tag(_: &Context, spec: &EvidenceSpec) -> Option<Outcome> {
    Some(match spec.previous() {
        Previous::Contradiction(why) => contradiction(&why),
        Previous::FirstRelease => Outcome::not_applicable("first release: no previous version"),
        Previous::Tag(t) => {
            Outcome::pass(format!("previous release tag {t}")).detail("previous_tag", t)
        }
        Previous::Unknown if spec.build.is_none() => {
            let also = if spec.first_release {
                " (a first release is declared, but without build info nothing confirms that no earlier tag exists)"
            } else {
                ""
            };
            Outcome::warn(format!("no build info declared{also}"))
                .remediation("pass `prodready::build_info!()` with EvidenceSpec::build")
        }
        Previous::Unknown => Outcome::fail("the build recorded no previous release tag")
            .remediation("tag releases (`git tag v1.4.1`) and build with full git history; for a first release, declare EvidenceSpec::first_release"),
    })
}

fn rollback_text(files: &[Loaded]) -> Result<Vec<(String, String)>, Outcome> {
    files
        .iter()
        .map(|f| Ok((f.shown(), f.text()?.to_owned())))
        .collect()
}

pub(super) fn rollback_plan(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let docs = match rollback_text(files) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let prev = match spec.previous() {
        Previous::Tag(t) => t,
        Previous::Contradiction(why) => return contradiction(&why),
        Previous::FirstRelease => {
            if let Some((f, _)) = docs.iter().find(|(_, t)| t.trim().is_empty()) {
                return Outcome::fail(format!("{f} is empty"));
            }
            let shown: Vec<&str> = docs.iter().map(|(f, _)| f.as_str()).collect();
            return Outcome::pass(format!(
                "rollback plan {}; first release: no previous version to name",
                shown.join(", ")
            ));
        }
        Previous::Unknown => {
            return Outcome::warn(
                "a rollback plan exists; the build recorded no previous version to check it against",
            )
            .remediation("record the previous tag with `prodready::evidence::build::emit()`, or declare EvidenceSpec::first_release for a first release")
        }
    };
    let bare = prev.trim_start_matches('v');
    match docs.iter().find(|(_, t)| t.contains(bare)) {
        Some((f, _)) => Outcome::pass(format!("{f} names the previous version {prev}")),
        None => Outcome::fail(format!(
            "the rollback plan does not name the previous version {prev}"
        ))
        .remediation(format!("say which version to roll back to ({prev})")),
    }
}

pub(super) fn rollback_steps(_: &Context, _: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let docs = match rollback_text(files) {
        Ok(d) => d,
        Err(o) => return o,
    };
    let steps: usize = docs
        .iter()
        .map(|(_, t)| {
            t.lines()
                .filter(|l| {
                    let l = l.trim_start();
                    l.starts_with("- ")
                        || l.starts_with("* ")
                        || l.split_once(". ")
                            .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
                })
                .count()
        })
        .sum();
    if steps == 0 {
        return Outcome::fail("the rollback plan has no steps (list items)")
            .remediation("write the steps as a numbered list");
    }
    Outcome::pass(format!("rollback plan with {steps} steps")).detail("steps", steps)
}
