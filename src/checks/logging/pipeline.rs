//! The log pipeline a service installs: a `tracing` fmt layer (JSON or text) whose writer masks
//! secrets before the bytes reach stdout, and a handle the checks use to see that it is
//! installed and to write a canary through it.

use super::mask::Redactor;
use super::self_check::{CanaryRun, DEFAULT_CANARY_INTERVAL};
use secrecy::SecretString;
use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;
use tracing::dispatcher::WeakDispatch;
use tracing::{Dispatch, Subscriber};
use tracing_subscriber::fmt::writer::{BoxMakeWriter, MakeWriter};
use tracing_subscriber::layer::{Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// The target of the events the checks write through the pipeline.
pub const CANARY_TARGET: &str = "prodready::canary";

/// Where the pipeline's lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogTarget {
    /// Standard output (what Kubernetes log collectors read).
    Stdout,
    /// Standard error.
    Stderr,
    /// A log shipper (an agent socket, an OTLP exporter…), by name.
    Shipper(String),
    /// Anything else (a file, a buffer), by name.
    Other(String),
}

impl fmt::Display for LogTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogTarget::Stdout => f.write_str("stdout"),
            LogTarget::Stderr => f.write_str("stderr"),
            LogTarget::Shipper(name) => write!(f, "shipper {name}"),
            LogTarget::Other(name) => f.write_str(name),
        }
    }
}

struct Shared {
    inner: BoxMakeWriter,
    redactor: Redactor,
    json: bool,
    target: LogTarget,
    dispatch: Mutex<Option<WeakDispatch>>,
    /// Output captured per thread while a check writes its event.
    captures: Mutex<Vec<(ThreadId, Vec<u8>)>>,
    /// How often, at most, the checks write their canary.
    canary_interval: Duration,
    /// What the last canary showed.
    last_canary: Mutex<Option<CanaryRun>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The service's log pipeline. Build it, install [`LogPipeline::layer`] in the subscriber, and
/// give a clone to the readiness builder; register the secrets to mask with
/// [`LogPipeline::redactor`].
///
/// ```no_run
/// use prodready::checks::logging::LogPipeline;
/// use tracing_subscriber::layer::SubscriberExt;
/// use tracing_subscriber::util::SubscriberInitExt;
///
/// let logs = LogPipeline::json().build(); // JSON lines on stdout, secrets masked
/// tracing_subscriber::registry().with(logs.layer()).init();
/// let readiness = prodready::Readiness::builder().resource(logs.clone());
/// # let _ = readiness;
/// ```
#[derive(Clone)]
pub struct LogPipeline {
    shared: Arc<Shared>,
}

/// Builds a [`LogPipeline`].
#[must_use = "a builder does nothing until it is built"]
pub struct LogPipelineBuilder {
    json: bool,
    writer: Option<(BoxMakeWriter, LogTarget)>,
    redactor: Redactor,
    canary_interval: Duration,
}

impl LogPipelineBuilder {
    /// Writes to standard output (the default).
    pub fn stdout(mut self) -> Self {
        self.writer = Some((BoxMakeWriter::new(io::stdout), LogTarget::Stdout));
        self
    }

    /// Writes to standard error.
    pub fn stderr(mut self) -> Self {
        self.writer = Some((BoxMakeWriter::new(io::stderr), LogTarget::Stderr));
        self
    }

    /// Writes to `writer`, reported as `target`.
    pub fn writer<W>(mut self, writer: W, target: LogTarget) -> Self
    where
        W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
    {
        self.writer = Some((BoxMakeWriter::new(writer), target));
        self
    }

    /// Masks with `redactor` (shared with the service, which registers its secrets in it).
    pub fn redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// How often, at most, the logging checks write their canary event through the pipeline
    /// (default [`DEFAULT_CANARY_INTERVAL`], an hour): the first evaluation writes one, later
    /// ones report what it showed until the interval has passed. Zero writes one every time.
    pub fn canary_interval(mut self, interval: Duration) -> Self {
        self.canary_interval = interval;
        self
    }

    /// The pipeline.
    pub fn build(self) -> LogPipeline {
        let (inner, target) = self
            .writer
            .unwrap_or_else(|| (BoxMakeWriter::new(io::stdout), LogTarget::Stdout));
        LogPipeline {
            shared: Arc::new(Shared {
                inner,
                redactor: self.redactor,
                json: self.json,
                target,
                dispatch: Mutex::new(None),
                captures: Mutex::new(Vec::new()),
                canary_interval: self.canary_interval,
                last_canary: Mutex::new(None),
            }),
        }
    }
}

/// Why an event could not be written through the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The layer was never part of a subscriber that was installed.
    #[error("the pipeline's layer is not in any installed subscriber")]
    NotInstalled,
    /// The subscriber it was installed in has been dropped.
    #[error("the subscriber the pipeline was installed in has been dropped")]
    Dropped,
}

impl LogPipeline {
    /// A pipeline writing JSON lines (one object per event).
    pub fn json() -> LogPipelineBuilder {
        LogPipelineBuilder {
            json: true,
            writer: None,
            redactor: Redactor::new(),
            canary_interval: DEFAULT_CANARY_INTERVAL,
        }
    }

    /// A pipeline writing human-readable text lines.
    pub fn text() -> LogPipelineBuilder {
        LogPipelineBuilder {
            json: false,
            ..Self::json()
        }
    }

    /// The fmt layer (JSON or text, no ANSI colours) writing through the masking writer, with a
    /// marker that records the subscriber it is installed in.
    pub fn layer<S>(&self) -> Box<dyn Layer<S> + Send + Sync + 'static>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let fmt = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(self.make_writer());
        if self.shared.json {
            fmt.json().and_then(self.marker_layer()).boxed()
        } else {
            fmt.and_then(self.marker_layer()).boxed()
        }
    }

    /// The masking writer alone, for a fmt layer configured by the service; install
    /// [`LogPipeline::marker_layer`] next to it.
    pub fn make_writer(&self) -> RedactingWriter {
        RedactingWriter {
            shared: self.shared.clone(),
        }
    }

    /// The layer that records the subscriber the pipeline is installed in (part of
    /// [`LogPipeline::layer`]).
    pub fn marker_layer(&self) -> MarkerLayer {
        MarkerLayer {
            shared: self.shared.clone(),
        }
    }

    /// The values it masks; register the service's secrets here.
    pub fn redactor(&self) -> &Redactor {
        &self.shared.redactor
    }

    /// Whether it was built to write JSON.
    pub fn is_json(&self) -> bool {
        self.shared.json
    }

    /// Where its lines go.
    pub fn target(&self) -> &LogTarget {
        &self.shared.target
    }

    /// Whether its layer is in a subscriber that is still alive.
    pub fn is_installed(&self) -> bool {
        self.dispatch().is_ok()
    }

    /// How often, at most, the checks write their canary.
    pub fn canary_interval(&self) -> Duration {
        self.shared.canary_interval
    }

    pub(crate) fn ensure_installed(&self) -> Result<(), PipelineError> {
        self.dispatch().map(drop)
    }

    pub(crate) fn last_canary(&self) -> std::sync::MutexGuard<'_, Option<CanaryRun>> {
        lock(&self.shared.last_canary)
    }

    fn dispatch(&self) -> Result<Dispatch, PipelineError> {
        match &*lock(&self.shared.dispatch) {
            None => Err(PipelineError::NotInstalled),
            Some(weak) => weak.upgrade().ok_or(PipelineError::Dropped),
        }
    }

    /// Writes one INFO event with target [`CANARY_TARGET`] and the field
    /// `prodready_self_check=true` through the subscriber the pipeline is installed in, masking
    /// `secret` for that moment (and mentioning it in the message); returns what the pipeline
    /// wrote for it, after masking. Empty when a filter dropped it.
    ///
    /// The checks call it at the pipeline's [canary interval](LogPipelineBuilder::canary_interval),
    /// not on every evaluation.
    pub fn write_canary(&self, secret: Option<&SecretString>) -> Result<String, PipelineError> {
        let dispatch = self.dispatch()?;
        let _registration = secret.and_then(|s| self.shared.redactor.register_temporarily(s));
        let me = std::thread::current().id();
        lock(&self.shared.captures).push((me, Vec::new()));
        tracing::dispatcher::with_default(&dispatch, || match secret {
            Some(s) => {
                let value = secrecy::ExposeSecret::expose_secret(s);
                tracing::info!(target: CANARY_TARGET, prodready_self_check = true, canary = value, "prodready log canary {value}");
            }
            None => {
                tracing::info!(target: CANARY_TARGET, prodready_self_check = true, "prodready log probe")
            }
        });
        let mut captures = lock(&self.shared.captures);
        let taken = captures
            .iter()
            .position(|(id, _)| *id == me)
            .map(|i| captures.swap_remove(i).1)
            .unwrap_or_default();
        Ok(String::from_utf8_lossy(&taken).into_owned())
    }
}

impl fmt::Debug for LogPipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogPipeline")
            .field("json", &self.shared.json)
            .field("target", &self.shared.target)
            .field("installed", &self.is_installed())
            .field("redactor", &self.shared.redactor)
            .finish()
    }
}

/// Records the subscriber a [`LogPipeline`] is installed in; does nothing else.
pub struct MarkerLayer {
    shared: Arc<Shared>,
}

impl<S: Subscriber> Layer<S> for MarkerLayer {
    fn on_register_dispatch(&self, subscriber: &Dispatch) {
        // Weak: the subscriber owns this layer, a strong handle would keep it alive forever.
        *lock(&self.shared.dispatch) = Some(subscriber.downgrade());
    }
}

/// A [`MakeWriter`] that masks each event's bytes before handing them to the real writer.
pub struct RedactingWriter {
    shared: Arc<Shared>,
}

impl<'a> MakeWriter<'a> for RedactingWriter {
    type Writer = RedactingGuard<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingGuard {
            shared: &self.shared,
            buf: Vec::new(),
        }
    }
}

/// Buffers one event's output; masks and forwards whole lines on flush and on drop, so a
/// secret split across `write` calls is still seen whole.
pub struct RedactingGuard<'a> {
    shared: &'a Shared,
    buf: Vec<u8>,
}

impl RedactingGuard<'_> {
    fn forward(&mut self, upto: usize) -> io::Result<()> {
        if upto == 0 {
            return Ok(());
        }
        let chunk: Vec<u8> = self.buf.drain(..upto).collect();
        let masked = self.shared.redactor.mask(&String::from_utf8_lossy(&chunk));
        let me = std::thread::current().id();
        if let Some((_, captured)) = lock(&self.shared.captures)
            .iter_mut()
            .find(|(id, _)| *id == me)
        {
            captured.extend_from_slice(masked.as_bytes());
        }
        let mut out = self.shared.inner.make_writer();
        out.write_all(masked.as_bytes())?;
        out.flush()
    }
}

impl Write for RedactingGuard<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let upto = self
            .buf
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        self.forward(upto)
    }
}

impl Drop for RedactingGuard<'_> {
    fn drop(&mut self) {
        let all = self.buf.len();
        // Nowhere to report a failed log write from inside the logger.
        let _ = self.forward(all);
    }
}

impl LogPipeline {
    /// A subscriber with just this pipeline's layer, for tests and small programs:
    /// `tracing::subscriber::with_default(logs.subscriber(), || …)`.
    pub fn subscriber(&self) -> impl Subscriber + Send + Sync + 'static {
        tracing_subscriber::registry().with(self.layer())
    }
}
