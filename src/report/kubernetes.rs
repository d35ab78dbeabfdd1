//! `/livez`, `/readyz` and `/startupz` exactly as kube-apiserver writes them: `[+]name ok`,
//! `[+]name excluded: ok`, `[-]name failed: reason withheld`, a `warn:` line for excludes that
//! match nothing, then `{probe} check passed` or `{probe} check failed`. A failing answer is
//! always the verbose list (kube-apiserver is "always verbose on failure"); a passing one is
//! `ok` unless `verbose` is asked for.

use std::fmt::Write;

/// What a reason says to a caller not allowed to see it.
pub(crate) const WITHHELD: &str = "reason withheld";

/// One line of a probe answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// `[+]id ok`: the check passed.
    Ok(&'a str),
    /// `[+]id excluded: ok`: left out with `?exclude=`.
    Excluded(&'a str),
    /// `[+]id waived: ok`: failing or not, a waiver covers it.
    Waived(&'a str),
    /// `[-]id failed: reason`: the check failed (and so does the probe).
    Failed(&'a str, Option<&'a str>),
    /// `[-]id pending: reason`: not judged yet; fails the probe only where pending blocks.
    Pending(&'a str, Option<&'a str>),
    /// `[-]id skipped: reason`: not run because what it depends on failed.
    Skipped(&'a str, Option<&'a str>),
}

/// A whole probe answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProbeAnswer<'a> {
    /// `livez`, `readyz` or `startupz`.
    pub(crate) probe: &'a str,
    /// One line per check, in checklist order.
    pub(crate) lines: Vec<Line<'a>>,
    /// `exclude` values that named no check of this probe.
    pub(crate) unknown_excludes: Vec<&'a str>,
    /// A note printed before the verdict (e.g. that no check is declared).
    pub(crate) note: Option<&'a str>,
    /// The verdict.
    pub(crate) passed: bool,
}

impl ProbeAnswer<'_> {
    /// The body: `ok` when passed and not verbose, otherwise the lines and the verdict.
    pub(crate) fn render(&self, verbose: bool) -> String {
        if self.passed && !verbose {
            return "ok".to_owned();
        }
        let mut out = String::new();
        let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let reason = |r: &Option<&str>| r.map_or_else(|| WITHHELD.to_owned(), one_line);
        for line in &self.lines {
            let _ = match line {
                Line::Ok(id) => writeln!(out, "[+]{id} ok"),
                Line::Excluded(id) => writeln!(out, "[+]{id} excluded: ok"),
                Line::Waived(id) => writeln!(out, "[+]{id} waived: ok"),
                Line::Failed(id, r) => writeln!(out, "[-]{id} failed: {}", reason(r)),
                Line::Pending(id, r) => writeln!(out, "[-]{id} pending: {}", reason(r)),
                Line::Skipped(id, r) => writeln!(out, "[-]{id} skipped: {}", reason(r)),
            };
        }
        if !self.unknown_excludes.is_empty() {
            let mut names: Vec<&str> = self.unknown_excludes.clone();
            names.sort_unstable();
            names.dedup();
            let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
            let _ = writeln!(
                out,
                "warn: some health checks cannot be excluded: no matches for {}",
                quoted.join(",")
            );
        }
        if let Some(note) = self.note {
            let _ = writeln!(out, "{note}");
        }
        let verdict = if self.passed { "passed" } else { "failed" };
        let _ = writeln!(out, "{} check {verdict}", self.probe);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_follows_kube_apiserver_byte_for_byte() {
        let mut answer = ProbeAnswer {
            probe: "readyz",
            lines: vec![Line::Ok("ping"), Line::Excluded("bad")],
            unknown_excludes: vec!["zz", "dontexist", "zz"],
            note: None,
            passed: true,
        };
        assert_eq!(answer.render(false), "ok");
        assert_eq!(
            answer.render(true),
            "[+]ping ok\n[+]bad excluded: ok\nwarn: some health checks cannot be excluded: no matches for \"dontexist\",\"zz\"\nreadyz check passed\n"
        );
        answer.lines = vec![Line::Ok("ping"), Line::Failed("bad", None)];
        answer.unknown_excludes.clear();
        answer.passed = false;
        // Always verbose on failure.
        assert_eq!(
            answer.render(false),
            "[+]ping ok\n[-]bad failed: reason withheld\nreadyz check failed\n"
        );
        answer.lines = vec![Line::Failed("db", Some("connection\nrefused"))];
        assert_eq!(
            answer.render(true),
            "[-]db failed: connection refused\nreadyz check failed\n"
        );
    }
}
