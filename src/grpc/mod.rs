//! The gRPC health protocol, `grpc.health.v1.Health` (feature `grpc`), answered from the same
//! readiness as `/readyz`: for Kubernetes' gRPC probes, service meshes and load balancers.
//!
//! | call | answer |
//! | --- | --- |
//! | `Check("")` | the whole readiness: `SERVING` when `/readyz` would answer 200, else `NOT_SERVING` |
//! | `Check(id)` | one item of the checklist: `SERVING` unless it fails (or is a blocking `pending` under `pending_blocks`); `NOT_FOUND` for an id the checklist does not have |
//! | `Watch(name)` | the current status, then every change; draining turns every name `NOT_SERVING` at once; an unknown name gets `SERVICE_UNKNOWN` and the stream stays open |
//! | `List` (gRFC A90) | every item's status, and `""` for the whole readiness |
//!
//! While the service starts or drains ([`Availability`]), every
//! name is `NOT_SERVING`. Answers come from the latest report ([`Readiness::snapshot`]): a
//! call never waits for a check. Only statuses are sent, never a message or a detail.
//!
//! ```no_run
//! # async fn run(readiness: prodready::Readiness) -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:50051").await?;
//! // Until the future resolves (e.g. the service's shutdown signal).
//! prodready::grpc::serve(readiness, listener, std::future::pending()).await?;
//! # Ok(()) }
//! ```

#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
#[rustfmt::skip]
mod pb {
    include!("health.v1.rs");
}

use crate::Availability;
use crate::{Readiness, Status};
use futures::stream::{self, BoxStream, StreamExt};
use pb::health_check_response::ServingStatus;
use pb::health_server::HealthServer;
use pb::{HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse};
use std::future::Future;

/// The `grpc.health.v1.Health` service of a readiness, for a tonic server of the service's
/// own (`tonic::transport::Server::builder().add_service(readiness.grpc_health())`); or use
/// [`serve`].
#[derive(Clone)]
pub struct Health {
    readiness: Readiness,
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Health").finish_non_exhaustive()
    }
}

/// The tonic service serving [`Health`].
pub type HealthService = HealthServer<Health>;

impl Readiness {
    /// The `grpc.health.v1.Health` service answered from this readiness (see [`crate::grpc`]).
    pub fn grpc_health(&self) -> HealthService {
        HealthServer::new(Health {
            readiness: self.clone(),
        })
    }
}

/// Serves `grpc.health.v1.Health` on `listener` (HTTP/2 without TLS, as Kubernetes' gRPC
/// probes speak it) until `shutdown` resolves: then it stops accepting, lets answers in flight
/// finish, and returns within a second even while `Watch` streams are open (drain first, with
/// [`Readiness::drain`], so watchers have seen `NOT_SERVING`).
pub async fn serve(
    readiness: Readiness,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    let (stopped, stop) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        let _ = stopped.send(());
    };
    let server = tonic::transport::Server::builder().serve_with_incoming_shutdown(
        readiness.grpc_health(),
        tonic::transport::server::TcpIncoming::from(listener),
        signal,
    );
    // Open `Watch` streams would hold a graceful shutdown forever.
    let grace = async move {
        match stop.await {
            Ok(()) => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        served = server => served,
        () = grace => Ok(()),
    }
}

impl Health {
    /// The status of `name` now; `None` for a name the checklist does not have.
    fn status(&self, name: &str) -> Option<ServingStatus> {
        let r = &self.readiness;
        if !name.is_empty() && r.checklist().get(name).is_none() {
            return None;
        }
        if r.availability() != Availability::Ready {
            return Some(ServingStatus::NotServing);
        }
        let Some(report) = r.snapshot() else {
            return Some(ServingStatus::NotServing);
        };
        let pending_blocks = r.pending_blocks();
        let failing = |i: &crate::ItemReport| {
            i.status == Status::Fail || (pending_blocks && i.status == Status::Pending)
        };
        let serving = if name.is_empty() {
            !report
                .items
                .iter()
                .any(|i| i.blocks_readiness(pending_blocks))
        } else {
            !report.items.iter().any(|i| i.id == name && failing(i))
        };
        Some(if serving {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        })
    }
}

fn response(status: ServingStatus) -> HealthCheckResponse {
    HealthCheckResponse {
        status: status as i32,
    }
}

#[tonic::async_trait]
impl pb::health_server::Health for Health {
    async fn check(
        &self,
        request: tonic::Request<HealthCheckRequest>,
    ) -> Result<tonic::Response<HealthCheckResponse>, tonic::Status> {
        let name = request.into_inner().service;
        match self.status(&name) {
            Some(s) => Ok(tonic::Response::new(response(s))),
            None => Err(tonic::Status::not_found(format!(
                "no item {name:?} in the checklist"
            ))),
        }
    }

    async fn list(
        &self,
        _request: tonic::Request<HealthListRequest>,
    ) -> Result<tonic::Response<HealthListResponse>, tonic::Status> {
        let names =
            std::iter::once("").chain(self.readiness.checklist().items().iter().map(|i| i.id()));
        let statuses = names
            .filter_map(|n| Some((n.to_owned(), response(self.status(n)?))))
            .collect();
        Ok(tonic::Response::new(HealthListResponse { statuses }))
    }

    type WatchStream = BoxStream<'static, Result<HealthCheckResponse, tonic::Status>>;

    async fn watch(
        &self,
        request: tonic::Request<HealthCheckRequest>,
    ) -> Result<tonic::Response<Self::WatchStream>, tonic::Status> {
        let name = request.into_inner().service;
        let changes = self.readiness.changes();
        let health = self.clone();
        // The first message at once, then one per change of the status (not per report).
        let updates = stream::unfold(
            (health, name, changes, None::<ServingStatus>),
            |(health, name, mut changes, last)| async move {
                loop {
                    let now = health
                        .status(&name)
                        .unwrap_or(ServingStatus::ServiceUnknown);
                    if last != Some(now) {
                        let out = Ok(response(now));
                        return Some((out, (health, name, changes, Some(now))));
                    }
                    // Also wakes every few seconds, so a report that went stale (a refresh
                    // started by this very look) is seen without another caller.
                    let _ =
                        tokio::time::timeout(std::time::Duration::from_secs(5), changes.changed())
                            .await;
                }
            },
        );
        Ok(tonic::Response::new(updates.boxed()))
    }
}

#[cfg(test)]
mod tests {
    use super::pb::health_server::Health as _;
    use super::*;
    use crate::{check_fn, Checklist, Item, Outcome};

    async fn health(db_up: bool) -> Health {
        let checklist = Checklist::new("c")
            .item(
                Item::new("Infrastructure", Some("Database"), "Database reachable").check(
                    check_fn(move |_| async move {
                        if db_up {
                            Outcome::pass("up")
                        } else {
                            Outcome::fail("down")
                        }
                    }),
                ),
            )
            .item(Item::new("Ops", None, "Sign-off"));
        let readiness = Readiness::builder()
            .checklist(checklist)
            .host(crate::testing::FakeHost::new())
            .registered_checks(false)
            .build()
            .unwrap();
        readiness.evaluate().await;
        Health { readiness }
    }

    async fn check(h: &Health, name: &str) -> Result<i32, tonic::Code> {
        h.check(tonic::Request::new(HealthCheckRequest {
            service: name.to_owned(),
        }))
        .await
        .map(|r| r.into_inner().status)
        .map_err(|s| s.code())
    }

    const SERVING: i32 = ServingStatus::Serving as i32;
    const NOT_SERVING: i32 = ServingStatus::NotServing as i32;

    #[tokio::test]
    async fn check_answers_the_readiness_an_item_or_not_found() {
        let up = health(true).await;
        assert_eq!(check(&up, "").await, Ok(SERVING));
        assert_eq!(check(&up, "ops.sign-off").await, Ok(SERVING));
        assert_eq!(check(&up, "nope").await, Err(tonic::Code::NotFound));
        let down = health(false).await;
        assert_eq!(check(&down, "").await, Ok(NOT_SERVING));
        assert_eq!(
            check(&down, "infrastructure.database.database-reachable").await,
            Ok(NOT_SERVING)
        );
        // Pending does not fail the item unless pending blocks.
        assert_eq!(check(&down, "ops.sign-off").await, Ok(SERVING));
        let listed = down
            .list(tonic::Request::new(HealthListRequest {}))
            .await
            .unwrap()
            .into_inner()
            .statuses;
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[""].status, NOT_SERVING);
        assert_eq!(listed["ops.sign-off"].status, SERVING);
    }

    #[tokio::test]
    async fn watch_sends_the_status_then_each_change_and_draining_at_once() {
        let up = health(true).await;
        let mut whole = up
            .watch(tonic::Request::new(HealthCheckRequest::default()))
            .await
            .unwrap()
            .into_inner();
        let mut unknown = up
            .watch(tonic::Request::new(HealthCheckRequest {
                service: "nope".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(whole.next().await.unwrap().unwrap().status, SERVING);
        assert_eq!(
            unknown.next().await.unwrap().unwrap().status,
            ServingStatus::ServiceUnknown as i32
        );
        up.readiness.set_availability(Availability::Draining);
        let next = tokio::time::timeout(std::time::Duration::from_secs(1), whole.next()).await;
        assert_eq!(next.unwrap().unwrap().unwrap().status, NOT_SERVING);
        // An unchanged status sends nothing: the unknown name's stream stays open and quiet.
        let quiet =
            tokio::time::timeout(std::time::Duration::from_millis(200), unknown.next()).await;
        assert!(quiet.is_err(), "{quiet:?}");
        assert_eq!(check(&up, "ops.sign-off").await, Ok(NOT_SERVING));
    }
}
