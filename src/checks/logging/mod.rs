//! Built-in checks: logging — secrets masked in the log output, structured logs going where
//! an aggregator reads them, and error tracking with a reporting panic hook.
//!
//! The service installs the library's [`LogPipeline`]: a `tracing` fmt layer (JSON by default)
//! whose writer masks registered secret values and common credential patterns
//! (`password=…`, `Authorization: Bearer …`, `scheme://user:password@…`) in the formatted
//! bytes, before they reach stdout. Masking at the writer catches every field, message and
//! span, whatever the formatter does with them.
//!
//! ```no_run
//! use prodready::checks::logging::{install_panic_hook, ErrorReporter, LogPipeline, PanicReport};
//! use tracing_subscriber::layer::SubscriberExt;
//! use tracing_subscriber::util::SubscriberInitExt;
//!
//! # struct Sentry;
//! # impl ErrorReporter for Sentry {
//! #     fn name(&self) -> &str { "sentry" }
//! #     fn report_panic(&self, _: &PanicReport) {}
//! # }
//! # async fn run(secrets: prodready::checks::secrets::Secrets) {
//! let logs = LogPipeline::json().stdout().build();
//! logs.redactor().register_all(&secrets); // from `SecretSpec::resolve`
//! tracing_subscriber::registry().with(logs.layer()).init();
//! let readiness = prodready::Readiness::builder()
//!     .resource(logs.clone())
//!     .resource(install_panic_hook(Sentry));
//! # let _ = readiness;
//! # }
//! ```
//!
//! **Self-check events.** Two checks write a canary event through the pipeline to see it at
//! work: at the first evaluation, then at most once per
//! [`canary_interval`](LogPipelineBuilder::canary_interval) (an hour by default), never on
//! every probe. The event has the target [`CANARY_TARGET`] and the field
//! `prodready_self_check=true` ([`SELF_CHECK_FIELD`]): filter on either to keep it out of log
//! alerts. Between canaries, the items report the last one's verdict and its age.
//!
//! In tests, scope the subscriber instead of installing it globally:
//! `tracing::subscriber::with_default(logs.subscriber(), || …)`, and give the error-tracking
//! check a [`PanicHook::simulated`] record instead of replacing the process's panic hook.

#[cfg(test)]
mod cadence_tests;
mod checks;
mod mask;
mod memory;
mod panic;
mod pipeline;
mod self_check;
#[cfg(test)]
mod tests;

pub use checks::{
    error_tracking, log_aggregation, logs_masked, ErrorTracking, ErrorTrackingSpec, LogAggregation,
    LogsMasked,
};
pub use mask::{Redactor, MASK, MIN_SECRET_LEN};
pub use memory::MemoryWriter;
pub use panic::{install_panic_hook, ErrorReporter, PanicHook, PanicReport};
pub use pipeline::{
    LogPipeline, LogPipelineBuilder, LogTarget, MarkerLayer, PipelineError, RedactingGuard,
    RedactingWriter, CANARY_TARGET,
};
pub use self_check::{DEFAULT_CANARY_INTERVAL, SELF_CHECK_FIELD};

use crate::Check;
use std::sync::Arc;

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![
        (
            "infrastructure.monitoring.log-aggregation-set-up",
            Arc::new(log_aggregation()),
        ),
        (
            "infrastructure.monitoring.error-tracking-configured",
            Arc::new(error_tracking()),
        ),
        (
            "security.data-protection.sensitive-data-masked-in-logs",
            Arc::new(logs_masked()),
        ),
    ]
}
