//! A small standalone HTTP/1.1 server (hyper 1) for services that do not use axum.
//!
//! ```no_run
//! # async fn run(readiness: prodready::Readiness) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9090").await?;
//! prodready::http::server::serve(listener, readiness).await
//! # }
//! ```

use super::{handle, Request, ServeOptions};
use crate::Readiness;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use std::convert::Infallible;
use tokio::net::TcpListener;

/// Serves the endpoints on `listener` until the task is dropped; any other path is a 404.
/// Each connection runs in its own task, so a slow client never holds up another; slow clients
/// are cut off by the [`ServeOptions`] defaults (header read timeout, idle timeout, connection
/// cap).
pub async fn serve(listener: TcpListener, readiness: Readiness) -> std::io::Result<()> {
    let (_keep, never) = tokio::sync::watch::channel(false);
    super::serve::accept_loop(listener, service(readiness), ServeOptions::default(), never).await;
    Ok(())
}

fn service(readiness: Readiness) -> impl Fn() -> Endpoints + Send + Sync + 'static {
    move || Endpoints {
        readiness: readiness.clone(),
        authorized: false,
    }
}

/// The endpoints as a hyper service; `authorized`: every caller sees the whole report.
#[derive(Clone)]
struct Endpoints {
    readiness: Readiness,
    authorized: bool,
}

impl hyper::service::Service<hyper::Request<Incoming>> for Endpoints {
    type Response = hyper::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = futures::future::BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn call(&self, mut req: hyper::Request<Incoming>) -> Self::Future {
        let readiness = self.readiness.clone();
        if self.authorized {
            req.extensions_mut().insert(super::Authorized);
        }
        Box::pin(async move { Ok(answer(&readiness, req).await) })
    }
}

impl Readiness {
    /// The whole life of a service that serves only the endpoints (no axum): marks starting,
    /// serves, verifies (in strict mode returns the error before it is ready), marks ready,
    /// refreshes, and when `shutdown` resolves drains and shuts down within the grace period. See
    /// [`Readiness::serve`] for the axum version.
    pub async fn serve_endpoints(
        &self,
        listener: TcpListener,
        options: ServeOptions,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> Result<(), super::ServeError> {
        let management = match options.management {
            Some(address) => Some(TcpListener::bind(address).await.map_err(|source| {
                super::ServeError::Bind {
                    address,
                    variable: super::serve::MANAGEMENT_LISTEN_ENV,
                    source,
                }
            })?),
            None => None,
        };
        let readiness = self.clone();
        let manage = move || Endpoints {
            readiness: readiness.clone(),
            authorized: true,
        };
        self.lifecycle(
            listener,
            service(self.clone()),
            management.map(|l| (l, manage)),
            options,
            shutdown,
        )
        .await
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
        Full::new(if head { Bytes::new() } else { body })
    })
}
