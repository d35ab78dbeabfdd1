//! Vulnerability reports: cargo-audit JSON, OSV (osv-scanner JSON), Trivy JSON, Grype JSON.

#[cfg(feature = "digest")]
use super::ParseError;
use crate::evidence::Severity;
#[cfg(feature = "digest")]
use serde_json::Value;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// Advisory id (CVE, GHSA, RUSTSEC…).
    pub id: String,
    /// Affected package.
    pub package: String,
    /// Severity.
    pub severity: Severity,
    /// A fixed version exists.
    pub fixable: bool,
    /// An OS package (from the base image) rather than a language library.
    pub os_package: bool,
}

#[cfg(feature = "digest")]
fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The CVSS v3.x base score of a vector (`CVSS:3.1/AV:N/AC:L/…`), or `None` when malformed.
#[cfg(feature = "digest")]
pub fn cvss3_score(vector: &str) -> Option<f64> {
    let mut m = std::collections::HashMap::new();
    for part in vector.split('/').skip(1) {
        let (k, v) = part.split_once(':')?;
        m.insert(k, v);
    }
    let changed = *m.get("S")? == "C";
    let av = match *m.get("AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match *m.get("AC")? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (*m.get("PR")?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match *m.get("UI")? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |k: &str| match m.get(k).copied() {
        Some("H") => Some(0.56),
        Some("L") => Some(0.22),
        Some("N") => Some(0.0),
        _ => None,
    };
    let iss = 1.0 - (1.0 - cia("C")?) * (1.0 - cia("I")?) * (1.0 - cia("A")?);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02f64).powi(15)
    } else {
        6.42 * iss
    };
    if impact <= 0.0 {
        return Some(0.0);
    }
    let expl = 8.22 * av * ac * pr * ui;
    let raw = if changed {
        (1.08 * (impact + expl)).min(10.0)
    } else {
        (impact + expl).min(10.0)
    };
    Some((raw * 10.0 - 1e-9).ceil() / 10.0)
}

/// The severity of a CVSS base score.
#[cfg(feature = "digest")]
pub fn severity_of_score(score: f64) -> Severity {
    match score {
        s if s >= 9.0 => Severity::Critical,
        s if s >= 7.0 => Severity::High,
        s if s >= 4.0 => Severity::Medium,
        s if s > 0.0 => Severity::Low,
        _ => Severity::Unknown,
    }
}

/// Parses `cargo audit --json`. Severity comes from the advisory's CVSS vector; an advisory
/// without one (unsound, unmaintained warnings are not vulnerabilities) is `Unknown`.
#[cfg(feature = "digest")]
pub fn cargo_audit(file: &str, text: &str) -> Result<Vec<Finding>, ParseError> {
    let v: Value = super::json(file, text)?;
    let list = v["vulnerabilities"]["list"].as_array().ok_or_else(|| {
        ParseError::new(
            file,
            1,
            1,
            "no `vulnerabilities.list` array: not cargo-audit JSON",
        )
    })?;
    Ok(list
        .iter()
        .map(|f| Finding {
            id: s(&f["advisory"]["id"]),
            package: s(&f["package"]["name"]),
            severity: f["advisory"]["cvss"]
                .as_str()
                .and_then(cvss3_score)
                .map_or(Severity::Unknown, severity_of_score),
            fixable: f["versions"]["patched"]
                .as_array()
                .is_some_and(|p| !p.is_empty()),
            os_package: false,
        })
        .collect())
}

/// Parses osv-scanner JSON (`results[].packages[].vulnerabilities[]`).
#[cfg(feature = "digest")]
pub fn osv(file: &str, text: &str) -> Result<Vec<Finding>, ParseError> {
    let v: Value = super::json(file, text)?;
    let results = v["results"]
        .as_array()
        .ok_or_else(|| ParseError::new(file, 1, 1, "no `results` array: not OSV scanner JSON"))?;
    let mut out = Vec::new();
    for p in results
        .iter()
        .flat_map(|r| r["packages"].as_array().into_iter().flatten())
    {
        for vuln in p["vulnerabilities"].as_array().into_iter().flatten() {
            let from_db = vuln["database_specific"]["severity"]
                .as_str()
                .map(Severity::parse);
            let from_cvss = vuln["severity"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|s| s["score"].as_str().and_then(cvss3_score))
                .map(severity_of_score);
            out.push(Finding {
                id: s(&vuln["id"]),
                package: s(&p["package"]["name"]),
                severity: from_db
                    .filter(|s| *s != Severity::Unknown)
                    .or(from_cvss)
                    .unwrap_or(Severity::Unknown),
                fixable: vuln["affected"].to_string().contains("\"fixed\""),
                os_package: false,
            });
        }
    }
    Ok(out)
}

/// Parses `trivy image --format json` (`Results[].Vulnerabilities[]`).
#[cfg(feature = "digest")]
pub fn trivy(file: &str, text: &str) -> Result<Vec<Finding>, ParseError> {
    let v: Value = super::json(file, text)?;
    if v.get("SchemaVersion").is_none() && v.get("Results").is_none() {
        return Err(ParseError::new(file, 1, 1, "no `Results`: not Trivy JSON"));
    }
    let mut out = Vec::new();
    for r in v["Results"].as_array().into_iter().flatten() {
        let os = r["Class"] == "os-pkgs";
        for f in r["Vulnerabilities"].as_array().into_iter().flatten() {
            out.push(Finding {
                id: s(&f["VulnerabilityID"]),
                package: s(&f["PkgName"]),
                severity: Severity::parse(f["Severity"].as_str().unwrap_or_default()),
                fixable: f["FixedVersion"].as_str().is_some_and(|v| !v.is_empty()),
                os_package: os,
            });
        }
    }
    Ok(out)
}

/// Parses `grype -o json` (`matches[]`).
#[cfg(feature = "digest")]
pub fn grype(file: &str, text: &str) -> Result<Vec<Finding>, ParseError> {
    let v: Value = super::json(file, text)?;
    let matches = v["matches"]
        .as_array()
        .ok_or_else(|| ParseError::new(file, 1, 1, "no `matches` array: not Grype JSON"))?;
    const OS: &[&str] = &["deb", "rpm", "apk", "alpm", "portage"];
    Ok(matches
        .iter()
        .map(|m| Finding {
            id: s(&m["vulnerability"]["id"]),
            package: s(&m["artifact"]["name"]),
            severity: Severity::parse(m["vulnerability"]["severity"].as_str().unwrap_or_default()),
            fixable: m["vulnerability"]["fix"]["state"] == "fixed",
            os_package: OS.contains(&m["artifact"]["type"].as_str().unwrap_or_default()),
        })
        .collect())
}

/// Parses any of the four formats, told apart by their top-level keys.
#[cfg(feature = "digest")]
pub fn any(file: &str, text: &str) -> Result<Vec<Finding>, ParseError> {
    let v: Value = super::json(file, text)?;
    if v.get("vulnerabilities").is_some() && v.get("database").is_some()
        || v["vulnerabilities"].get("list").is_some()
    {
        cargo_audit(file, text)
    } else if v.get("matches").is_some() {
        grype(file, text)
    } else if v.get("Results").is_some() || v.get("SchemaVersion").is_some() {
        trivy(file, text)
    } else if v.get("results").is_some() {
        osv(file, text)
    } else {
        Err(ParseError::new(
            file,
            1,
            1,
            "not a cargo-audit, OSV, Trivy or Grype JSON report",
        ))
    }
}
