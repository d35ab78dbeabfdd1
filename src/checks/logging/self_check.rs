//! The canary the logging checks write through the pipeline, at a cadence that does not flood
//! the service's logs: at the first evaluation, then at most once per interval (an hour by
//! default). Between canaries the checks report what the last one showed, and how long ago.

use super::mask::MASK;
use super::pipeline::{LogPipeline, PipelineError};
use secrecy::{ExposeSecret, SecretString};
use std::time::{Duration, SystemTime};

/// How often, at most, the logging checks write their canary event: an hour.
pub const DEFAULT_CANARY_INTERVAL: Duration = Duration::from_secs(3600);

/// The field every event the checks write carries (`prodready_self_check=true`, with the target
/// [`CANARY_TARGET`](super::CANARY_TARGET)), so that log alerting can leave them out.
pub const SELF_CHECK_FIELD: &str = "prodready_self_check";

/// What one canary event showed. No value is kept: only facts about the masked output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CanaryRun {
    /// When it was written (the host's clock).
    pub(crate) at: SystemTime,
    /// Bytes the pipeline wrote for it.
    pub(crate) bytes: usize,
    /// Non-empty lines it wrote.
    pub(crate) lines: usize,
    /// Every line is a JSON object.
    pub(crate) json: bool,
    /// The canary value came out unmasked.
    pub(crate) leaked: bool,
    /// The mask appeared in the output.
    pub(crate) masked: bool,
}

impl CanaryRun {
    fn observe(at: SystemTime, output: &str, secret: &SecretString) -> Self {
        let lines: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).collect();
        CanaryRun {
            at,
            bytes: output.len(),
            lines: lines.len(),
            json: !lines.is_empty()
                && lines.iter().all(|l| {
                    serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v.is_object())
                }),
            leaked: output.contains(secret.expose_secret()),
            masked: output.contains(MASK),
        }
    }
}

/// The last canary and whether this evaluation wrote it.
#[derive(Debug, Clone)]
pub(crate) struct SelfCheck {
    pub(crate) run: CanaryRun,
    /// Written by this evaluation (otherwise reused from an earlier one).
    pub(crate) fresh: bool,
    /// How long ago it was written.
    pub(crate) age: Duration,
    /// The cadence.
    pub(crate) interval: Duration,
}

impl SelfCheck {
    /// `just now` or `4m 10s ago`, for messages.
    pub(crate) fn when(&self) -> String {
        if self.fresh || self.age < Duration::from_secs(1) {
            "just now".to_owned()
        } else {
            let age = Duration::from_secs(self.age.as_secs());
            format!("{} ago", humantime::format_duration(age))
        }
    }

    /// Adds the canary's time, age and cadence to `outcome`'s details.
    pub(crate) fn details(&self, outcome: crate::Outcome) -> crate::Outcome {
        outcome
            .detail(
                "canary_at",
                humantime::format_rfc3339_seconds(self.run.at).to_string(),
            )
            .detail("canary_age_seconds", self.age.as_secs())
            .detail("canary_interval_seconds", self.interval.as_secs())
            .detail("canary_written_now", self.fresh)
    }
}

impl LogPipeline {
    /// The canary for an evaluation at `now`: the last one while it is younger than the
    /// pipeline's interval, else a fresh one written with `secret()` (the first evaluation
    /// always writes one). Whether the pipeline is installed is checked every time.
    pub(crate) fn self_check(
        &self,
        now: SystemTime,
        secret: impl FnOnce() -> SecretString,
    ) -> Result<SelfCheck, PipelineError> {
        self.ensure_installed()?;
        let interval = self.canary_interval();
        // Held while writing, so that checks evaluated together write one canary between them.
        let mut last = self.last_canary();
        if let Some(run) = last.as_ref() {
            // A clock that went backwards makes the last canary due again.
            if let Ok(age) = now.duration_since(run.at) {
                if age < interval {
                    return Ok(SelfCheck {
                        run: run.clone(),
                        fresh: false,
                        age,
                        interval,
                    });
                }
            }
        }
        let secret = secret();
        let output = self.write_canary(Some(&secret))?;
        let run = CanaryRun::observe(now, &output, &secret);
        *last = Some(run.clone());
        Ok(SelfCheck {
            run,
            fresh: true,
            age: Duration::ZERO,
            interval,
        })
    }
}
