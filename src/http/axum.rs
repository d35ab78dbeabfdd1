//! The endpoints as an axum `Router`.

use super::{
    handle, Request, CHECKLIST_PATH, LIVEZ_PATH, READYZ_PATH, ROLLOUTZ_PATH, STARTUPZ_PATH,
};
use crate::Readiness;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

impl Readiness {
    /// The endpoints as a `Router` that merges into any app, whatever its state:
    /// `GET /readiness-checklist`, `GET /readiness-checklist/{id}`, `GET /livez`, `GET /livez/{id}`,
    /// `GET /readyz`, `GET /readyz/{id}`, `GET /startupz`, `GET|POST /rolloutz`, and with feature
    /// `prometheus`
    /// `GET /metrics`. Anonymous callers see statuses only (see [`crate::http`]).
    ///
    /// ```
    /// # fn app(readiness: prodready::Readiness) -> axum::Router {
    /// axum::Router::new()
    ///     .route("/pay", axum::routing::post(|| async { "paid" }))
    ///     .merge(readiness.router())
    /// # }
    /// ```
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        let router = Router::new()
            .route(CHECKLIST_PATH, get(endpoint))
            .route(&format!("{CHECKLIST_PATH}/{{id}}"), get(endpoint))
            .route(LIVEZ_PATH, get(endpoint))
            .route(&format!("{LIVEZ_PATH}/{{id}}"), get(endpoint))
            .route(READYZ_PATH, get(endpoint))
            .route(&format!("{READYZ_PATH}/{{id}}"), get(endpoint))
            .route(STARTUPZ_PATH, get(endpoint))
            .route(ROLLOUTZ_PATH, get(endpoint).post(endpoint));
        #[cfg(feature = "prometheus")]
        let router = router.route(super::METRICS_PATH, get(endpoint));
        router.with_state(self.clone())
    }
}

async fn endpoint(State(readiness): State<Readiness>, req: axum::extract::Request) -> Response {
    match handle(&readiness, Request::from_http(&req)).await {
        Some(answer) => answer.into_http().map(Body::from),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
