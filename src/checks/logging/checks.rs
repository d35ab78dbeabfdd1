//! The checks: secrets masked in logs, structured logs to stdout, error tracking configured.

use super::mask::MASK;
use super::panic::PanicHook;
use super::pipeline::{LogPipeline, LogTarget, PipelineError, CANARY_TARGET};
use crate::checks::verdict::Verdict;
use crate::{Check, Context, Outcome};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::time::UNIX_EPOCH;

const HOW_TO_INSTALL: &str = "build the pipeline (`let logs = LogPipeline::json().build();`), install its layer (`tracing_subscriber::registry().with(logs.layer()).init()`), register the secrets (`logs.redactor().register_all(&secrets)`), and give it to the builder (`.resource(logs.clone())`)";

fn not_installed(e: PipelineError) -> Outcome {
    Outcome::fail(format!("the redacting log pipeline is not installed: {e}"))
        .remediation(HOW_TO_INSTALL)
}

/// A fresh random canary: process-random hasher keys, mixed with the host's clock.
fn canary(ctx: &Context) -> SecretString {
    let nanos = ctx
        .host()
        .now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let state = std::collections::hash_map::RandomState::new();
    let mut words = [0u64; 2];
    for (i, word) in words.iter_mut().enumerate() {
        let mut h = state.build_hasher();
        h.write_u128(nanos);
        h.write_usize(i);
        *word = h.finish();
    }
    SecretString::from(format!("canary-{:016x}{:016x}", words[0], words[1]))
}

/// The service's redacting log pipeline is installed, and a random canary secret written
/// through it (registered as a secret first) comes out masked.
///
/// The canary is written at the first evaluation and then at most once per
/// [canary interval](super::LogPipelineBuilder::canary_interval) (an hour by default), marked
/// with target [`CANARY_TARGET`] and the field `prodready_self_check=true`; in between, the
/// item reports the last canary's verdict and its age.
pub fn logs_masked() -> LogsMasked {
    LogsMasked { pipeline: None }
}

/// The check returned by [`logs_masked`].
#[derive(Debug, Clone)]
pub struct LogsMasked {
    pipeline: Option<LogPipeline>,
}

impl LogsMasked {
    /// Checks `pipeline` instead of the [`LogPipeline`] resource.
    pub fn pipeline(mut self, pipeline: LogPipeline) -> Self {
        self.pipeline = Some(pipeline);
        self
    }
}

#[async_trait::async_trait]
impl Check for LogsMasked {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(pipeline) = ctx.spec(&self.pipeline) else {
            return Outcome::fail("no redacting log pipeline installed")
                .remediation(HOW_TO_INSTALL);
        };
        let check = match pipeline.self_check(ctx.host().now(), || canary(ctx)) {
            Ok(check) => check,
            Err(e) => return not_installed(e),
        };
        let (run, when) = (&check.run, check.when());
        let outcome = if run.bytes == 0 {
            Outcome::fail(format!("the canary event written {when} did not reach the log output")).remediation(format!(
                "let INFO events of target `{CANARY_TARGET}` through the subscriber's filter (e.g. `{CANARY_TARGET}=info` in `RUST_LOG`)"
            ))
        } else if run.leaked {
            Outcome::fail(format!("a canary secret written through the log pipeline {when} came out unmasked"))
                .remediation(format!("install the pipeline's own layer (`logs.layer()`) or its writer (`logs.make_writer()`) in the fmt layer; {HOW_TO_INSTALL}"))
        } else if !run.masked {
            Outcome::fail(format!(
                "the canary event written {when} came out without the mask `{MASK}`"
            ))
            .remediation("write logs through the pipeline's writer only")
        } else {
            Outcome::pass(format!(
                "a canary secret written through the log pipeline {when} came out as `{MASK}`"
            ))
        };
        check.details(outcome.detail("output_bytes", run.bytes))
    }
}

/// A structured (JSON) log pipeline is installed and writes to stdout, stderr or a shipper:
/// `pass`; text lines or another target: `warn`; no pipeline: `fail`. The format is observed
/// in the canary event written through the pipeline (shared with [`logs_masked`], at the
/// pipeline's canary interval), not taken on trust.
pub fn log_aggregation() -> LogAggregation {
    LogAggregation { pipeline: None }
}

/// The check returned by [`log_aggregation`].
#[derive(Debug, Clone)]
pub struct LogAggregation {
    pipeline: Option<LogPipeline>,
}

impl LogAggregation {
    /// Checks `pipeline` instead of the [`LogPipeline`] resource.
    pub fn pipeline(mut self, pipeline: LogPipeline) -> Self {
        self.pipeline = Some(pipeline);
        self
    }
}

#[async_trait::async_trait]
impl Check for LogAggregation {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(pipeline) = ctx.spec(&self.pipeline) else {
            return Outcome::fail("no structured log pipeline installed")
                .remediation(HOW_TO_INSTALL);
        };
        let check = match pipeline.self_check(ctx.host().now(), || canary(ctx)) {
            Ok(check) => check,
            Err(e) => return not_installed(e),
        };
        let (json, seen) = (check.run.json, check.run.lines > 0);
        let target = pipeline.target();
        let mut verdict = Verdict::new();
        if !seen {
            verdict.warn(
                "the canary event did not reach the log output: its format cannot be seen",
                format!(
                    "let INFO events of target `{CANARY_TARGET}` through the subscriber's filter"
                ),
            );
        } else if !json {
            verdict.warn(
                "log lines are text, not JSON: aggregators cannot index their fields",
                "build the pipeline with `LogPipeline::json()`",
            );
        }
        if let LogTarget::Other(name) = target {
            verdict.warn(
                format!("logs go to {name}, which no collector reads by default"),
                "write to stdout (`LogPipeline::json().stdout()`), where the node's log collector picks them up, or to a shipper",
            );
        }
        let format = if json {
            "json"
        } else if !seen {
            "unknown"
        } else {
            "text"
        };
        let outcome = verdict
            .outcome(format!(
                "JSON log lines go to {target} (seen in the canary event written {})",
                check.when()
            ))
            .detail("format", format)
            .detail("target", target.to_string());
        check.details(outcome)
    }
}

/// Where the error tracker's DSN comes from: an environment variable (default `SENTRY_DSN`)
/// or a value given directly (held as a secret: the DSN carries the project's key).
#[derive(Clone)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct ErrorTrackingSpec {
    env: String,
    dsn: Option<SecretString>,
}

impl Default for ErrorTrackingSpec {
    fn default() -> Self {
        Self {
            env: "SENTRY_DSN".to_owned(),
            dsn: None,
        }
    }
}

impl ErrorTrackingSpec {
    /// The DSN from `SENTRY_DSN`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The DSN from the variable `name`.
    pub fn dsn_env(mut self, name: impl Into<String>) -> Self {
        self.env = name.into();
        self
    }

    /// The DSN itself.
    pub fn dsn(mut self, dsn: impl Into<String>) -> Self {
        self.dsn = Some(SecretString::from(dsn.into()));
        self
    }
}

impl fmt::Debug for ErrorTrackingSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorTrackingSpec")
            .field("env", &self.env)
            .field("dsn", &self.dsn.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

/// A DSN's parts that may be shown: host and project id (never the key).
fn parse_dsn(dsn: &str) -> Result<(String, String), &'static str> {
    let url = crate::url::Url::parse(dsn.trim()).map_err(|_| "is not a URL")?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err("is not an http(s) URL");
    }
    if url.username().is_empty() {
        return Err("has no public key (`https://<key>@host/<project>`)");
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("has no host")?;
    let project = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .ok_or("has no numeric project id (`https://<key>@host/<project>`)")?;
    Ok((host.to_owned(), project.to_owned()))
}

/// An error-tracking DSN is configured and parses (Sentry shape `https://<key>@host/<project>`;
/// the key is never shown), and a reporting panic hook is installed ([`install_panic_hook`](super::install_panic_hook),
/// whose record is given to the builder).
pub fn error_tracking() -> ErrorTracking {
    ErrorTracking {
        spec: None,
        hook: None,
    }
}

/// The check returned by [`error_tracking`].
#[derive(Debug, Clone)]
pub struct ErrorTracking {
    spec: Option<ErrorTrackingSpec>,
    hook: Option<PanicHook>,
}

impl ErrorTracking {
    /// Checks `spec` instead of the [`ErrorTrackingSpec`] resource (default: `SENTRY_DSN`).
    pub fn spec(mut self, spec: ErrorTrackingSpec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// Reads `hook` instead of the [`PanicHook`] resource.
    pub fn panic_hook(mut self, hook: PanicHook) -> Self {
        self.hook = Some(hook);
        self
    }
}

#[async_trait::async_trait]
impl Check for ErrorTracking {
    async fn run(&self, ctx: &Context) -> Outcome {
        let default = ErrorTrackingSpec::default();
        let spec = ctx.spec(&self.spec).unwrap_or(&default);
        let (dsn, from) = match &spec.dsn {
            Some(dsn) => (
                Some(dsn.expose_secret().to_owned()),
                "the configured DSN".to_owned(),
            ),
            None => (
                ctx.host().env(&spec.env).filter(|v| !v.trim().is_empty()),
                format!("`{}`", spec.env),
            ),
        };
        let mut verdict = Verdict::new();
        let mut outcome_parts = Vec::new();
        let mut dsn_host = None;
        match dsn.as_deref().map(parse_dsn) {
            None => verdict.fail(
                format!("no error-tracking DSN: {from} is not set"),
                format!("set {from} to the project's DSN (from a secret)"),
            ),
            Some(Err(why)) => verdict.fail(
                format!("the error-tracking DSN in {from} {why}"),
                "copy the DSN from the error tracker's project settings",
            ),
            Some(Ok((host, project))) => {
                outcome_parts.push(format!("errors go to {host} (project {project})"));
                dsn_host = Some((host, project));
            }
        }
        let hook = ctx.spec(&self.hook);
        match hook {
            None => verdict.fail(
                "no reporting panic hook installed",
                "call `prodready::checks::logging::install_panic_hook(reporter)` at startup and give the returned record to the builder (`.resource(hook)`)",
            ),
            Some(hook) => outcome_parts.push(format!("panics are reported to {}", hook.reporter())),
        }
        let mut outcome = verdict
            .outcome(outcome_parts.join("; "))
            .detail("dsn_source", from);
        if let Some((host, project)) = dsn_host {
            outcome = outcome
                .detail("dsn_host", host)
                .detail("dsn_project_id", project);
        }
        if let Some(hook) = hook {
            outcome = outcome
                .detail("panic_reporter", hook.reporter())
                .detail("panics_reported", hook.reported())
                .detail("panic_hook_simulated", hook.is_simulated());
        }
        outcome
    }
}
