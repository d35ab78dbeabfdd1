//! A panic hook that reports panics to the service's error tracker, and the record of its
//! installation the error-tracking check reads.

use std::fmt;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What is known about a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanicReport {
    /// The panic message.
    pub message: String,
    /// `file:line:column`, when known.
    pub location: Option<String>,
    /// The panicking thread's name, when it has one.
    pub thread: Option<String>,
}

impl PanicReport {
    fn from_info(info: &PanicHookInfo<'_>) -> Self {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic with a non-string payload".to_owned());
        Self {
            message,
            location: info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())),
            thread: std::thread::current().name().map(str::to_owned),
        }
    }
}

/// Sends panics to an error tracker (the service's Sentry client, …).
pub trait ErrorReporter: Send + Sync + 'static {
    /// A short name for reports ("sentry").
    fn name(&self) -> &str;

    /// Reports one panic. Runs inside the panic hook: keep it short and do not panic.
    fn report_panic(&self, report: &PanicReport);
}

/// The record of an installed reporting panic hook: give it to the readiness builder with
/// `.resource(record)`. Cheap to clone.
#[derive(Clone)]
pub struct PanicHook {
    reporter: String,
    reported: Arc<AtomicU64>,
    simulated: bool,
}

impl PanicHook {
    /// The reporter's name.
    pub fn reporter(&self) -> &str {
        &self.reporter
    }

    /// How many panics the hook has reported.
    pub fn reported(&self) -> u64 {
        self.reported.load(Ordering::Relaxed)
    }

    /// A record as [`install_panic_hook`] returns, without touching the process's hook: for
    /// tests that must not replace the test harness's hook.
    pub fn simulated(reporter: impl Into<String>) -> Self {
        Self {
            reporter: reporter.into(),
            reported: Arc::default(),
            simulated: true,
        }
    }

    /// Whether this record came from [`PanicHook::simulated`].
    pub fn is_simulated(&self) -> bool {
        self.simulated
    }
}

impl fmt::Debug for PanicHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PanicHook")
            .field("reporter", &self.reporter)
            .field("reported", &self.reported())
            .field("simulated", &self.simulated)
            .finish()
    }
}

/// Installs a panic hook that reports each panic to `reporter`, then runs the hook that was
/// installed before (so the usual message still reaches stderr). Returns the record the
/// error-tracking check reads.
///
/// ```no_run
/// use prodready::checks::logging::{install_panic_hook, ErrorReporter, PanicReport};
///
/// struct Sentry;
/// impl ErrorReporter for Sentry {
///     fn name(&self) -> &str { "sentry" }
///     fn report_panic(&self, report: &PanicReport) { /* sentry::capture_message(&report.message, …) */ }
/// }
///
/// let hook = install_panic_hook(Sentry);
/// let readiness = prodready::Readiness::builder().resource(hook);
/// # let _ = readiness;
/// ```
pub fn install_panic_hook(reporter: impl ErrorReporter) -> PanicHook {
    let record = PanicHook {
        reporter: reporter.name().to_owned(),
        reported: Arc::default(),
        simulated: false,
    };
    let reported = record.reported.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        reporter.report_panic(&PanicReport::from_info(info));
        reported.fetch_add(1, Ordering::Relaxed);
        previous(info);
    }));
    record
}
