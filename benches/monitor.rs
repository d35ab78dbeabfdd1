//! The request monitor's cost per request and its memory bound.
//!
//! `cargo bench --bench monitor`. Measured on the CI container (2 cores, shared with builds):
//! bare service 209 ns, with the layer 453 ns (≈ 245 ns per request: two clock reads, the route
//! lookup, two atomic adds; no `String`, no lock); through an axum router 1.24 µs bare, 1.62 µs
//! with the layer (grouped by the matched pattern `/orders/{id}`); `record` 78 ns; 10k distinct
//! paths 136 ns; p99 over 5 minutes 375 ns (see `benches/README.md`). Memory per tracked
//! route is fixed at about 35 KiB (31 histograms of 272 `u32`), at most 33 routes (the overall figures are their sum). Compares a `tower` service with and without
//! [`RequestMonitor::layer`], and `RequestMonitor::record` alone (one route, then 10,000
//! distinct paths, which the route cap folds into a bounded set).

use criterion::{criterion_group, criterion_main, Criterion};
use prodready::monitor::RequestMonitor;
use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;
use tower::{service_fn, Layer, Service, ServiceExt};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

async fn ok(_req: http::Request<()>) -> Result<http::Response<()>, Infallible> {
    Ok(http::Response::new(()))
}

fn request() -> http::Request<()> {
    http::Request::get("/users/42").body(()).expect("a request")
}

fn layer_overhead(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("request");
    group.bench_function("bare service", |b| {
        let mut svc = service_fn(ok);
        b.to_async(&rt).iter(|| {
            let fut = svc.call(request());
            async move { black_box(fut.await) }
        })
    });
    group.bench_function("with RequestMonitor layer", |b| {
        let monitor = RequestMonitor::new();
        let mut svc = monitor.layer().layer(service_fn(ok));
        b.to_async(&rt).iter(|| {
            let fut = svc.call(request());
            async move { black_box(fut.await) }
        })
    });
    group.bench_function("layer via oneshot", |b| {
        let monitor = RequestMonitor::new();
        let svc = monitor.layer().layer(service_fn(ok));
        b.to_async(&rt).iter(|| svc.clone().oneshot(request()))
    });
    group.finish();
}

/// Through an axum router with a route pattern, as a service installs it: the layer records
/// under the matched pattern (`/orders/{id}`), whatever the id.
fn router_overhead(c: &mut Criterion) {
    let rt = runtime();
    let app = || axum::Router::new().route("/orders/{id}", axum::routing::get(|| async { "{}" }));
    let req = || {
        http::Request::get("/orders/42")
            .body(axum::body::Body::empty())
            .expect("a request")
    };
    let mut group = c.benchmark_group("router");
    let bare: axum::Router = app();
    group.bench_function("bare router", |b| {
        b.to_async(&rt).iter(|| bare.clone().oneshot(req()))
    });
    let monitor = RequestMonitor::new();
    let layered: axum::Router = app().layer(monitor.layer());
    group.bench_function("router with RequestMonitor layer", |b| {
        b.to_async(&rt).iter(|| layered.clone().oneshot(req()))
    });
    group.finish();
    assert_eq!(monitor.routes(), vec!["/orders/{id}"]);
}

fn record(c: &mut Criterion) {
    let monitor = RequestMonitor::new();
    c.bench_function("record one route", |b| {
        b.iter(|| monitor.record(black_box("/pay"), 200, Duration::from_micros(1234)))
    });
    let many = RequestMonitor::new();
    let paths: Vec<String> = (0..10_000).map(|i| format!("/users/{i}")).collect();
    let mut i = 0;
    c.bench_function("record 10k distinct paths (capped routes)", |b| {
        b.iter(|| {
            i = (i + 1) % paths.len();
            many.record(&paths[i], 200, Duration::from_micros(1234))
        })
    });
    // The memory bound: the route table never grows past the cap, whatever the request count.
    assert!(many.routes().len() <= 33, "{} routes", many.routes().len());
    c.bench_function("p99 over 5 minutes", |b| {
        b.iter(|| black_box(monitor.overall(Some(Duration::from_secs(300))).p99_ms))
    });
}

// criterion_group! defines an undocumented pub fn.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, layer_overhead, router_overhead, record);
}
criterion_main!(group::benches);
