//! The whole life of a service in one call: bind, mark starting, serve the probes, verify,
//! exit in strict mode, mark ready, and on SIGTERM or Ctrl-C drain then shut down, bounded.
//!
//! The server protects the probe port from slow clients: a header read timeout, a keep-alive
//! idle timeout and a cap on open connections, so a thousand half-open connections cannot hold
//! a file descriptor each for as long as they like, and shutdown after the drain period ends
//! within the grace period whatever the clients do.

use crate::host::Host;
use crate::{NotReady, Readiness};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Where the service listens (default given to [`Readiness::serve`]).
pub const LISTEN_ENV: &str = "PRODREADY_LISTEN";
/// A second listener serving the whole report to anyone who reaches it (a port kept off the
/// load balancer, like Spring's `management.server.port`).
pub const MANAGEMENT_LISTEN_ENV: &str = "PRODREADY_MANAGEMENT_LISTEN";
/// How long `/readyz` fails before the server stops accepting, on SIGTERM (default `5s`).
pub const DRAIN_ENV: &str = "PRODREADY_DRAIN_PERIOD";
/// How long in-flight requests may finish after the drain before connections are closed
/// (default `5s`).
pub const GRACE_ENV: &str = "PRODREADY_SHUTDOWN_GRACE";
/// The most connections held open at once (default 512).
pub const MAX_CONNECTIONS_ENV: &str = "PRODREADY_MAX_CONNECTIONS";

/// A setting of the server that is not valid; names the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}={value}: {problem}")]
pub struct SettingError {
    /// The environment variable.
    pub variable: &'static str,
    /// Its value.
    pub value: String,
    /// What is wrong, and what is expected.
    pub problem: String,
}

/// Why [`Readiness::serve`] ended with an error.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A setting is not valid.
    #[error(transparent)]
    Setting(#[from] SettingError),
    /// A listener could not be bound.
    #[error("cannot listen on {address} ({variable}): {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The variable it came from.
        variable: &'static str,
        /// The error.
        source: std::io::Error,
    },
    /// Strict mode: the startup or readiness gate failed, so the service exits before it serves
    /// traffic.
    #[error(transparent)]
    NotReady(#[from] NotReady),
}

impl std::fmt::Debug for ServeError {
    // A `main` returning this error prints it with `Debug`: the short summary, not the report.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// How the server runs. [`ServeOptions::from_env`] reads each setting from its variable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "options do nothing until they are passed to `serve`"]
pub struct ServeOptions {
    /// How long `/readyz` fails before the server stops accepting (default 5 s).
    pub drain: Duration,
    /// How long in-flight requests may finish after the drain (default 5 s).
    pub grace: Duration,
    /// How long a client may take to send a request's headers (default 5 s).
    pub header_read_timeout: Duration,
    /// How long a keep-alive connection may stay idle (default 30 s).
    pub idle_timeout: Duration,
    /// The most connections held open at once (default 512); more wait to be accepted.
    pub max_connections: usize,
    /// How often the report is refreshed in the background (default: the probe TTL's half, at
    /// least 1 s).
    pub refresh: Option<Duration>,
    /// The management listener: every caller sees the whole report there.
    pub management: Option<SocketAddr>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            drain: Duration::from_secs(5),
            grace: Duration::from_secs(5),
            header_read_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(30),
            max_connections: 512,
            refresh: None,
            management: None,
        }
    }
}

fn duration_var(
    host: &dyn Host,
    variable: &'static str,
    default: Duration,
) -> Result<Duration, SettingError> {
    match host.env(variable).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(value) => humantime::parse_duration(value.trim()).map_err(|e| SettingError {
            variable,
            problem: format!("not a duration ({e}): write e.g. `5s`, `500ms`, `1m`"),
            value,
        }),
    }
}

/// Reads a socket address from `variable` (or `default`), naming the variable when it is bad.
pub fn address_var(
    host: &dyn Host,
    variable: &'static str,
    default: Option<&str>,
) -> Result<Option<SocketAddr>, SettingError> {
    let value = match host.env(variable).filter(|v| !v.trim().is_empty()) {
        Some(v) => v,
        None => match default {
            Some(d) => d.to_owned(),
            None => return Ok(None),
        },
    };
    value.trim().parse().map(Some).map_err(|e| SettingError {
        variable,
        problem: format!("invalid socket address ({e}): write `host:port`, e.g. `0.0.0.0:8080`"),
        value,
    })
}

impl ServeOptions {
    /// The defaults, with each setting read from its variable on `host`
    /// ([`DRAIN_ENV`], [`GRACE_ENV`], [`MAX_CONNECTIONS_ENV`], [`MANAGEMENT_LISTEN_ENV`]).
    pub fn from_env(host: &dyn Host) -> Result<Self, SettingError> {
        let d = Self::default();
        let max_connections = match host
            .env(MAX_CONNECTIONS_ENV)
            .filter(|v| !v.trim().is_empty())
        {
            None => d.max_connections,
            Some(value) => match value.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(SettingError {
                        variable: MAX_CONNECTIONS_ENV,
                        value,
                        problem: "expected a whole number above 0".into(),
                    })
                }
            },
        };
        Ok(Self {
            drain: duration_var(host, DRAIN_ENV, d.drain)?,
            grace: duration_var(host, GRACE_ENV, d.grace)?,
            max_connections,
            management: address_var(host, MANAGEMENT_LISTEN_ENV, None)?,
            ..d
        })
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = term => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

#[cfg(feature = "axum")]
impl Readiness {
    /// Runs the service: binds `PRODREADY_LISTEN` (else `default_listen`), marks the service
    /// starting and serves `app` merged with the endpoints (so `/livez` and `/startupz` answer
    /// while it starts), verifies the startup (printing the report), and in strict mode returns
    /// [`ServeError::NotReady`] before it ever reports ready. Otherwise marks it ready, refreshes
    /// the report in the background, and on SIGTERM or Ctrl-C drains (`/readyz` fails first),
    /// then shuts down gracefully within the grace period. `PRODREADY_MANAGEMENT_LISTEN` adds a
    /// listener that shows every caller the whole report.
    ///
    /// ```no_run
    /// # async fn run(readiness: prodready::Readiness) -> Result<(), prodready::http::ServeError> {
    /// let app = axum::Router::new().route("/pay", axum::routing::post(|| async { "paid" }));
    /// readiness.serve(app, "0.0.0.0:8080").await
    /// # }
    /// ```
    pub async fn serve(&self, app: axum::Router, default_listen: &str) -> Result<(), ServeError> {
        let host = self.context().host();
        let options = ServeOptions::from_env(host)?;
        let address =
            address_var(host, LISTEN_ENV, Some(default_listen))?.ok_or_else(|| SettingError {
                variable: LISTEN_ENV,
                value: String::new(),
                problem: "no address".into(),
            })?;
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| ServeError::Bind {
                address,
                variable: LISTEN_ENV,
                source,
            })?;
        self.serve_with(listener, app, options, shutdown_signal())
            .await
    }

    /// [`Readiness::serve`] on a bound listener, with explicit options, until `shutdown`
    /// resolves (then drain and shut down).
    pub async fn serve_with(
        &self,
        listener: TcpListener,
        app: axum::Router,
        options: ServeOptions,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServeError> {
        let app = app.merge(self.router());
        let management = match options.management {
            Some(address) => {
                Some(
                    TcpListener::bind(address)
                        .await
                        .map_err(|source| ServeError::Bind {
                            address,
                            variable: MANAGEMENT_LISTEN_ENV,
                            source,
                        })?,
                )
            }
            None => None,
        };
        let management_app = self.management_router::<()>();
        let factory = move || hyper_util::service::TowerToHyperService::new(app.clone());
        let manage = move || hyper_util::service::TowerToHyperService::new(management_app.clone());
        self.lifecycle(
            listener,
            factory,
            management.map(|l| (l, manage)),
            options,
            shutdown,
        )
        .await
    }

    /// The endpoints with every caller authorized: for a listener of its own that the load
    /// balancer and the outside world cannot reach.
    pub fn management_router<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        self.router().layer(axum::Extension(super::Authorized))
    }
}

impl Readiness {
    /// The sequence every `serve` shares, for any hyper service.
    pub(crate) async fn lifecycle<F, S, M, T, B>(
        &self,
        listener: TcpListener,
        factory: F,
        management: Option<(TcpListener, M)>,
        options: ServeOptions,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServeError>
    where
        F: Fn() -> S + Send + Sync + 'static,
        S: hyper::service::Service<hyper::Request<Incoming>, Response = hyper::Response<B>>
            + Send
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        M: Fn() -> T + Send + Sync + 'static,
        T: hyper::service::Service<hyper::Request<Incoming>, Response = hyper::Response<B>>
            + Send
            + 'static,
        T::Future: Send + 'static,
        T::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        B: hyper::body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.set_availability(crate::engine::Availability::Starting);
        let (stop, stopped) = watch::channel(false);
        let mut servers = JoinSet::new();
        servers.spawn(accept_loop(
            listener,
            factory,
            options.clone(),
            stopped.clone(),
        ));
        if let Some((listener, manage)) = management {
            servers.spawn(accept_loop(
                listener,
                manage,
                options.clone(),
                stopped.clone(),
            ));
        }
        let close = |servers: JoinSet<()>| async move {
            let _ = stop.send(true);
            finish(servers, options.grace).await;
        };
        if let Err(not_ready) = self.verify_startup().await {
            close(servers).await;
            return Err(not_ready.into());
        }
        let refresh = options
            .refresh
            .unwrap_or_else(|| (self.inner_probe_ttl() / 2).max(Duration::from_secs(1)));
        let refresher = self.spawn_refresher(refresh);
        shutdown.await;
        tracing::info!(
            drain_ms = options.drain.as_millis() as u64,
            "shutting down: draining"
        );
        self.drain(options.drain).await;
        refresher.abort();
        close(servers).await;
        Ok(())
    }
}

/// Waits for the servers to end, at most `grace`; then aborts what is left.
async fn finish(mut servers: JoinSet<()>, grace: Duration) {
    let deadline = Instant::now() + grace + Duration::from_millis(100);
    while !servers.is_empty() {
        match tokio::time::timeout_at(deadline, servers.join_next()).await {
            Ok(_) => {}
            Err(_) => {
                servers.abort_all();
                while servers.join_next().await.is_some() {}
            }
        }
    }
}

/// Accepts connections until `stop`, at most `max_connections` at once; then asks each open
/// connection to finish gracefully and closes what is left after the grace period.
pub(crate) async fn accept_loop<F, S, B>(
    listener: TcpListener,
    factory: F,
    options: ServeOptions,
    mut stop: watch::Receiver<bool>,
) where
    F: Fn() -> S + Send + Sync + 'static,
    S: hyper::service::Service<hyper::Request<Incoming>, Response = hyper::Response<B>>
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let permits = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let mut connections = JoinSet::new();
    let mut last_complaint: Option<Instant> = None;
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stop.wait_for(|s| *s) => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => break,
        };
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
        let (stream, _) = match accepted {
            Ok(conn) => conn,
            Err(e) => {
                // Too many open files and the like: wait a little, say so at most once a second.
                if last_complaint.is_none_or(|t| t.elapsed() > Duration::from_secs(1)) {
                    tracing::warn!(error = %e, "accept failed; retrying");
                    last_complaint = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = factory();
        let stop = stop.clone();
        let options = options.clone();
        connections.spawn(async move {
            serve_connection(stream, service, &options, stop).await;
            drop(permit);
        });
    }
    drop(listener);
    // Connections were told to finish by `stop`; `finish` bounds how long they take.
    while connections.join_next().await.is_some() {}
}

async fn serve_connection<S, B>(
    stream: TcpStream,
    service: S,
    options: &ServeOptions,
    mut stop: watch::Receiver<bool>,
) where
    S: hyper::service::Service<hyper::Request<Incoming>, Response = hyper::Response<B>>
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let started = Instant::now();
    let activity = Arc::new(AtomicU64::new(0));
    let io = TokioIo::new(Watched {
        inner: stream,
        started,
        activity: activity.clone(),
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        let last = Duration::from_millis(activity.load(Ordering::Relaxed));
        let idle_at = started + last + options.idle_timeout;
        tokio::select! {
            _ = conn.as_mut() => break,
            _ = stop.wait_for(|s| *s), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = tokio::time::sleep_until(idle_at), if !closing => {
                let now = Duration::from_millis(activity.load(Ordering::Relaxed));
                if now == last {
                    // Idle for the whole timeout: close it (an in-flight answer still finishes).
                    closing = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// A stream that records when bytes last moved, for the idle timeout.
    struct Watched {
        #[pin]
        inner: TcpStream,
        started: Instant,
        activity: Arc<AtomicU64>,
    }
}

impl Watched {
    fn touch(started: Instant, activity: &AtomicU64) {
        activity.store(started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.project();
        let before = buf.filled().len();
        let out = this.inner.poll_read(cx, buf);
        if buf.filled().len() > before {
            Watched::touch(*this.started, this.activity);
        }
        out
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.project();
        let out = this.inner.poll_write(cx, data);
        if matches!(out, Poll::Ready(Ok(n)) if n > 0) {
            Watched::touch(*this.started, this.activity);
        }
        out
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeHost;

    #[test]
    fn bad_settings_name_their_variable() {
        let host = FakeHost::new().env(LISTEN_ENV, "not-an-address");
        let e = address_var(&host, LISTEN_ENV, Some("127.0.0.1:3000")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("PRODREADY_LISTEN=not-an-address: invalid socket address"),
            "{e}"
        );
        let host = FakeHost::new().env(DRAIN_ENV, "five seconds");
        let e = ServeOptions::from_env(&host).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("PRODREADY_DRAIN_PERIOD=five seconds: not a duration"),
            "{e}"
        );
        let host = FakeHost::new().env(MAX_CONNECTIONS_ENV, "0");
        assert_eq!(
            ServeOptions::from_env(&host).unwrap_err().variable,
            MAX_CONNECTIONS_ENV
        );
        let host = FakeHost::new()
            .env(DRAIN_ENV, "250ms")
            .env(GRACE_ENV, "1s")
            .env(MANAGEMENT_LISTEN_ENV, "127.0.0.1:9100");
        let o = ServeOptions::from_env(&host).unwrap();
        assert_eq!(o.drain, Duration::from_millis(250));
        assert_eq!(o.grace, Duration::from_secs(1));
        assert_eq!(o.management, Some("127.0.0.1:9100".parse().unwrap()));
        assert_eq!(
            address_var(&FakeHost::new(), LISTEN_ENV, Some("127.0.0.1:3000")).unwrap(),
            Some("127.0.0.1:3000".parse().unwrap())
        );
    }
}
