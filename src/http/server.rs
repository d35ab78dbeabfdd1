//! A small standalone HTTP/1.1 server (hyper 1) for services that do not use axum.
//!
//! ```no_run
//! # async fn run(readiness: prodready::Readiness) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9090").await?;
//! prodready::http::server::serve(listener, readiness).await
//! # }
//! ```

use super::{handle, Request};
use crate::Readiness;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use tokio::net::TcpListener;

/// Serves the endpoints on `listener` until the task is dropped; any other path is a 404.
/// Each connection runs in its own task, so a slow client never holds up another.
pub async fn serve(listener: TcpListener, readiness: Readiness) -> std::io::Result<()> {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            // A failed accept (e.g. too many open files) must not end the server.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let readiness = readiness.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let readiness = readiness.clone();
                async move { Ok::<_, Infallible>(answer(&readiness, req).await) }
            });
            // A client that disconnects mid-request is its own problem, not the server's.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    readiness: &Readiness,
    req: hyper::Request<Incoming>,
) -> hyper::Response<Full<Bytes>> {
    let request = Request::from_http(&req);
    let answer = handle(readiness, request).await.unwrap_or_else(|| {
        super::Response::json_error(
            404,
            serde_json::json!({"error": format!("no endpoint at {}", req.uri().path())}),
        )
    });
    let head = req.method() == hyper::Method::HEAD;
    answer.into_http().map(|body| {
        // HEAD answers carry the headers of GET and no body.
        Full::new(if head {
            Bytes::new()
        } else {
            Bytes::from(body)
        })
    })
}
