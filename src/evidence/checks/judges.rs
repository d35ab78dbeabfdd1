//! How each artifact kind is judged.

use crate::evidence::bundle::Loaded;
use crate::evidence::parse::{self, field, ParseError};
use crate::evidence::sig::ImageSignature;
use crate::evidence::{EvidenceSpec, Severity};
use crate::{Context, Outcome};

/// Parses every file with `p`; the first malformed one is a `fail` naming file and position.
pub(super) fn parsed<T>(
    files: &[Loaded],
    p: fn(&str, &str) -> Result<T, ParseError>,
) -> Result<Vec<T>, Outcome> {
    files
        .iter()
        .map(|f| {
            let text = f.text()?;
            p(&f.shown(), text).map_err(|e| {
                Outcome::fail(format!("malformed evidence: {e}"))
                    .remediation("regenerate the artifact with its tool")
            })
        })
        .collect()
}

/// Every file's digest `field`, as `T`: what `prodready add` read of it at CI time. A file
/// recorded without it is `pending`, never parsed here.
pub(super) fn digested<T: serde::de::DeserializeOwned>(
    files: &[Loaded],
    field: &str,
) -> Result<Vec<T>, Outcome> {
    files.iter().map(|f| f.digest(field)).collect()
}

fn names(files: &[Loaded]) -> Vec<String> {
    files.iter().map(Loaded::shown).collect()
}

pub(super) fn tests(_: &Context, _: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let reports = match digested::<parse::tests::TestCounts>(files, field::TESTS) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let ran: usize = reports.iter().map(|r| r.ran()).sum();
    let failures: usize = reports.iter().map(|r| r.failures).sum();
    let errors: usize = reports.iter().map(|r| r.errors).sum();
    let skipped: usize = reports.iter().map(|r| r.skipped).sum();
    let failed: Vec<String> = reports
        .iter()
        .flat_map(|r| r.failed_names.clone())
        .take(10)
        .collect();
    let out = if ran == 0 {
        Outcome::fail("no test ran in the reports")
            .remediation("make CI run the tests and save the report")
    } else if failures + errors > 0 {
        Outcome::fail(format!(
            "{failures} failures and {errors} errors among {ran} tests: {}",
            failed.join(", ")
        ))
        .remediation("fix the failing tests and regenerate the report")
    } else {
        Outcome::pass(format!("{ran} tests passed ({skipped} skipped)"))
    };
    out.detail("tests_ran", ran)
        .detail("failures", failures)
        .detail("errors", errors)
        .detail("skipped", skipped)
        .detail("files", names(files))
}

pub(super) fn vulns(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let findings: Vec<_> = match digested::<Vec<parse::vulns::Finding>>(files, field::FINDINGS) {
        Ok(r) => r.into_iter().flatten().collect(),
        Err(o) => return o,
    };
    let t = spec.severity_threshold;
    let bad: Vec<String> = findings
        .iter()
        .filter(|f| f.severity >= t)
        .map(|f| format!("{} in {} ({})", f.id, f.package, f.severity.as_str()))
        .collect();
    let out = if bad.is_empty() {
        Outcome::pass(format!(
            "{} findings, none at or above {}",
            findings.len(),
            t.as_str()
        ))
    } else {
        Outcome::fail(format!(
            "{} findings at or above {}: {}",
            bad.len(),
            t.as_str(),
            bad.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
        ))
        .remediation("upgrade the affected packages (see the report's fixed versions) and rescan")
    };
    out.detail("findings", findings.len())
        .detail("findings_at_or_above_threshold", bad.len())
        .detail("threshold", t.as_str())
        .detail("files", names(files))
}

pub(super) fn patches(ctx: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let findings: Vec<_> = match digested::<Vec<parse::vulns::Finding>>(files, field::FINDINGS) {
        Ok(r) => r.into_iter().flatten().collect(),
        Err(o) => return o,
    };
    let fixable: Vec<String> = findings
        .iter()
        .filter(|f| f.os_package && f.fixable && f.severity >= Severity::High)
        .map(|f| format!("{} in {}", f.id, f.package))
        .collect();
    if !fixable.is_empty() {
        return Outcome::fail(format!(
            "{} fixable high/critical OS package findings: {}",
            fixable.len(),
            fixable
                .iter()
                .take(10)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .detail("fixable_high_or_critical", fixable.len())
        .remediation(
            "rebuild on an updated base image (`apt-get upgrade` / newer tag) and rescan",
        );
    }
    let built = spec.build.as_ref().and_then(|b| b.built_at.as_deref());
    let Some(built) = built else {
        return Outcome::warn("no fixable high/critical OS finding, but the build time is unknown")
            .remediation("record build info with `prodready::evidence::build::emit()` and pass `build_info!()` in the EvidenceSpec");
    };
    let age_days = match (
        built.parse::<jiff::Timestamp>(),
        jiff::Timestamp::try_from(ctx.host().now()),
    ) {
        (Ok(b), Ok(now)) => (now.as_second() - b.as_second()) as f64 / 86_400.0,
        _ => return Outcome::fail(format!("build time `{built}` is not RFC 3339")),
    };
    let max = spec.max_build_age_days;
    let out = if age_days > max as f64 {
        Outcome::fail(format!("the build is {age_days:.0} days old (limit {max})"))
            .remediation("rebuild to pick up security patches")
    } else {
        Outcome::pass(format!(
            "no fixable high/critical OS finding; build {age_days:.0} days old"
        ))
    };
    out.detail("build_age_days", (age_days * 10.0).round() / 10.0)
        .detail("max_build_age_days", max)
}

pub(super) fn lint(_: &Context, _: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let r = match digested::<parse::lint::LintCounts>(files, field::LINT) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let errors: usize = r.iter().map(|c| c.errors).sum();
    let warnings: usize = r.iter().map(|c| c.warnings).sum();
    let first: Vec<String> = r
        .iter()
        .flat_map(|c| c.first_errors.clone())
        .take(5)
        .collect();
    let out = if errors == 0 {
        Outcome::pass(format!("no lint errors ({warnings} warnings)"))
    } else {
        Outcome::fail(format!("{errors} lint errors: {}", first.join("; ")))
            .remediation("fix the errors `cargo clippy` reports")
    };
    out.detail("errors", errors).detail("warnings", warnings)
}

pub(super) fn coverage(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let r = match digested::<parse::coverage::LineCoverage>(files, field::COVERAGE) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let covered: u64 = r.iter().map(|c| c.covered).sum();
    let valid: u64 = r.iter().map(|c| c.valid).sum();
    let pct = parse::coverage::LineCoverage { covered, valid }.percent();
    let pct = (pct * 10.0).round() / 10.0;
    let t = spec.coverage_threshold;
    let out = if valid == 0 {
        Outcome::fail("the coverage report instruments no line")
    } else if pct > t {
        Outcome::pass(format!("line coverage {pct}% > {t}%"))
    } else {
        Outcome::fail(format!("line coverage {pct}% is not above {t}%"))
            .remediation("add tests for the uncovered code")
    };
    out.detail("line_coverage", pct)
        .detail("threshold", t)
        .detail("lines_covered", covered)
        .detail("lines_valid", valid)
}

pub(super) fn alerts(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let r = match digested::<(Vec<parse::ops::AlertRule>, usize)>(files, field::RULES) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let alerts: Vec<_> = r.iter().flat_map(|(a, _)| a.clone()).collect();
    let ours: Vec<&str> = match &spec.workload.name {
        Some(n) => alerts
            .iter()
            .filter(|a| {
                a.expr.contains(n.as_str()) || a.labels.iter().any(|l| l.contains(n.as_str()))
            })
            .map(|a| a.name.as_str())
            .collect(),
        None => alerts.iter().map(|a| a.name.as_str()).collect(),
    };
    if ours.is_empty() {
        return Outcome::fail(format!(
            "{} alerting rules, none for this service",
            alerts.len()
        ))
        .remediation(
            "add an alerting rule whose expression selects the service (e.g. `job=\"<name>\"`)",
        );
    }
    let out = Outcome::pass(format!(
        "{} alerting rules: {}",
        ours.len(),
        ours.join(", ")
    ))
    .detail("alerting_rules", ours.len());
    if spec.workload.name.is_none() {
        out.detail("note", "no workload name declared: any alert counts")
    } else {
        out
    }
}

pub(super) fn load(_: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let r = match digested::<parse::ops::LoadSummary>(files, field::LOAD) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let worst_p95 = r.iter().map(|s| s.p95_ms).fold(0.0, f64::max);
    let worst_err = r.iter().map(|s| s.error_rate).fold(0.0, f64::max);
    let out = if worst_p95 > spec.p95_ms || worst_err > spec.max_error_rate {
        Outcome::fail(format!(
            "p95 {worst_p95:.1} ms (limit {}), error rate {:.2}% (limit {:.2}%)",
            spec.p95_ms,
            worst_err * 100.0,
            spec.max_error_rate * 100.0
        ))
        .remediation("fix the slow or failing endpoints and rerun the load test")
    } else {
        Outcome::pass(format!(
            "p95 {worst_p95:.1} ms, error rate {:.2}%",
            worst_err * 100.0
        ))
    };
    out.detail("p95_ms", worst_p95)
        .detail("p95_threshold_ms", spec.p95_ms)
        .detail("error_rate", worst_err)
        .detail("error_rate_threshold", spec.max_error_rate)
}

pub(super) fn image_signature(ctx: &Context, spec: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    let Some(key) = &spec.image_key else {
        return Outcome::fail("an image signature is shipped but no public key is configured")
            .remediation("configure it with EvidenceSpec::image_key(ImageKey::from_pem(..))");
    };
    let sigs = match parsed(files, parse::json::<ImageSignature>) {
        Ok(s) => s,
        Err(o) => return o,
    };
    for s in sigs {
        let subject = if s.subject == "self" {
            match ctx.host().read(std::path::Path::new("/proc/self/exe")) {
                Ok(b) => format!("sha256:{}", crate::evidence::bundle::sha256_hex(&b)),
                Err(e) => {
                    return Outcome::fail(format!(
                        "cannot read /proc/self/exe to hash the binary: {e}"
                    ))
                }
            }
        } else {
            s.subject.clone()
        };
        if s.algorithm != key.algorithm() {
            return Outcome::fail(format!(
                "the signature is {}, the configured key is {}",
                s.algorithm,
                key.algorithm()
            ));
        }
        if let Err(e) = key.verify(subject.as_bytes(), &s.signature) {
            return Outcome::fail(format!("image signature over {subject}: {e}"))
                .remediation("re-sign the digest with the release key");
        }
    }
    Outcome::pass(format!(
        "{} signature(s) verify against the configured {} key",
        files.len(),
        key.algorithm()
    ))
}

pub(super) fn non_empty(_: &Context, _: &EvidenceSpec, files: &[Loaded]) -> Outcome {
    if let Some(f) = files
        .iter()
        .find(|f| f.bytes.iter().all(u8::is_ascii_whitespace))
    {
        return Outcome::fail(format!("{} is empty", f.shown()));
    }
    Outcome::pass(format!("present: {}", names(files).join(", "))).detail("files", names(files))
}

/// The worst of several outcomes (fail > pending > warn > pass), with all messages.
pub(super) fn worst(outs: Vec<(&str, Outcome)>) -> Outcome {
    let mut verdict = crate::checks::verdict::Verdict::new();
    for (name, outcome) in outs {
        verdict.part(name, outcome);
    }
    verdict.listed_outcome()
}
