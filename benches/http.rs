//! The library's answers against a static axum handler, in the same run.
//!
//! `cargo bench --all-features --bench http`. Each group pairs a library endpoint with a static
//! axum endpoint answering the same bytes, so the ratio of the two is what the library costs:
//!
//! - in process, through the router (`tower::ServiceExt::oneshot`): `/readyz` vs `ok`; the whole
//!   JSON report (render cache hit, miss, `304 Not Modified`, gzip) vs a static body of the same
//!   bytes;
//! - over loopback, one keep-alive connection of a hyper client: the same pairs.
//!
//! Before the groups it prints the `/readyz` latency percentiles measured while an evaluation
//! with a 2 s check runs (the probes never wait for it), and the render cache's size.
//! The figures of one run are in `benches/README.md`.

use axum::body::Body;
use axum::http::{header, Request};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use prodready::testing::FakeHost;
use prodready::{check_fn, standard, Checklist, Item, Outcome, Readiness};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn readiness(checklist: Checklist) -> Readiness {
    Readiness::builder()
        .checklist(checklist)
        .host(FakeHost::new())
        .registered_checks(false)
        .probe_ttl(Duration::from_secs(3600))
        .build()
        .expect("a valid checklist")
}

/// The standard checklist, evaluated: its JSON report is the body the static handler copies.
fn library(rt: &tokio::runtime::Runtime) -> (Readiness, Router, Bytes) {
    let r = readiness(standard::production_deployment());
    rt.block_on(r.evaluate());
    let app: Router = r.router();
    let json = rt.block_on(body_of(&app, request("/readiness-checklist", &[])));
    (r, app, json)
}

fn static_app(json: Bytes) -> Router {
    Router::new().route("/ok", get(|| async { "ok" })).route(
        "/body",
        get(move || {
            let body = json.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    )
}

fn request(uri: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    let mut req = Request::get(uri);
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    req.body(Body::empty()).expect("a request")
}

async fn body_of(app: &Router, req: Request<Body>) -> Bytes {
    let resp = app.clone().oneshot(req).await.expect("an answer");
    resp.into_body().collect().await.expect("a body").to_bytes()
}

/// A query string that parses as `format=json` but is a different cache key for each `n`.
fn variant(n: usize) -> String {
    format!("/readiness-checklist?format=json{}", "&".repeat(n + 1))
}

fn in_process(c: &mut Criterion) {
    let rt = runtime();
    let (r, app, json) = library(&rt);
    let statik = static_app(json.clone());
    let etag = rt.block_on(async {
        let resp = app
            .clone()
            .oneshot(request("/readiness-checklist", &[]))
            .await
            .expect("an answer");
        resp.headers()[header::ETAG]
            .to_str()
            .expect("a tag")
            .to_owned()
    });
    // Fill the cache to its bound: the variant past it is rendered per request (a cache miss).
    for n in 0..prodready::http::RENDER_CACHE_MAX_ENTRIES {
        rt.block_on(body_of(&app, request(&variant(n), &[])));
    }
    let miss = variant(1000);
    let stats = r.render_cache_stats();
    println!(
        "report JSON: {} bytes; render cache: {} answers, {} bytes (bound {} answers)",
        json.len(),
        stats.entries,
        stats.bytes,
        prodready::http::RENDER_CACHE_MAX_ENTRIES
    );

    let mut g = c.benchmark_group("in-process");
    let oneshot = |g: &mut criterion::BenchmarkGroup<'_, _>,
                   name: &str,
                   app: &Router,
                   uri: &str,
                   headers: &'static [(header::HeaderName, &'static str)]| {
        g.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(body_of(app, request(uri, headers)).await) })
        });
    };
    oneshot(&mut g, "static ok", &statik, "/ok", &[]);
    oneshot(&mut g, "/readyz", &app, "/readyz", &[]);
    oneshot(&mut g, "static body", &statik, "/body", &[]);
    oneshot(
        &mut g,
        "checklist JSON (cache hit)",
        &app,
        "/readiness-checklist",
        &[],
    );
    oneshot(&mut g, "checklist JSON (cache miss)", &app, &miss, &[]);
    g.bench_function("checklist JSON 304", |b| {
        b.to_async(&rt).iter(|| async {
            let req = request("/readiness-checklist", &[(header::IF_NONE_MATCH, &etag)]);
            black_box(body_of(&app, req).await)
        })
    });
    #[cfg(feature = "gzip")]
    oneshot(
        &mut g,
        "checklist JSON gzip (cache hit)",
        &app,
        "/readiness-checklist",
        &[(header::ACCEPT_ENCODING, "gzip")],
    );
    g.finish();
}

/// Serves `app` on a loopback port; its address.
async fn serve(app: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// One keep-alive HTTP/1 connection to `addr`.
async fn connect(addr: std::net::SocketAddr) -> hyper::client::conn::http1::SendRequest<Body> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("a connection");
    stream.set_nodelay(true).expect("nodelay");
    let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
        .await
        .expect("a handshake");
    tokio::spawn(conn);
    send
}

async fn fetch(
    send: &mut hyper::client::conn::http1::SendRequest<Body>,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (u16, Bytes) {
    send.ready().await.expect("ready");
    let resp = send
        .send_request(request(uri, headers))
        .await
        .expect("an answer");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.expect("a body").to_bytes();
    (status, body)
}

fn loopback(c: &mut Criterion) {
    let rt = runtime();
    let (_r, app, json) = library(&rt);
    let (lib, statik) = rt.block_on(async { (serve(app).await, serve(static_app(json)).await) });
    let mut g = c.benchmark_group("loopback");
    let pair = |g: &mut criterion::BenchmarkGroup<'_, _>,
                name: &str,
                addr: std::net::SocketAddr,
                uri: &'static str,
                headers: &'static [(header::HeaderName, &'static str)]| {
        let send = rt.block_on(connect(addr));
        let send = std::sync::Arc::new(tokio::sync::Mutex::new(send));
        g.bench_function(name, |b| {
            b.to_async(&rt).iter(|| {
                let send = send.clone();
                async move { black_box(fetch(&mut *send.lock().await, uri, headers).await) }
            })
        });
    };
    pair(&mut g, "static ok", statik, "/ok", &[]);
    pair(&mut g, "/readyz", lib, "/readyz", &[]);
    pair(&mut g, "static body", statik, "/body", &[]);
    pair(
        &mut g,
        "checklist JSON (cache hit)",
        lib,
        "/readiness-checklist",
        &[],
    );
    #[cfg(feature = "gzip")]
    pair(
        &mut g,
        "checklist JSON gzip (cache hit)",
        lib,
        "/readiness-checklist",
        &[(header::ACCEPT_ENCODING, "gzip")],
    );
    g.finish();
}

/// `/readyz` over loopback while an evaluation with a 2 s check runs: the percentiles.
fn probes_during_a_slow_evaluation() {
    let rt = runtime();
    let slow = Checklist::new("slow")
        .item(
            Item::new("S", None, "Slow dependency").check(check_fn(|_ctx| async {
                tokio::time::sleep(Duration::from_secs(2)).await;
                Outcome::pass("answered in 2 s")
            })),
        )
        .item(Item::new("S", None, "Fast").check(check_fn(|_ctx| async { Outcome::pass("ok") })));
    let r = readiness(slow);
    rt.block_on(async {
        r.evaluate().await;
        let addr = serve(r.router()).await;
        let mut send = connect(addr).await;
        // A fresh evaluation in the background: it takes 2 s.
        let refreshing = {
            let r = r.clone();
            tokio::spawn(async move { r.refresh().await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut latencies = Vec::new();
        let until = Instant::now() + Duration::from_millis(1800);
        while Instant::now() < until {
            let t = Instant::now();
            let (status, body) = fetch(&mut send, "/readyz", &[]).await;
            latencies.push(t.elapsed());
            assert_eq!((status, &body[..]), (200, &b"ok"[..]));
        }
        assert!(!refreshing.is_finished(), "the evaluation ran throughout");
        refreshing.await.expect("the evaluation");
        latencies.sort();
        let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        println!(
            "/readyz during a 2 s evaluation: {} requests, p50 {:?}, p99 {:?}, max {:?} (goal: p99 <= 1 ms)",
            latencies.len(),
            at(0.5),
            at(0.99),
            latencies[latencies.len() - 1]
        );
    });
}

fn slow_evaluation(_c: &mut Criterion) {
    probes_during_a_slow_evaluation();
}

// criterion_group! defines an undocumented pub fn.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, slow_evaluation, in_process, loopback);
}
criterion_main!(group::benches);
