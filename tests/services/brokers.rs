//! Caches and brokers against the real servers: Redis :6379, RabbitMQ :5672 (guest/guest),
//! NATS :4222 with JetStream, Mosquitto :1883; and a TCP dependency.

use crate::support::{closed_port, run, scratch_name};
use prodready::checks::dependencies::{
    caching_configured, external_services_connected, CacheKeys, Dependency, DependencySpec,
};
use prodready::Status;
use std::time::Duration;

fn spec(deps: Vec<Dependency>) -> DependencySpec {
    deps.into_iter().fold(
        DependencySpec::new().timeout(Duration::from_secs(5)),
        |s, d| s.dependency(d),
    )
}

#[tokio::test]
#[ignore = "needs Redis on 127.0.0.1:6379, RabbitMQ on :5672, NATS on :4222, Mosquitto on :1883"]
async fn every_declared_dependency_answers_with_its_own_protocol() {
    let s = spec(vec![
        Dependency::tcp("postgres-port", "127.0.0.1:5432"),
        Dependency::redis("cache", "redis://127.0.0.1:6379"),
        Dependency::amqp("queue", "amqp://guest:guest@127.0.0.1:5672/%2f"),
        Dependency::nats("events", "nats://127.0.0.1:4222", true),
        Dependency::mqtt("telemetry", "127.0.0.1", 1883),
    ]);
    let item = run(external_services_connected(), |b| b.resource(s)).await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    let deps = &item.details["dependencies"];
    for name in ["postgres-port", "cache", "queue", "events", "telemetry"] {
        assert_eq!(deps[name]["ok"], true, "{name}: {deps}");
    }
    assert_eq!(deps["queue"]["target"], "amqp://127.0.0.1:5672");
}

#[tokio::test]
#[ignore = "needs RabbitMQ on 127.0.0.1:5672"]
async fn a_wrong_amqp_password_and_a_closed_port_fail_by_name() {
    let down = closed_port();
    let s = spec(vec![
        Dependency::amqp("queue", "amqp://guest:wr0ng-pw@127.0.0.1:5672/%2f"),
        Dependency::tcp("gone", format!("127.0.0.1:{down}")),
        Dependency::redis("cache-down", format!("redis://127.0.0.1:{down}")),
        Dependency::nats("events-down", format!("nats://127.0.0.1:{down}"), false),
        Dependency::mqtt("telemetry-down", "127.0.0.1", down),
    ]);
    let item = run(external_services_connected(), |b| b.resource(s)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(
        item.message.contains("5 of 5 dependencies failed"),
        "{}",
        item.message
    );
    let all = format!("{} {:?}", item.message, item.details);
    assert!(!all.contains("wr0ng-pw"), "{all}");
}

#[tokio::test]
async fn nothing_declared_is_a_warning_not_a_pass() {
    let item = run(external_services_connected(), |b| b).await;
    assert_eq!(item.status, Status::Warn, "{}", item.message);
}

#[tokio::test]
#[ignore = "needs Redis on 127.0.0.1:6379"]
async fn cache_keys_must_expire() {
    let client = redis::Client::open("redis://127.0.0.1:6379").unwrap_or_else(|e| panic!("{e}"));
    let mut con = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("needs Redis: {e}"));
    let prefix = scratch_name();
    let set = |key: String, ttl: Option<u64>| {
        let mut con = con.clone();
        async move {
            let mut cmd = redis::cmd("SET");
            cmd.arg(key).arg("v");
            if let Some(t) = ttl {
                cmd.arg("EX").arg(t);
            }
            cmd.query_async::<()>(&mut con)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
    };
    set(format!("{prefix}:a"), Some(60)).await;
    set(format!("{prefix}:b"), Some(60)).await;
    let pattern = format!("{prefix}:*");
    let c = client.clone();
    let p = pattern.clone();
    let item = run(caching_configured(), |b| {
        b.resource(c).resource(CacheKeys(p))
    })
    .await;
    assert_eq!(item.status, Status::Pass, "{}", item.message);
    assert_eq!(item.details["sampled_keys"], 2);

    set(format!("{prefix}:forever"), None).await;
    let c = client.clone();
    let item = run(caching_configured().key_pattern(pattern.clone()), |b| {
        b.resource(c)
    })
    .await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);
    assert!(item.message.contains("1 of 3"), "{}", item.message);

    let c = client.clone();
    let item = run(
        caching_configured().key_pattern(format!("{prefix}-none:*")),
        |b| b.resource(c),
    )
    .await;
    assert_eq!(item.status, Status::Warn, "{}", item.message);

    let down = redis::Client::open(format!("redis://127.0.0.1:{}", closed_port()))
        .unwrap_or_else(|e| panic!("{e}"));
    let item = run(caching_configured(), |b| b.resource(down)).await;
    assert_eq!(item.status, Status::Fail, "{}", item.message);

    for k in ["a", "b", "forever"] {
        let _ = redis::cmd("DEL")
            .arg(format!("{prefix}:{k}"))
            .query_async::<i64>(&mut con)
            .await;
    }
}

#[tokio::test]
async fn without_a_client_caching_warns_naming_the_builder_method() {
    let item = run(caching_configured(), |b| b).await;
    assert_eq!(item.status, Status::Warn, "{}", item.message);
    assert!(
        item.message.contains("`.redis(client)`"),
        "{}",
        item.message
    );
}
