//! Tests against real servers (PostgreSQL, MariaDB) and through the TCP fault proxy. Each test
//! that needs a server is `#[ignore]`d with the server it needs, so `cargo test --workspace`
//! passes without them; run them with
//! `cargo test --all-features --test services -- --include-ignored`.

#[cfg(all(
    feature = "redis",
    feature = "amqp",
    feature = "nats",
    feature = "mqtt"
))]
mod brokers;
#[cfg(feature = "postgres")]
mod fault;
#[cfg(feature = "http-client")]
mod http;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
mod support;
