//! Evaluation and serving costs.
//!
//! `cargo bench --bench engine`. Targets: one evaluation of 1,000 no-op checks under 1 ms; a
//! probe answered from the cache in microseconds.

use criterion::{criterion_group, criterion_main, Criterion};
use prodready::http::{handle, Request};
use prodready::testing::FakeHost;
use prodready::{check_fn, standard, Checklist, Item, Outcome, Readiness};
use std::hint::black_box;
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn noop_checklist(n: usize) -> Checklist {
    (0..n).fold(Checklist::new("bench"), |c, i| {
        c.item(
            Item::new(
                "Bench",
                Some(&format!("Group {}", i / 50)),
                &format!("Check {i}"),
            )
            .check(check_fn(|_ctx| async { Outcome::pass("ok") })),
        )
    })
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

fn evaluation(c: &mut Criterion) {
    let rt = runtime();
    let noop = readiness(noop_checklist(1000));
    c.bench_function("evaluate 1000 no-op checks", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(noop.evaluate_fresh().await) })
    });
    let std = readiness(standard::production_deployment());
    c.bench_function("evaluate the standard checklist (104 items)", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(std.evaluate_fresh().await) })
    });
}

fn serving(c: &mut Criterion) {
    let rt = runtime();
    let r = readiness(standard::production_deployment());
    rt.block_on(r.evaluate());
    c.bench_function("cached report", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(r.evaluate().await) })
    });
    let get = |path: &'static str, query: Option<&'static str>| Request {
        method: "GET",
        path,
        query,
        accept: None,
        user_agent: Some("kube-probe/1.30"),
        authorization: None,
        headers: None,
        authorized: false,
    };
    c.bench_function("GET /readyz from cache", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(handle(&r, get("/readyz", None)).await) })
    });
    c.bench_function(
        "GET /readiness-checklist (json, 104 items) from cache",
        |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(handle(&r, get("/readiness-checklist", None)).await) })
        },
    );
    // The same probe while an evaluation with a 2 s check runs behind it: the answer comes
    // from the latest report, so the figure stays that of the cache.
    let slow = Readiness::builder()
        .checklist(
            standard::production_deployment().item(
                Item::new("Bench", None, "Slow dependency")
                    .ttl(Duration::from_millis(1))
                    .check(check_fn(|_ctx| async {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        Outcome::pass("slow")
                    })),
            ),
        )
        .host(FakeHost::new())
        .registered_checks(false)
        .build()
        .expect("a valid checklist");
    rt.block_on(slow.evaluate());
    c.bench_function("GET /readyz during a slow evaluation", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(handle(&slow, get("/readyz", None)).await) })
    });
    c.bench_function("GET /readiness-checklist?format=text from cache", |b| {
        b.to_async(&rt).iter(|| async {
            black_box(handle(&r, get("/readiness-checklist", Some("format=text"))).await)
        })
    });
}

// criterion_group! defines an undocumented pub fn.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, evaluation, serving);
}
criterion_main!(group::benches);
