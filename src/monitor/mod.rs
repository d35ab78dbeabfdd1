//! Runtime monitors and rollback triggers: what only the running service can tell over time.
//!
//! - [`RequestMonitor`]: a `tower` layer recording request counts, error ratio and latency
//!   percentiles per route and overall, over sliding windows, in fixed memory.
//! - [`LogMonitor`]: a `tracing` layer counting error and warn events, keeping the last error
//!   messages redacted.
//! - [`resource_usage_acceptable`]: memory against the cgroup limit, CPU throttling, open file
//!   descriptors against `RLIMIT_NOFILE`, read through the [`Host`](crate::Host).
//! - Rollback triggers ([`error_rate_trigger`], [`response_time_trigger`], [`Triggers`]): a
//!   trigger item that fails makes the report's `rollback.recommended` true.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use prodready::monitor::{LogMonitor, RequestMonitor, Triggers};
//! let requests = RequestMonitor::new();
//! let logs = LogMonitor::new();
//! let readiness = prodready::Readiness::builder()
//!     .checklist(prodready::standard::production_deployment())
//!     .resource(requests.clone())
//!     .resource(logs.clone())
//!     .resource(Triggers::new())
//!     .build()?;
//! // axum: Router::new().route(..).layer(requests.layer()).merge(readiness.router())
//! // tracing: tracing_subscriber::registry().with(logs.layer()).with(fmt::layer()).init()
//! # let _ = readiness; Ok(()) }
//! ```
//!
#![doc = include_str!("progressive.md")]

mod baseline;
pub mod exposition;
mod histogram;
mod items;
mod logs;
#[cfg(feature = "prometheus")]
pub mod metrics;
mod requests;
mod resources;
mod scraped;
mod triggers;

pub use baseline::{no_regressions, Baseline, BaselineSpec, NoRegressions};
pub use items::{
    error_rate_acceptable, error_rate_trigger, log_errors_below, performance_acceptable,
    response_time_trigger, response_times_acceptable, response_times_monitored, LogErrorsBelow,
    RequestThreshold,
};
#[cfg(feature = "logging")]
pub use logs::LogMonitorLayer;
pub use logs::{LogMonitor, LogStats};
pub use requests::{
    MonitoredFuture, RequestMonitor, RequestMonitorLayer, RequestMonitorService, RequestStats,
    OTHER_ROUTES, SELF_CHECK_HEADER, SELF_CHECK_USER_AGENT,
};
pub use resources::{
    resource_usage_acceptable, sample, ResourceError, ResourceSample, ResourceUsageAcceptable,
};
#[cfg(feature = "http-client")]
pub(crate) use scraped::{answered, recent_scrape};
#[cfg(all(feature = "http-client", feature = "prometheus"))]
pub(crate) use scraped::{escalate, judge_own_exposition};
pub use scraped::{metrics_being_collected, metrics_verified, MetricsScraped};
pub use triggers::{
    critical_functionality_trigger, data_corruption_trigger, security_issue_trigger, Trigger,
    TriggerCheck, Triggers,
};

pub use crate::report::{Rollback, RollbackReason};

use crate::Check;
use std::sync::Arc;

pub use crate::http::METRICS_PATH;

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![
        (
            "performance.optimization.response-times-acceptable",
            Arc::new(response_times_acceptable()),
        ),
        (
            "deployment.verification.metrics-being-collected",
            Arc::new(metrics_being_collected()),
        ),
        (
            "post-deployment.monitoring.monitor-error-rates",
            Arc::new(error_rate_acceptable()),
        ),
        (
            "post-deployment.monitoring.monitor-response-times",
            Arc::new(response_times_monitored()),
        ),
        (
            "post-deployment.monitoring.monitor-resource-usage",
            Arc::new(resource_usage_acceptable()),
        ),
        (
            "post-deployment.monitoring.check-logs-for-errors",
            Arc::new(log_errors_below()),
        ),
        (
            "post-deployment.monitoring.verify-metrics",
            Arc::new(metrics_verified()),
        ),
        (
            "post-deployment.validation.performance-acceptable",
            Arc::new(performance_acceptable()),
        ),
        (
            "post-deployment.validation.no-regressions",
            Arc::new(no_regressions()),
        ),
        (
            "rollback-plan.triggers.error-rate-threshold",
            Arc::new(error_rate_trigger()),
        ),
        (
            "rollback-plan.triggers.response-time-threshold",
            Arc::new(response_time_trigger()),
        ),
        (
            "rollback-plan.triggers.critical-functionality-broken",
            Arc::new(critical_functionality_trigger()),
        ),
        (
            "rollback-plan.triggers.data-corruption-detected",
            Arc::new(data_corruption_trigger()),
        ),
        (
            "rollback-plan.triggers.security-issue-discovered",
            Arc::new(security_issue_trigger()),
        ),
    ]
}
