//! The baseline of `benches/wrk.sh`: a static axum service answering what the library's
//! endpoints answer, with nothing computed per request.
//!
//! `GET /ok` answers `ok` (as `/readyz` does); `GET /body` answers the bytes of the file named
//! by `STATIC_BODY_FILE` as `application/json` (a saved `/readiness-checklist`). Listens on
//! `STATIC_LISTEN` (default `127.0.0.1:3001`).

use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listen = std::env::var("STATIC_LISTEN").unwrap_or_else(|_| "127.0.0.1:3001".into());
    let body = match std::env::var("STATIC_BODY_FILE") {
        Ok(path) => Bytes::from(std::fs::read(path)?),
        Err(_) => Bytes::from_static(b"{}"),
    };
    let app = Router::new().route("/ok", get(|| async { "ok" })).route(
        "/body",
        get(move || {
            let body = body.clone();
            async move { ([(CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
