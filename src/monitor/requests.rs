//! The request monitor: a `tower` layer recording, per route and overall, request counts, error
//! ratio and latency percentiles over sliding windows, in fixed memory.

use super::histogram::{micros, Counts, Window};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
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

/// One tracked route: its name (the matched route pattern, or the path) and its window.
struct RouteSlot {
    name: Box<str>,
    window: Window,
}

struct Shared {
    started: Instant,
    slot: Duration,
    slots: usize,
    count_4xx: bool,
    /// The tracked routes (every request is in exactly one of them or in `other`: the overall
    /// figures are their sum, so a request updates one window), filled in order; `len` of them are set. Looked up without a lock.
    routes: Box<[OnceLock<RouteSlot>]>,
    len: AtomicUsize,
    /// Requests beyond the route cap.
    other: OnceLock<Window>,
    /// Held only while a new route is added.
    adding: Mutex<()>,
}

impl Shared {
    fn window(&self) -> Window {
        Window::new(self.started, self.slot, self.slots)
    }

    fn tracked(&self) -> impl Iterator<Item = &RouteSlot> {
        let len = self.len.load(Ordering::Acquire);
        self.routes[..len].iter().filter_map(OnceLock::get)
    }

    /// The route `name` is counted under: a tracked route, a new one while there is room, else
    /// [`OTHER_ROUTES`].
    fn route_index(&self, name: &str) -> RouteIndex {
        if let Some(i) = self.tracked().position(|r| &*r.name == name) {
            return RouteIndex::Tracked(i);
        }
        let _adding = self.adding.lock().unwrap_or_else(|p| p.into_inner());
        let len = self.len.load(Ordering::Acquire);
        if let Some(i) = self.tracked().position(|r| &*r.name == name) {
            return RouteIndex::Tracked(i);
        }
        if len >= self.routes.len() {
            return RouteIndex::Other;
        }
        let _ = self.routes[len].set(RouteSlot {
            name: name.into(),
            window: self.window(),
        });
        self.len.store(len + 1, Ordering::Release);
        RouteIndex::Tracked(len)
    }

    /// Microseconds since the monitor started: every window starts then.
    fn now_us(&self) -> u64 {
        micros(Instant::now().saturating_duration_since(self.started))
    }

    fn record(&self, route: RouteIndex, at_us: u64, status: u16, us: u64) {
        match route {
            RouteIndex::Tracked(i) => {
                if let Some(r) = self.routes[i].get() {
                    r.window.record_at(at_us, status, us);
                }
            }
            RouteIndex::Other => self
                .other
                .get_or_init(|| self.window())
                .record_at(at_us, status, us),
        }
    }

    /// Every route together over `window`.
    fn overall(&self, now: Instant, window: Option<Duration>) -> Counts {
        let mut out = Counts::default();
        for r in self.tracked() {
            r.window.sum_into(now, window, &mut out);
        }
        if let Some(other) = self.other.get() {
            other.sum_into(now, window, &mut out);
        }
        out
    }

    fn find(&self, route: &str) -> Option<&Window> {
        if route == OTHER_ROUTES {
            if let Some(w) = self.other.get() {
                return Some(w);
            }
        }
        self.tracked()
            .find(|r| &*r.name == route)
            .map(|r| &r.window)
    }
}

#[derive(Debug, Clone, Copy)]
enum RouteIndex {
    Tracked(usize),
    Other,
}

fn slots(max_routes: usize) -> Box<[OnceLock<RouteSlot>]> {
    (0..max_routes).map(|_| OnceLock::new()).collect()
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
                count_4xx: false,
                routes: self::slots(32),
                len: AtomicUsize::new(0),
                other: OnceLock::new(),
                adding: Mutex::new(()),
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
            if s.len.load(Ordering::Acquire) == 0 {
                s.routes = slots(max);
            }
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

    /// Records one answered request under `route` (a route pattern such as `/orders/{id}`).
    pub fn record(&self, route: &str, status: u16, latency: Duration) {
        let index = self.shared.route_index(route);
        let now = self.shared.now_us();
        self.shared.record(index, now, status, micros(latency));
    }

    /// Overall figures over the last `window` (`None`: since the monitor started).
    pub fn overall(&self, window: Option<Duration>) -> RequestStats {
        let counts = self.shared.overall(Instant::now(), window);
        self.stats(&counts)
    }

    /// The overall latency histogram over the last `window` (`None`: since the start).
    #[cfg(feature = "prometheus")]
    pub(crate) fn latency(&self, window: Option<Duration>) -> super::histogram::Histogram {
        self.shared.overall(Instant::now(), window).latency
    }

    /// Figures of `route` over the last `window`; `None` for a route never seen.
    pub fn route(&self, route: &str, window: Option<Duration>) -> Option<RequestStats> {
        let mut counts = Counts::default();
        self.shared
            .find(route)?
            .sum_into(Instant::now(), window, &mut counts);
        Some(self.stats(&counts))
    }

    /// The routes seen, sorted.
    pub fn routes(&self) -> Vec<String> {
        let mut r: Vec<String> = self.shared.tracked().map(|r| r.name.to_string()).collect();
        if self.shared.other.get().is_some() {
            r.push(OTHER_ROUTES.to_owned());
        }
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

/// The route a request is counted under: the route pattern axum matched (`/orders/{id}`), or
/// the path when the layer sits outside a router that sets `axum::extract::MatchedPath`
/// (paths beyond `max_routes` then share one bucket, so ids in paths cannot grow memory). The
/// library's own endpoints are not counted: a 503 from `/readyz` is the readiness verdict, not an
/// error of the service, and probes would swamp the latency figures. Nor are the library's own
/// requests ([`SELF_CHECK_HEADER`]). Allocates nothing once the route is tracked.
fn route_of<B>(monitor: &Shared, req: &http::Request<B>) -> Option<RouteIndex> {
    const SELF_CHECK: http::HeaderName = http::HeaderName::from_static(SELF_CHECK_HEADER);
    if req.headers().contains_key(SELF_CHECK) {
        return None;
    }
    let path = req.uri().path();
    let own = matches!(path, "/livez" | "/readyz" | "/startupz" | "/metrics")
        || path == crate::http::CHECKLIST_PATH
        || path.starts_with("/readiness-checklist/");
    if own {
        return None;
    }
    #[cfg(feature = "axum")]
    if let Some(matched) = req.extensions().get::<axum::extract::MatchedPath>() {
        return Some(monitor.route_index(matched.as_str()));
    }
    Some(monitor.route_index(path))
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
        let route = route_of(&self.monitor.shared, &req);
        MonitoredFuture {
            inner: self.inner.call(req),
            monitor: self.monitor.clone(),
            route,
            started: self.monitor.shared.now_us(),
        }
    }
}

pin_project! {
    /// The response future of a [`RequestMonitorService`]: records the request when it completes.
    pub struct MonitoredFuture<F> {
        #[pin]
        inner: F,
        monitor: RequestMonitor,
        route: Option<RouteIndex>,
        // Microseconds since the monitor started, when the request came.
        started: u64,
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
        if let Some(route) = *this.route {
            let now = this.monitor.shared.now_us();
            let us = now.saturating_sub(*this.started);
            this.monitor.shared.record(route, now, status, us);
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
