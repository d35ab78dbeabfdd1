//! The request monitor: a `tower` layer recording, per route and overall, request counts, error
//! ratio and latency percentiles over sliding windows, in fixed memory.

use super::histogram::{Counts, Window};
use pin_project_lite::pin_project;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::time::Instant;

/// The route name requests beyond [`RequestMonitor::max_routes`] are counted under.
pub const OTHER_ROUTES: &str = "(other)";

/// The header the library's own requests to the service carry (smoke and critical-path requests,
/// "Service accessible", "Prometheus metrics exposed"): the request monitor leaves a request with
/// it out of every figure, so synthetic traffic never fills a window or passes a threshold.
pub const SELF_CHECK_HEADER: &str = "x-prodready-self-check";

/// The `User-Agent` of the library's own requests, so they are recognisable in access logs too.
pub const SELF_CHECK_USER_AGENT: &str =
    concat!("prodready/", env!("CARGO_PKG_VERSION"), " (self-check)");

/// What a [`RequestMonitor`] measured over a window.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct RequestStats {
    /// Requests answered.
    pub requests: u64,
    /// Responses with a 5xx status (or an error from the inner service).
    pub server_errors: u64,
    /// Responses with a 4xx status.
    pub client_errors: u64,
    /// The errors that count (5xx, plus 4xx when the monitor counts them) over all requests.
    pub error_ratio: f64,
    /// Median latency, in milliseconds.
    pub p50_ms: Option<f64>,
    /// 90th percentile latency, in milliseconds.
    pub p90_ms: Option<f64>,
    /// 99th percentile latency, in milliseconds.
    pub p99_ms: Option<f64>,
}

struct Routes {
    overall: Window,
    by_route: HashMap<String, Window>,
}

struct Shared {
    started: Instant,
    slot: Duration,
    slots: usize,
    max_routes: usize,
    count_4xx: bool,
    routes: Mutex<Routes>,
}

/// Per-route and overall request figures over sliding windows. Cheap to clone; clones share
/// the figures. Give a clone to the readiness builder (`.resource(monitor.clone())`) so the
/// monitor items read it, and install [`RequestMonitor::layer`] on the service's router.
///
/// Memory is fixed: `slots` histograms of about 1 KiB per route, at most `max_routes` routes
/// (further routes are counted under [`OTHER_ROUTES`]).
#[derive(Clone)]
pub struct RequestMonitor {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for RequestMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestMonitor")
            .field("window", &(self.shared.slot * self.shared.slots as u32))
            .finish_non_exhaustive()
    }
}

impl Default for RequestMonitor {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestMonitor {
    /// A monitor keeping 5 minutes in 10-second slots, at most 32 routes, counting 5xx as errors.
    pub fn new() -> Self {
        Self::with_window(Duration::from_secs(10), 30)
    }

    /// A monitor keeping `slots` slots of `slot` each (the longest window it can answer).
    pub fn with_window(slot: Duration, slots: usize) -> Self {
        let slot = slot.max(Duration::from_millis(1));
        let started = Instant::now();
        Self {
            shared: Arc::new(Shared {
                started,
                slot,
                slots: slots.max(1),
                max_routes: 32,
                count_4xx: false,
                routes: Mutex::new(Routes {
                    overall: Window::new(started, slot, slots),
                    by_route: HashMap::new(),
                }),
            }),
        }
    }

    /// Counts 4xx responses as errors too. Call before cloning the monitor.
    pub fn count_client_errors(mut self, count: bool) -> Self {
        if let Some(s) = Arc::get_mut(&mut self.shared) {
            s.count_4xx = count;
        }
        self
    }

    /// The most routes tracked one by one (default 32). Call before cloning the monitor.
    pub fn max_routes(mut self, max: usize) -> Self {
        if let Some(s) = Arc::get_mut(&mut self.shared) {
            s.max_routes = max;
        }
        self
    }

    /// The tower layer that records into this monitor.
    pub fn layer(&self) -> RequestMonitorLayer {
        RequestMonitorLayer {
            monitor: self.clone(),
        }
    }

    /// How long the monitor has been recording (the "since deployment" window).
    pub fn uptime(&self) -> Duration {
        self.shared.started.elapsed()
    }

    /// The longest sliding window the monitor can answer.
    pub fn window_capacity(&self) -> Duration {
        self.shared.slot * self.shared.slots as u32
    }

    fn lock(&self) -> MutexGuard<'_, Routes> {
        self.shared.routes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one answered request.
    pub fn record(&self, route: &str, status: u16, latency: Duration) {
        let now = Instant::now();
        let us = latency.as_micros().min(u128::from(u64::MAX)) as u64;
        let shared = &self.shared;
        let mut routes = self.lock();
        routes.overall.record(now, status, us);
        if let Some(w) = routes.by_route.get_mut(route) {
            w.record(now, status, us);
            return;
        }
        let key = if routes.by_route.len() < shared.max_routes {
            route
        } else {
            OTHER_ROUTES
        };
        routes
            .by_route
            .entry(key.to_owned())
            .or_insert_with(|| Window::new(shared.started, shared.slot, shared.slots))
            .record(now, status, us);
    }

    /// Overall figures over the last `window` (`None`: since the monitor started).
    pub fn overall(&self, window: Option<Duration>) -> RequestStats {
        let counts = self.lock().overall.sum(Instant::now(), window);
        self.stats(&counts)
    }

    /// The overall latency histogram over the last `window` (`None`: since the start).
    #[cfg(feature = "prometheus")]
    pub(crate) fn latency(&self, window: Option<Duration>) -> super::histogram::Histogram {
        self.lock().overall.sum(Instant::now(), window).latency
    }

    /// Figures of `route` over the last `window`; `None` for a route never seen.
    pub fn route(&self, route: &str, window: Option<Duration>) -> Option<RequestStats> {
        let counts = self.lock().by_route.get(route)?.sum(Instant::now(), window);
        Some(self.stats(&counts))
    }

    /// The routes seen, sorted.
    pub fn routes(&self) -> Vec<String> {
        let mut r: Vec<String> = self.lock().by_route.keys().cloned().collect();
        r.sort();
        r
    }

    fn stats(&self, c: &Counts) -> RequestStats {
        let errors = c.server_errors
            + if self.shared.count_4xx {
                c.client_errors
            } else {
                0
            };
        let ms = |q| c.latency.quantile_us(q).map(|us| us as f64 / 1000.0);
        RequestStats {
            requests: c.requests,
            server_errors: c.server_errors,
            client_errors: c.client_errors,
            error_ratio: if c.requests == 0 {
                0.0
            } else {
                errors as f64 / c.requests as f64
            },
            p50_ms: ms(0.5),
            p90_ms: ms(0.9),
            p99_ms: ms(0.99),
        }
    }
}

/// The tower layer of a [`RequestMonitor`].
#[derive(Clone, Debug)]
pub struct RequestMonitorLayer {
    monitor: RequestMonitor,
}

impl<S> tower_layer::Layer<S> for RequestMonitorLayer {
    type Service = RequestMonitorService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMonitorService {
            inner,
            monitor: self.monitor.clone(),
        }
    }
}

/// The service a [`RequestMonitorLayer`] wraps around the application.
#[derive(Clone, Debug)]
pub struct RequestMonitorService<S> {
    inner: S,
    monitor: RequestMonitor,
}

/// The route a request is counted under: its path. Paths beyond `max_routes` share one bucket,
/// so ids in paths cannot grow memory. The library's own endpoints are not counted: a 503 from
/// `/readyz` is the readiness verdict, not an error of the service, and probes would swamp the
/// latency figures. Nor are the library's own requests ([`SELF_CHECK_HEADER`]).
fn route_of<B>(req: &http::Request<B>) -> Option<String> {
    if req.headers().contains_key(SELF_CHECK_HEADER) {
        return None;
    }
    let path = req.uri().path();
    let own = matches!(path, "/livez" | "/readyz" | "/startupz" | "/metrics")
        || path == crate::http::CHECKLIST_PATH
        || path.starts_with("/readiness-checklist/");
    (!own).then(|| path.to_owned())
}

impl<S, B, RB> tower_service::Service<http::Request<B>> for RequestMonitorService<S>
where
    S: tower_service::Service<http::Request<B>, Response = http::Response<RB>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = MonitoredFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let route = route_of(&req);
        MonitoredFuture {
            inner: self.inner.call(req),
            monitor: self.monitor.clone(),
            route,
            started: Instant::now(),
        }
    }
}

pin_project! {
    /// The response future of a [`RequestMonitorService`]: records the request when it completes.
    pub struct MonitoredFuture<F> {
        #[pin]
        inner: F,
        monitor: RequestMonitor,
        route: Option<String>,
        started: Instant,
    }
}

impl<F, RB, E> Future for MonitoredFuture<F>
where
    F: Future<Output = Result<http::Response<RB>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let out = std::task::ready!(this.inner.poll(cx));
        let status = match &out {
            Ok(resp) => resp.status().as_u16(),
            Err(_) => 500,
        };
        if let Some(route) = this.route.as_deref() {
            this.monitor.record(route, status, this.started.elapsed());
        }
        Poll::Ready(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn records_per_route_and_overall() {
        let m = RequestMonitor::with_window(Duration::from_secs(10), 6).max_routes(2);
        m.record("/a", 200, Duration::from_millis(10));
        m.record("/a", 503, Duration::from_millis(200));
        m.record("/b", 404, Duration::from_millis(1));
        m.record("/c", 200, Duration::from_millis(1));
        let all = m.overall(Some(Duration::from_secs(60)));
        assert_eq!(
            (all.requests, all.server_errors, all.client_errors),
            (4, 1, 1)
        );
        assert!((all.error_ratio - 0.25).abs() < 1e-9);
        assert_eq!(m.routes(), vec![OTHER_ROUTES, "/a", "/b"]);
        let a = m.route("/a", None).unwrap_or_default();
        assert_eq!(a.requests, 2);
        assert!(a.p99_ms.unwrap_or(0.0) >= 190.0);
        tokio::time::advance(Duration::from_secs(120)).await;
        assert_eq!(m.overall(Some(Duration::from_secs(60))).requests, 0);
        assert_eq!(m.overall(None).requests, 4);
        let with_4xx = RequestMonitor::new().count_client_errors(true);
        with_4xx.record("/x", 404, Duration::ZERO);
        assert_eq!(with_4xx.overall(None).error_ratio, 1.0);
    }
}
