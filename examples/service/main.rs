//! An orders service on an embedded SQLite database, verified by prodready.
//!
//! ```text
//! cargo run -p prodready-example
//! curl -s localhost:3000/readiness-checklist?format=text
//! curl -s localhost:3000/readyz?verbose
//! ```
//!
//! Environment: `PRODREADY_LISTEN` (default `127.0.0.1:3000`), `PRODREADY_STRICT=1` (exit
//! non-zero before serving when the startup or readiness gate fails), `EXAMPLE_DATABASE_URL`
//! (default: a SQLite file in the temp dir; a `postgres://…` URL puts the orders in PostgreSQL),
//! `PRODREADY_DETAILS_TOKEN_FILE` (a file holding the bearer token that shows the whole report),
//! `PRODREADY_MANAGEMENT_LISTEN` (a second listener showing the whole report to anyone),
//! `PRODREADY_DRAIN_PERIOD` (how long `/readyz` fails on SIGTERM before the server stops, `5s`).

mod checks;
mod db;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use db::{on_pool, Db};
use prodready::checks::contacts::Contacts;
use prodready::checks::container::ContainerSpec;
use prodready::checks::env::{EnvSpec, EnvVar};
use prodready::checks::logging::LogPipeline;
use prodready::checks::secrets::{ExposeSecret, Secret, SecretSpec};
use prodready::checks::window::DeploymentWindows;
use prodready::evidence::{BuildInfo, EvidenceSpec};
use prodready::http::serve::{address_var, ServeOptions, LISTEN_ENV};
use prodready::monitor::{LogMonitor, RequestMonitor, Triggers};
use prodready::{check_fn, standard, Readiness};
use serde::{Deserialize, Serialize};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // JSON logs on stdout, through the masking writer ("Log aggregation set up", "Sensitive
    // data masked in logs").
    // The log monitor counts error and warn events ("Check logs for errors").
    let logs = LogPipeline::json().stdout().build();
    let log_monitor = LogMonitor::new();
    tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::INFO)
        .with(logs.layer())
        .with(log_monitor.layer())
        .init();
    // Every request through the app is measured ("Monitor error rates", "Response times
    // acceptable", the rollback triggers).
    let requests = RequestMonitor::new();

    // A bad setting is an error naming its variable.
    let host = prodready::RealHost::new();
    let listen = address_var(&host, LISTEN_ENV, Some("127.0.0.1:3000"))?
        .ok_or_else(|| anyhow::anyhow!("{LISTEN_ENV}: no address"))?;
    let options = ServeOptions::from_env(&host)?;
    // The machine the checks read: the real one, or the files under EXAMPLE_HOST_ROOT (a pod's
    // filesystem view, e.g. in tests).
    let machine = match std::env::var("EXAMPLE_HOST_ROOT") {
        Ok(root) if !root.is_empty() => prodready::RealHost::with_root(root),
        _ => prodready::RealHost::new(),
    };
    // The URL from a secret file when one is mounted (credentials stay out of the environment):
    // declared, so the secrets items verify where it comes from and how its file is protected,
    // and read through the same machine the checks read. Else from the environment, else an
    // SQLite file in the temp dir.
    let secrets = std::env::var_os("EXAMPLE_DATABASE_URL_FILE").map(|_| {
        SecretSpec::new().secret(
            Secret::new("database-url")
                .from_file_env("EXAMPLE_DATABASE_URL_FILE")
                .database_url(),
        )
    });
    let url = match &secrets {
        Some(spec) => spec
            .resolve(&machine)
            .await?
            .database_url()
            .map(|url| url.expose_secret().trim().to_owned())
            .ok_or_else(|| anyhow::anyhow!("EXAMPLE_DATABASE_URL_FILE: no database URL"))?,
        None => std::env::var("EXAMPLE_DATABASE_URL").unwrap_or_else(|_| {
            format!(
                "sqlite://{}",
                std::env::temp_dir()
                    .join("prodready-example-orders.db")
                    .display()
            )
        }),
    };
    // SQLite unless the URL is `postgres://…`; migrations applied at start.
    let pool = Db::connect(&url).await?;

    // The standard checklist, plus this service's own section; every #[check] in checks.rs is
    // bound in by `build`.
    let checklist = standard::production_deployment().merge(prodready::checklist! {
        "Orders" {
            section "Orders" {
                "Orders table writable" [depends_on = ["infrastructure.database.migrations-applied"], timeout = "2s"]
                    => check_fn(checks::orders_writable),
            }
            waive "security.container-security.image-signed" because "the example is never shipped as an image" until "2027-06-30",
        }
    });
    // The version this build reports (a fleet test runs several "versions" of one build).
    let version =
        std::env::var("EXAMPLE_VERSION").unwrap_or_else(|_| env!("CARGO_PKG_VERSION").to_owned());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let port = listener.local_addr()?.port();
    let mut builder = pool
        .give_to(Readiness::builder())
        .host(machine)
        .service("example-orders", &version)
        .checklist(checklist)
        .resource(pool.clone())
        .resource(logs.clone())
        .resource(environment())
        .resource(ContainerSpec::default().port(port))
        // Demo contacts: a real service names its own people.
        .resource(
            Contacts::new()
                .on_call("oncall@example.com")
                .devops_team("https://example.com/teams/devops")
                .database_admin("+44 20 7946 0000")
                .security_team("security@example.com")
                .escalate_to("oncall@example.com")
                .escalate_to("head-of-engineering@example.com"),
        )
        .resource(DeploymentWindows::parse("Mon-Fri 08:00-18:00 UTC")?)
        // Evidence made by this build's own tests and lints (`.ci/example-evidence` makes it).
        .resource(
            EvidenceSpec::new()
                .dir(std::env::var("EXAMPLE_EVIDENCE_DIR").unwrap_or_else(|_| "evidence".into()))
                .build(BuildInfo::new(&version))
                // What the Kubernetes manifests (deploy/kubernetes/example.yaml) must cover.
                .workload(prodready::evidence::K8sWorkload {
                    name: Some("example-orders".into()),
                    labels: [("app.kubernetes.io/name".into(), "example-orders".into())].into(),
                    service_account: Some("example-orders".into()),
                }),
        )
        .resource(requests.clone())
        .resource(log_monitor.clone())
        .resource(Triggers::new())
        // A monitor turns `fail` after 3 bad evaluations in a row and back after 2 good ones.
        .monitor_hysteresis(3, 2);
    if let Some(spec) = secrets {
        builder = builder.resource(spec);
    }
    let readiness = builder.build()?;
    let app = Router::new()
        .route("/orders", get(list_orders).post(create_order))
        .with_state(pool)
        // The OpenAPI document of the library's endpoints, with this checklist's ids, sections,
        // groups and tags as the allowed values, merged into the service's own API docs.
        .route("/openapi.json", {
            let doc = Json(readiness.openapi());
            get(move || async move { doc.clone() })
        })
        .layer(requests.layer());
    tracing::info!(address = %listener.local_addr()?, "listening: GET /readiness-checklist, /livez, /readyz, /startupz");
    // Marks the service starting and serves the probes, verifies the startup (strict: exits
    // non-zero before it is ever ready), marks it ready and refreshes the report; on SIGTERM
    // or Ctrl-C fails /readyz for the drain period while still serving, then shuts down within
    // the grace period.
    // The gRPC health protocol (grpc.health.v1.Health) on a port of its own, when asked for.
    let grpc = match std::env::var("PRODREADY_GRPC_LISTEN") {
        Ok(addr) if !addr.trim().is_empty() => {
            let grpc_listener = tokio::net::TcpListener::bind(addr.trim()).await?;
            tracing::info!(address = %grpc_listener.local_addr()?, "gRPC health listening");
            let health = readiness.clone();
            Some(tokio::spawn(async move {
                prodready::grpc::serve(health, grpc_listener, std::future::pending()).await
            }))
        }
        _ => None,
    };
    readiness
        .serve_with(
            listener,
            app,
            options,
            prodready::http::serve::shutdown_signal(),
        )
        .await?;
    if let Some(grpc) = grpc {
        grpc.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// The environment the example reads, documented in `examples/service/.env.example`.
fn environment() -> EnvSpec {
    EnvSpec::new()
        .prefix("EXAMPLE_")
        .manifest(concat!(env!("CARGO_MANIFEST_DIR"), "/.env.example"))
        .var(EnvVar::new("PRODREADY_LISTEN").description("where the service listens"))
        .var(EnvVar::new("PRODREADY_STRICT").description("1: exit when not ready at startup"))
        .var(EnvVar::new("EXAMPLE_DATABASE_URL").description("the orders database"))
        .var(
            EnvVar::new("EXAMPLE_DATABASE_URL_FILE")
                .description("a file holding the orders database URL (wins over the variable)"),
        )
        .var(EnvVar::new("PRODREADY_DEPLOYMENT_WINDOWS").description("when deployments may happen"))
        .var(EnvVar::new("EXAMPLE_EVIDENCE_DIR").description("the evidence bundle"))
        .var(
            EnvVar::new("EXAMPLE_HOST_ROOT")
                .description("read the machine's files under this root"),
        )
        .var(EnvVar::new("EXAMPLE_VERSION").description("the version the service reports"))
        .var(
            EnvVar::new("PRODREADY_GRPC_LISTEN")
                .description("where the gRPC health service listens"),
        )
        .var(EnvVar::new("PRODREADY_DRAIN_PERIOD").description("how long to drain on SIGTERM"))
        .var(
            EnvVar::new("PRODREADY_DETAILS_TOKEN_FILE")
                .description("the token that shows the whole report"),
        )
        .var(
            EnvVar::new("PRODREADY_MANAGEMENT_LISTEN")
                .description("a listener showing the whole report"),
        )
}

#[derive(Deserialize)]
struct NewOrder {
    item: String,
    quantity: i64,
}

#[derive(Serialize)]
struct Order {
    id: i64,
    item: String,
    quantity: i64,
}

async fn create_order(
    State(pool): State<Db>,
    Json(order): Json<NewOrder>,
) -> Result<(StatusCode, Json<Order>), (StatusCode, String)> {
    // `$1`-style placeholders: PostgreSQL's, and SQLite takes them too.
    let id = on_pool!(&pool, p => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO orders (item, quantity) VALUES ($1, $2) RETURNING id",
        )
        .bind(&order.item)
        .bind(order.quantity)
        .fetch_one(p)
        .await
    })
    .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
    Ok((
        StatusCode::CREATED,
        Json(Order {
            id,
            item: order.item,
            quantity: order.quantity,
        }),
    ))
}

async fn list_orders(State(pool): State<Db>) -> Result<Json<Vec<Order>>, (StatusCode, String)> {
    let rows = on_pool!(&pool, p => {
        sqlx::query_as::<_, (i64, String, i64)>("SELECT id, item, quantity FROM orders ORDER BY id")
            .fetch_all(p)
            .await
    })
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, item, quantity)| Order { id, item, quantity })
            .collect(),
    ))
}
