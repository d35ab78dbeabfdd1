//! External services the service declares in a [`DependencySpec`]: each is reached with its own
//! protocol (TCP connect; Redis PING; AMQP connection and channel; NATS connect and flush, with
//! JetStream when required; MQTT CONNACK and a ping), concurrently, each within its timeout.

use crate::{Check, Context, Outcome};
use std::time::{Duration, Instant};

/// The external services a service depends on, given with `.resource(spec)`.
///
/// ```
/// use prodready::checks::dependencies::{Dependency, DependencySpec};
/// let spec = DependencySpec::new()
///     .dependency(Dependency::tcp("payments", "payments.internal:443"))
///     .timeout(std::time::Duration::from_secs(2));
/// # let _ = spec;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
#[must_use = "a spec does nothing until it is given to the readiness builder"]
pub struct DependencySpec {
    pub(crate) dependencies: Vec<Dependency>,
    pub(crate) timeout: Duration,
}

impl Default for DependencySpec {
    fn default() -> Self {
        Self::new()
    }
}

impl DependencySpec {
    /// No dependencies; a 3 s timeout each.
    pub fn new() -> Self {
        Self {
            dependencies: Vec::new(),
            timeout: Duration::from_secs(3),
        }
    }

    /// Adds a dependency.
    pub fn dependency(mut self, dependency: Dependency) -> Self {
        self.dependencies.push(dependency);
        self
    }

    /// How long each may take to answer (default 3 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// One external service and how to reach it. URLs may hold credentials: only the name and the
/// host are ever reported.
#[derive(Debug, Clone)]
#[must_use = "a dependency does nothing until it is added to a DependencySpec"]
pub struct Dependency {
    pub(crate) name: String,
    pub(crate) probe: Probe,
}

#[derive(Debug, Clone)]
pub(crate) enum Probe {
    Tcp(String),
    #[cfg(feature = "redis")]
    Redis(String),
    #[cfg(feature = "amqp")]
    Amqp(String),
    #[cfg(feature = "nats")]
    Nats {
        url: String,
        jetstream: bool,
    },
    #[cfg(feature = "mqtt")]
    Mqtt {
        host: String,
        port: u16,
    },
}

impl Dependency {
    /// A TCP connect to `addr` (`host:port`).
    pub fn tcp(name: impl Into<String>, addr: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            probe: Probe::Tcp(addr.into()),
        }
    }

    /// Redis `PING` (`redis://…`).
    #[cfg(feature = "redis")]
    pub fn redis(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            probe: Probe::Redis(url.into()),
        }
    }

    /// An AMQP connection and a channel opened on it (`amqp://user:pass@host:5672/%2f`).
    #[cfg(feature = "amqp")]
    pub fn amqp(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            probe: Probe::Amqp(url.into()),
        }
    }

    /// A NATS connect and flush (`nats://host:4222`); `jetstream` also requires JetStream.
    #[cfg(feature = "nats")]
    pub fn nats(name: impl Into<String>, url: impl Into<String>, jetstream: bool) -> Self {
        Self {
            name: name.into(),
            probe: Probe::Nats {
                url: url.into(),
                jetstream,
            },
        }
    }

    /// An MQTT connect (CONNACK accepted) and a PINGREQ answered.
    #[cfg(feature = "mqtt")]
    pub fn mqtt(name: impl Into<String>, host: impl Into<String>, port: u16) -> Self {
        Self {
            name: name.into(),
            probe: Probe::Mqtt {
                host: host.into(),
                port,
            },
        }
    }

    /// The dependency's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// `scheme://host:port` of a URL, without credentials, for messages.
#[allow(dead_code)]
fn where_of(url: &str) -> String {
    match crate::url::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}{}",
            u.scheme(),
            u.host_str().unwrap_or(""),
            u.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        Err(_) => "(unparsable URL)".to_string(),
    }
}

/// An error's text with the URL's password (if any) masked, in case a client echoes it.
#[allow(dead_code)]
fn redact(text: String, url: &str) -> String {
    match crate::url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_string))
    {
        Some(pw) if !pw.is_empty() => text.replace(&pw, "***"),
        _ => text,
    }
}

impl Probe {
    fn target(&self) -> String {
        match self {
            Probe::Tcp(a) => a.clone(),
            #[cfg(feature = "redis")]
            Probe::Redis(u) => where_of(u),
            #[cfg(feature = "amqp")]
            Probe::Amqp(u) => where_of(u),
            #[cfg(feature = "nats")]
            Probe::Nats { url, .. } => where_of(url),
            #[cfg(feature = "mqtt")]
            Probe::Mqtt { host, port } => format!("mqtt://{host}:{port}"),
        }
    }

    async fn reach(&self) -> Result<(), String> {
        match self {
            Probe::Tcp(addr) => tcp_connect(addr.clone()).await,
            #[cfg(feature = "redis")]
            Probe::Redis(url) => redis_ping(url).await.map_err(|e| redact(e, url)),
            #[cfg(feature = "amqp")]
            Probe::Amqp(url) => amqp_channel(url).await.map_err(|e| redact(e, url)),
            #[cfg(feature = "nats")]
            Probe::Nats { url, jetstream } => nats_flush(url, *jetstream)
                .await
                .map_err(|e| redact(e, url)),
            #[cfg(feature = "mqtt")]
            Probe::Mqtt { host, port } => mqtt_ping(host, *port).await,
        }
    }
}

async fn tcp_connect(addr: String) -> Result<(), String> {
    // std's connect on the blocking pool: tokio's `net` is not a base feature of this crate.
    let joined = tokio::task::spawn_blocking(move || {
        use std::net::ToSocketAddrs;
        let addrs: Vec<_> = addr
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve: {e}"))?
            .collect();
        let mut last = "no address".to_string();
        for a in addrs {
            match std::net::TcpStream::connect_timeout(&a, Duration::from_secs(10)) {
                Ok(_) => return Ok(()),
                Err(e) => last = format!("connect to {a}: {e}"),
            }
        }
        Err(last)
    })
    .await;
    joined.map_err(|e| e.to_string())?
}

#[cfg(feature = "redis")]
pub(crate) async fn redis_ping(url: &str) -> Result<(), String> {
    let client = redis::Client::open(url).map_err(|e| e.to_string())?;
    let mut con = client
        .get_multiplexed_async_connection()
        .await
        .map_err(|e| e.to_string())?;
    let pong: String = redis::cmd("PING")
        .query_async(&mut con)
        .await
        .map_err(|e| e.to_string())?;
    if pong == "PONG" {
        Ok(())
    } else {
        Err(format!("PING answered `{pong}`"))
    }
}

#[cfg(feature = "amqp")]
async fn amqp_channel(url: &str) -> Result<(), String> {
    let conn = lapin::Connection::connect(url, lapin::ConnectionProperties::default())
        .await
        .map_err(|e| e.to_string())?;
    let channel = conn
        .create_channel()
        .await
        .map_err(|e| format!("channel: {e}"))?;
    let _ = channel.close(200, "prodready check").await;
    let _ = conn.close(200, "prodready check").await;
    Ok(())
}

#[cfg(feature = "nats")]
async fn nats_flush(url: &str, jetstream: bool) -> Result<(), String> {
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .max_reconnects(Some(1))
        .connect(url)
        .await
        .map_err(|e| e.to_string())?;
    client.flush().await.map_err(|e| format!("flush: {e}"))?;
    if jetstream {
        async_nats::jetstream::new(client)
            .query_account()
            .await
            .map_err(|e| format!("JetStream not available: {e}"))?;
    }
    Ok(())
}

#[cfg(feature = "mqtt")]
async fn mqtt_ping(host: &str, port: u16) -> Result<(), String> {
    use rumqttc::{AsyncClient, ConnectReturnCode, Event, Incoming, MqttOptions};
    let id = format!("prodready-{}", std::process::id());
    let mut options = MqttOptions::new(id, host, port);
    // The shortest keep-alive rumqttc allows: the ping follows the CONNACK within a second.
    options.set_keep_alive(Duration::from_secs(1));
    let (client, mut events) = AsyncClient::new(options, 4);
    let mut connected = false;
    loop {
        match events.poll().await {
            Ok(Event::Incoming(Incoming::ConnAck(ack))) => {
                if ack.code != ConnectReturnCode::Success {
                    return Err(format!("CONNACK refused: {:?}", ack.code));
                }
                connected = true;
            }
            Ok(Event::Incoming(Incoming::PingResp)) if connected => break,
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let _ = client.try_disconnect();
    Ok(())
}

/// Verifies that every dependency declared in the [`DependencySpec`] answers.
pub fn external_services_connected() -> ExternalServices {
    ExternalServices { spec: None }
}

/// The check built by [`external_services_connected`].
#[derive(Debug, Clone)]
pub struct ExternalServices {
    spec: Option<DependencySpec>,
}

impl ExternalServices {
    /// Checks these dependencies instead of the spec in the context.
    pub fn spec(mut self, spec: DependencySpec) -> Self {
        self.spec = Some(spec);
        self
    }
}

#[async_trait::async_trait]
impl Check for ExternalServices {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(spec) = ctx.spec(&self.spec) else {
            return Outcome::warn("no external dependencies declared: declare them with DependencySpec")
                .remediation("pass `DependencySpec::new().dependency(Dependency::tcp(..))` (or redis, amqp, nats, mqtt) with `.resource(spec)`");
        };
        if spec.dependencies.is_empty() {
            return Outcome::warn("the DependencySpec declares no dependency")
                .remediation("add each external service with `.dependency(..)`");
        }
        let results = futures::future::join_all(spec.dependencies.iter().map(|d| async move {
            let started = Instant::now();
            let r = match tokio::time::timeout(spec.timeout, d.probe.reach()).await {
                Ok(r) => r,
                Err(_) => Err(format!(
                    "no answer within {}",
                    humantime::format_duration(spec.timeout)
                )),
            };
            (d, r, started.elapsed().as_secs_f64() * 1000.0)
        }))
        .await;
        let mut details = serde_json::Map::new();
        let mut failed = Vec::new();
        for (d, r, ms) in &results {
            let entry = match r {
                Ok(()) => {
                    serde_json::json!({"target": d.probe.target(), "ok": true, "round_trip_ms": ms})
                }
                Err(e) => {
                    failed.push(format!("{} ({}): {e}", d.name, d.probe.target()));
                    serde_json::json!({"target": d.probe.target(), "ok": false, "error": e})
                }
            };
            details.insert(d.name.clone(), entry);
        }
        let outcome = if failed.is_empty() {
            Outcome::pass(format!("all {} dependencies answered", results.len()))
        } else {
            Outcome::fail(format!(
                "{} of {} dependencies failed: {}",
                failed.len(),
                results.len(),
                failed.join("; ")
            ))
            .remediation(
                "check each failing dependency's address, credentials and network policy (egress)",
            )
        };
        outcome.detail("dependencies", details)
    }
}
