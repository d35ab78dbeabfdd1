//! Collects the problems one check found into one outcome: the worst status wins, the message
//! lists what was seen, the remediation what to do (each fix once).

use crate::model::Status;
use crate::Outcome;

/// Problems found so far, with the worst status among them.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    status: Option<Status>,
    problems: Vec<String>,
    fixes: Vec<String>,
}

impl Verdict {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Records a problem of `status` (`Fail` or `Warn`) and its fix.
    pub(crate) fn add(
        &mut self,
        status: Status,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.status = Some(self.status.map_or(status, |s| s.max(status)));
        self.problems.push(problem.into());
        let fix = fix.into();
        if !fix.is_empty() && !self.fixes.contains(&fix) {
            self.fixes.push(fix);
        }
    }

    pub(crate) fn fail(&mut self, problem: impl Into<String>, fix: impl Into<String>) {
        self.add(Status::Fail, problem, fix);
    }

    pub(crate) fn warn(&mut self, problem: impl Into<String>, fix: impl Into<String>) {
        self.add(Status::Warn, problem, fix);
    }

    /// The worst status so far (`Pass` when nothing was found).
    pub(crate) fn status(&self) -> Status {
        self.status.unwrap_or(Status::Pass)
    }

    /// The outcome: `pass` with `pass_message` when nothing was found.
    pub(crate) fn outcome(self, pass_message: impl Into<String>) -> Outcome {
        match self.status {
            None => Outcome::pass(pass_message),
            Some(status) => {
                let outcome = Outcome::new(status, self.problems.join("; "));
                if self.fixes.is_empty() {
                    outcome
                } else {
                    outcome.remediation(self.fixes.join(" "))
                }
            }
        }
    }
}
