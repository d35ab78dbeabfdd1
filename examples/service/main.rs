//! An orders service on an embedded SQLite database, verified by prodready.
//!
//! ```text
//! cargo run --example service
//! curl -s localhost:3000/readiness-checklist?format=text
//! curl -s localhost:3000/readyz?verbose
//! ```
//!
//! Environment: `PRODREADY_LISTEN` (default `127.0.0.1:3000`), `PRODREADY_STRICT=1` (exit
//! non-zero when not ready), `EXAMPLE_DATABASE_URL` (default: a SQLite file in the temp dir).

mod checks;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use prodready::{check_fn, standard, Readiness};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listen = std::env::var("PRODREADY_LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let url = std::env::var("EXAMPLE_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}",
            std::env::temp_dir()
                .join("prodready-example-orders.db")
                .display()
        )
    });
    let options = SqliteConnectOptions::from_str(&url)?.create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(5)
        .acquire_timeout(Duration::from_secs(2))
        .idle_timeout(Duration::from_secs(60))
        .connect_with(options)
        .await?;
    checks::MIGRATOR.run(&pool).await?;

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
    let readiness = Readiness::builder()
        .service("example-orders", env!("CARGO_PKG_VERSION"))
        .checklist(checklist)
        .resource(pool.clone())
        .build()?;
    readiness.verify_startup().await?;
    readiness.spawn_refresher(Duration::from_secs(2));

    let app = Router::new()
        .route("/orders", get(list_orders).post(create_order))
        .with_state(pool)
        .merge(readiness.router());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!(
        "listening on http://{}/readiness-checklist",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
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
    State(pool): State<SqlitePool>,
    Json(order): Json<NewOrder>,
) -> Result<(StatusCode, Json<Order>), (StatusCode, String)> {
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO orders (item, quantity) VALUES (?, ?) RETURNING id",
    )
    .bind(&order.item)
    .bind(order.quantity)
    .fetch_one(&pool)
    .await
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

async fn list_orders(
    State(pool): State<SqlitePool>,
) -> Result<Json<Vec<Order>>, (StatusCode, String)> {
    let rows = sqlx::query_as::<_, (i64, String, i64)>(
        "SELECT id, item, quantity FROM orders ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, item, quantity)| Order { id, item, quantity })
            .collect(),
    ))
}
