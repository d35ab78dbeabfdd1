//! The one worst-of aggregator: collects what a check found (problems, or named parts with their
//! own outcomes) into one outcome. The worst status wins (fail > pending > warn > pass >
//! not applicable), the message says what was seen, the remediation what to do (each fix once).

use crate::model::Status;
use crate::Outcome;
use serde_json::Value;

/// How bad a status is, for "the worst of": fail > pending > warn > pass (and skipped, waived) >
/// not applicable.
pub(crate) fn badness(status: Status) -> u8 {
    match status {
        Status::Fail => 4,
        Status::Pending => 3,
        Status::Warn => 2,
        Status::NotApplicable => 0,
        _ => 1,
    }
}

/// One thing found: a problem (no name) or a named part's outcome.
#[derive(Debug)]
struct Finding {
    name: Option<String>,
    status: Status,
    message: String,
    details: Vec<(String, Value)>,
}

/// What one check found so far, with the worst status among it.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    findings: Vec<Finding>,
    fixes: Vec<String>,
}

impl Verdict {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn fix(&mut self, fix: String) {
        if !fix.is_empty() && !self.fixes.contains(&fix) {
            self.fixes.push(fix);
        }
    }

    /// Records a problem of `status` (`Fail` or `Warn`) and its fix.
    pub(crate) fn add(
        &mut self,
        status: Status,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.findings.push(Finding {
            name: None,
            status,
            message: problem.into(),
            details: Vec::new(),
        });
        self.fix(fix.into());
    }

    pub(crate) fn fail(&mut self, problem: impl Into<String>, fix: impl Into<String>) {
        self.add(Status::Fail, problem, fix);
    }

    pub(crate) fn warn(&mut self, problem: impl Into<String>, fix: impl Into<String>) {
        self.add(Status::Warn, problem, fix);
    }

    /// Records the outcome of the part `name` (its status, message, remediation and details).
    pub(crate) fn part(&mut self, name: impl Into<String>, outcome: Outcome) {
        if let Some(fix) = outcome.get_remediation() {
            self.fix(fix.to_owned());
        }
        self.findings.push(Finding {
            name: Some(name.into()),
            status: outcome.status(),
            message: outcome.message().to_owned(),
            details: outcome
                .details()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        });
    }

    /// The worst status so far (`Pass` when nothing was found).
    pub(crate) fn status(&self) -> Status {
        self.findings
            .iter()
            .map(|f| f.status)
            .max_by_key(|s| badness(*s))
            .unwrap_or(Status::Pass)
    }

    fn with_fixes(&self, outcome: Outcome) -> Outcome {
        if self.fixes.is_empty() {
            outcome
        } else {
            outcome.remediation(self.fixes.join(" "))
        }
    }

    /// The outcome of problems: `pass` with `pass_message` when nothing was found, else the
    /// worst status with every problem.
    pub(crate) fn outcome(self, pass_message: impl Into<String>) -> Outcome {
        if self.findings.is_empty() {
            return Outcome::pass(pass_message);
        }
        let problems: Vec<&str> = self.findings.iter().map(|f| f.message.as_str()).collect();
        self.with_fixes(Outcome::new(self.status(), problems.join("; ")))
    }

    /// The outcome of named parts: `2 of 5 parts fail: …; 1 of 5 parts warn: …`, or
    /// `all 5 parts pass: …`, with each part's status under `details.parts` and its details.
    pub(crate) fn parts_outcome(self) -> Outcome {
        let total = self.findings.len();
        let status = self.status();
        let messages = |status: Status| -> Vec<&str> {
            self.findings
                .iter()
                .filter(|f| f.status == status)
                .map(|f| f.message.as_str())
                .collect()
        };
        let message = if badness(status) <= badness(Status::Pass) {
            let all: Vec<&str> = self.findings.iter().map(|f| f.message.as_str()).collect();
            format!("all {total} parts pass: {}", all.join("; "))
        } else {
            [
                (Status::Fail, "fail"),
                (Status::Pending, "are pending"),
                (Status::Warn, "warn"),
            ]
            .into_iter()
            .filter_map(|(s, verb)| {
                let m = messages(s);
                (!m.is_empty())
                    .then(|| format!("{} of {total} parts {verb}: {}", m.len(), m.join("; ")))
            })
            .collect::<Vec<_>>()
            .join("; ")
        };
        let parts: serde_json::Map<String, Value> = self
            .findings
            .iter()
            .map(|f| {
                let name = f.name.clone().unwrap_or_default();
                (name, Value::String(f.status.to_string()))
            })
            .collect();
        let outcome = self
            .with_fixes(Outcome::new(status, message))
            .detail("parts", parts);
        self.findings
            .into_iter()
            .flat_map(|f| f.details)
            .fold(outcome, |o, (k, v)| o.detail(k, v))
    }

    /// The outcome of named parts, each message shown as `name: message`.
    #[cfg_attr(not(feature = "evidence"), allow(dead_code))]
    pub(crate) fn listed_outcome(self) -> Outcome {
        let listed: Vec<String> = self
            .findings
            .iter()
            .map(|f| match &f.name {
                Some(name) => format!("{name}: {}", f.message),
                None => f.message.clone(),
            })
            .collect();
        self.with_fixes(Outcome::new(self.status(), listed.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_status_wins_and_each_fix_is_given_once() {
        let mut v = Verdict::new();
        v.warn("a warning", "do x.");
        v.fail("a failure", "do x.");
        assert_eq!(v.status(), Status::Fail);
        let o = v.outcome("fine");
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(o.message(), "a warning; a failure");
        assert_eq!(o.get_remediation(), Some("do x."));
        assert_eq!(Verdict::new().outcome("fine").status(), Status::Pass);
    }

    #[test]
    fn pending_is_worse_than_warn_and_not_applicable_is_best() {
        let mut v = Verdict::new();
        v.part("a", Outcome::not_applicable("outside a pod"));
        v.part("b", Outcome::warn("old"));
        v.part("c", Outcome::pending("no evidence").remediation("add it"));
        let o = v.listed_outcome();
        assert_eq!(o.status(), Status::Pending);
        assert_eq!(o.message(), "a: outside a pod; b: old; c: no evidence");
        assert_eq!(o.get_remediation(), Some("add it"));
    }

    #[test]
    fn parts_are_counted_by_status() {
        let mut v = Verdict::new();
        v.part(
            "caps",
            Outcome::fail("CAP_SYS_ADMIN held").detail("held", ["CAP_SYS_ADMIN"]),
        );
        v.part("seccomp", Outcome::pass("seccomp filter"));
        v.part("root", Outcome::warn("root filesystem writable"));
        let o = v.parts_outcome();
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(
            o.message(),
            "1 of 3 parts fail: CAP_SYS_ADMIN held; 1 of 3 parts warn: root filesystem writable"
        );
        assert_eq!(o.details()["parts"]["seccomp"], "pass");
        assert_eq!(o.details()["held"][0], "CAP_SYS_ADMIN");
        let mut v = Verdict::new();
        v.part("a", Outcome::pass("x"));
        v.part("b", Outcome::pass("y"));
        assert_eq!(v.parts_outcome().message(), "all 2 parts pass: x; y");
    }
}
