//! The log monitor: a `tracing` layer counting error and warn events per time slot and keeping
//! the last few error messages, redacted.

use std::collections::VecDeque;
#[cfg(feature = "logging")]
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;
use tracing::Level;
#[cfg(feature = "logging")]
use tracing::{field::Field, Event, Subscriber};
#[cfg(feature = "logging")]
use tracing_subscriber::layer::{Context as LayerContext, Layer};

/// How many error messages are kept.
const KEPT_MESSAGES: usize = 5;
/// Longest message kept, in characters.
const MESSAGE_CHARS: usize = 200;

/// Error and warn events counted over a window, with the last error messages.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct LogStats {
    /// Error-level events.
    pub errors: u64,
    /// Warn-level events.
    pub warnings: u64,
    /// The last error messages (redacted: only the `message` field, long tokens masked).
    pub last_errors: Vec<String>,
}

struct Slots {
    started: Instant,
    slot: Duration,
    /// `(slot number, errors, warnings)`.
    ring: Vec<(u64, u64, u64)>,
    total: (u64, u64),
    last: VecDeque<String>,
}

/// Counts error- and warn-level `tracing` events in fixed memory. Cheap to clone; clones share
/// the counts. Install [`LogMonitor::layer`] in the subscriber and give a clone to the readiness
/// builder (`.resource(logs.clone())`).
#[derive(Clone)]
pub struct LogMonitor {
    slots: Arc<Mutex<Slots>>,
}

impl std::fmt::Debug for LogMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogMonitor").finish_non_exhaustive()
    }
}

impl Default for LogMonitor {
    fn default() -> Self {
        Self::new()
    }
}

impl LogMonitor {
    /// A monitor keeping 5 minutes in 10-second slots.
    pub fn new() -> Self {
        Self::with_window(Duration::from_secs(10), 30)
    }

    /// A monitor keeping `slots` slots of `slot` each.
    pub fn with_window(slot: Duration, slots: usize) -> Self {
        Self {
            slots: Arc::new(Mutex::new(Slots {
                started: Instant::now(),
                slot: slot.max(Duration::from_millis(1)),
                ring: vec![(u64::MAX, 0, 0); slots.max(1)],
                total: (0, 0),
                last: VecDeque::with_capacity(KEPT_MESSAGES),
            })),
        }
    }

    /// The `tracing_subscriber` layer feeding this monitor.
    #[cfg(feature = "logging")]
    pub fn layer(&self) -> LogMonitorLayer {
        LogMonitorLayer {
            monitor: self.clone(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one event; `message` is kept (redacted) for errors.
    pub fn record(&self, level: Level, message: Option<&str>) {
        let is_error = level == Level::ERROR;
        if !is_error && level != Level::WARN {
            return;
        }
        let mut s = self.lock();
        let n = (s.started.elapsed().as_micros() / s.slot.as_micros()) as u64;
        let len = s.ring.len() as u64;
        let slot = &mut s.ring[(n % len) as usize];
        if slot.0 != n {
            *slot = (n, 0, 0);
        }
        if is_error {
            slot.1 += 1;
            s.total.0 += 1;
            if s.last.len() == KEPT_MESSAGES {
                s.last.pop_front();
            }
            s.last.push_back(redact(message.unwrap_or("(no message)")));
        } else {
            slot.2 += 1;
            s.total.1 += 1;
        }
    }

    /// Counts over the last `window` (`None`: since the monitor started).
    pub fn stats(&self, window: Option<Duration>) -> LogStats {
        let s = self.lock();
        let (errors, warnings) = match window {
            None => s.total,
            Some(span) => {
                let current = (s.started.elapsed().as_micros() / s.slot.as_micros()) as u64;
                let wanted = (span.as_micros().div_ceil(s.slot.as_micros()) as u64).max(1);
                let oldest = current.saturating_sub(wanted - 1);
                s.ring
                    .iter()
                    .filter(|(n, _, _)| *n != u64::MAX && *n >= oldest && *n <= current)
                    .fold((0, 0), |(e, w), (_, de, dw)| (e + de, w + dw))
            }
        };
        LogStats {
            errors,
            warnings,
            last_errors: s.last.iter().cloned().collect(),
        }
    }
}

/// Masks every run of 16 or more token characters (keys, tokens, hashes, long ids) and caps the
/// length: an error message may quote a credential.
pub(crate) fn redact(message: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 16 {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in message.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '=' | '.') {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    if out.chars().count() > MESSAGE_CHARS {
        out = out.chars().take(MESSAGE_CHARS).collect::<String>() + "…";
    }
    out
}

/// The `tracing_subscriber` layer of a [`LogMonitor`].
#[cfg(feature = "logging")]
#[derive(Clone, Debug)]
pub struct LogMonitorLayer {
    monitor: LogMonitor,
}

#[cfg(feature = "logging")]
struct MessageVisitor(Option<String>);

#[cfg(feature = "logging")]
impl tracing::field::Visit for MessageVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let mut s = String::new();
            let _ = write!(s, "{value:?}");
            self.0 = Some(s);
        }
    }
}

#[cfg(feature = "logging")]
impl<S: Subscriber> Layer<S> for LogMonitorLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: LayerContext<'_, S>) {
        let level = *event.metadata().level();
        // The library's own events (a startup verification's blocking failures) are the
        // checklist's verdicts, not the service's warnings.
        if level > Level::WARN || event.metadata().target() == "prodready" {
            return;
        }
        // Only the message: other fields often carry values (ids, tokens) the report must not show.
        let mut visitor = MessageVisitor(None);
        if level == Level::ERROR {
            event.record(&mut visitor);
        }
        self.monitor.record(level, visitor.0.as_deref());
    }
}

#[cfg(all(test, feature = "logging"))]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[tokio::test(start_paused = true)]
    async fn counts_errors_and_warnings_from_tracing() {
        let logs = LogMonitor::with_window(Duration::from_secs(10), 6);
        let subscriber = tracing_subscriber::registry().with(logs.layer());
        tracing::subscriber::with_default(subscriber, || {
            tracing::error!(
                token = "s3cr3t",
                "payment failed for key sk_live_ABCDEFGHIJKLMNOP1234"
            );
            tracing::warn!("slow");
            tracing::info!("fine");
        });
        let s = logs.stats(Some(Duration::from_secs(60)));
        assert_eq!((s.errors, s.warnings), (1, 1));
        assert_eq!(s.last_errors, vec!["payment failed for key [redacted]"]);
        assert!(!format!("{s:?}").contains("s3cr3t"));
        tokio::time::advance(Duration::from_secs(120)).await;
        assert_eq!(logs.stats(Some(Duration::from_secs(60))).errors, 0);
        assert_eq!(logs.stats(None).errors, 1);
    }

    #[test]
    fn keeps_only_the_last_messages_and_caps_length() {
        let logs = LogMonitor::new();
        for i in 0..8 {
            logs.record(Level::ERROR, Some(&format!("error {i}")));
        }
        let s = logs.stats(None);
        assert_eq!(s.last_errors.first().map(String::as_str), Some("error 3"));
        assert_eq!(s.last_errors.len(), KEPT_MESSAGES);
        assert!(redact(&"a b ".repeat(200)).ends_with('…'));
    }
}
