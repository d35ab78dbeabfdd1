//! Checks: the async `Check` trait, its `Outcome`, and the `Context` a check reads from.

use crate::host::{Host, RealHost};
use crate::model::Status;
use crate::probes::{LatestReport, ProbeLog};
use crate::report::{Report, ServiceInfo};
use futures::future::BoxFuture;
use serde_json::{Map, Value};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// Verifies one checklist item.
///
/// A check is a pure function of its [`Context`]: it reads the outside world only through
/// [`Context::host`] and shared resources ([`Context::resource`]), so it runs the same against a
/// fake root in a unit test and against the real machine. The engine applies the timeout and
/// catches panics; a check only says what it saw.
///
/// ```
/// use prodready::{Check, Context, Outcome};
///
/// struct NotRoot;
///
/// #[prodready::async_trait]
/// impl Check for NotRoot {
///     async fn run(&self, ctx: &Context) -> Outcome {
///         match ctx.host().uid() {
///             Ok(ids) if ids.effective != 0 => Outcome::pass(format!("running as uid {}", ids.effective)),
///             Ok(_) => Outcome::fail("running as root").remediation("set runAsNonRoot: true"),
///             Err(e) => Outcome::fail(format!("cannot read the uid: {e}")),
///         }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a prodready check",
    label = "not a check",
    note = "a check implements `prodready::Check`: use `prodready::check_fn(|ctx| async {{ … }})`, a built-in from `prodready::checks`, or implement the trait"
)]
#[async_trait::async_trait]
pub trait Check: Send + Sync + 'static {
    /// Runs the check once.
    async fn run(&self, ctx: &Context) -> Outcome;
}

/// A check made from an async closure taking an owned (cheaply cloned) [`Context`].
///
/// ```
/// use prodready::{check_fn, Outcome};
/// let check = check_fn(|ctx| async move {
///     match ctx.host().env("APP_MODE") {
///         Some(mode) if mode == "production" => Outcome::pass("production mode"),
///         other => Outcome::warn(format!("APP_MODE is {other:?}")),
///     }
/// });
/// # let _ = check;
/// ```
pub fn check_fn<F, Fut>(f: F) -> FnCheck<F>
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    FnCheck(f)
}

/// The check returned by [`check_fn`].
pub struct FnCheck<F>(F);

#[async_trait::async_trait]
impl<F, Fut> Check for FnCheck<F>
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    async fn run(&self, ctx: &Context) -> Outcome {
        (self.0)(ctx.clone()).await
    }
}

/// A check made from a function pointer, as `#[prodready::check]` generates.
pub(crate) struct FnPtrCheck(pub(crate) for<'a> fn(&'a Context) -> BoxFuture<'a, Outcome>);

#[async_trait::async_trait]
impl Check for FnPtrCheck {
    async fn run(&self, ctx: &Context) -> Outcome {
        (self.0)(ctx).await
    }
}

/// What a check saw: a status, a message saying what was observed, observed values, and what to do.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "an outcome is the verdict: return it from the check"]
pub struct Outcome {
    pub(crate) status: Status,
    pub(crate) message: String,
    pub(crate) details: Map<String, Value>,
    pub(crate) remediation: Option<String>,
}

impl Outcome {
    /// An outcome with `status` and `message`.
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            details: Map::new(),
            remediation: None,
        }
    }

    /// Verified and fine.
    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(Status::Pass, message)
    }

    /// Works, but deserves attention.
    pub fn warn(message: impl Into<String>) -> Self {
        Self::new(Status::Warn, message)
    }

    /// Verified and wrong.
    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(Status::Fail, message)
    }

    /// Nothing to judge yet.
    pub fn pending(message: impl Into<String>) -> Self {
        Self::new(Status::Pending, message)
    }

    /// Does not apply here.
    pub fn not_applicable(message: impl Into<String>) -> Self {
        Self::new(Status::NotApplicable, message)
    }

    /// Adds an observed value (give units in the key or value: `memory_max_bytes`, `"2s"`).
    /// A value that cannot be represented as JSON is recorded as its error text.
    pub fn detail(mut self, key: impl Into<String>, value: impl serde::Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or_else(|e| Value::String(e.to_string()));
        self.details.insert(key.into(), value);
        self
    }

    /// What to do about it.
    pub fn remediation(mut self, text: impl Into<String>) -> Self {
        self.remediation = Some(text.into());
        self
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The observed values.
    pub fn details(&self) -> &Map<String, Value> {
        &self.details
    }

    /// The remediation, if any.
    pub fn get_remediation(&self) -> Option<&str> {
        self.remediation.as_deref()
    }
}

/// A check's whole window on the world: the [`Host`], the item it verifies, the service, the
/// previous report, what the endpoints answered ([`ProbeLog`]) and typed shared resources (a pool,
/// a config struct).
///
/// The engine gives each check its context. To unit-test a check of your own, build one with
/// [`Context::builder`] on a fake host:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use prodready::{check_fn, Check, Context, Outcome, Status};
///
/// #[derive(Debug)]
/// struct Limits { max_connections: u32 }
///
/// let check = check_fn(|ctx: Context| async move {
///     let service = ctx.service().map(|s| s.name.as_str()).unwrap_or("?");
///     match ctx.resource::<Limits>() {
///         Some(l) if l.max_connections > 0 => {
///             Outcome::pass(format!("{service}: at most {} connections", l.max_connections))
///         }
///         _ => Outcome::fail("no connection limit").remediation("give `Limits` to the builder"),
///     }
/// });
/// let ctx = Context::builder()
///     .item("performance.optimization.connection-limits")
///     .service("payments", "1.2.0")
///     .resource(Limits { max_connections: 20 })
///     .build();
/// assert_eq!(ctx.item_id(), Some("performance.optimization.connection-limits"));
/// let outcome = check.run(&ctx).await;
/// assert_eq!(outcome.status(), Status::Pass);
/// assert_eq!(outcome.message(), "payments: at most 20 connections");
/// # }
/// ```
///
/// Cloning is cheap (a few `Arc`s).
#[derive(Clone)]
pub struct Context {
    host: Arc<dyn Host>,
    resources: Arc<Resources>,
    item: Option<Arc<str>>,
}

/// Typed shared values, one per type, each with its type's name (so `build()` can tell a client
/// of another crate version, whose name is the same but whose `TypeId` is not).
#[derive(Default)]
pub(crate) struct Resources(HashMap<TypeId, Resource>);

struct Resource {
    value: Arc<dyn Any + Send + Sync>,
    type_name: &'static str,
}

impl Resources {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.0.insert(
            TypeId::of::<T>(),
            Resource {
                value: Arc::new(value),
                type_name: std::any::type_name::<T>(),
            },
        );
    }

    /// The name and id of every resource's type.
    pub(crate) fn types(&self) -> impl Iterator<Item = (&'static str, TypeId)> + '_ {
        self.0.iter().map(|(id, r)| (r.type_name, *id))
    }
}

impl Context {
    pub(crate) fn new(host: Arc<dyn Host>, resources: Resources) -> Self {
        Self {
            host,
            resources: Arc::new(resources),
            item: None,
        }
    }

    /// A context on `host` with no resources, for calling a check directly in a test.
    pub fn with_host(host: impl Host) -> Self {
        Self::new(Arc::new(host), Resources::default())
    }

    /// Builds a context by hand, to call a check directly (in a unit test): the real machine
    /// unless [`ContextBuilder::host`] says otherwise, no item, no service, an empty probe log.
    pub fn builder() -> ContextBuilder {
        ContextBuilder::default()
    }

    /// The same context for the check of item `id` (the engine gives each check its item).
    pub(crate) fn for_item(&self, id: &str) -> Self {
        Self {
            item: Some(id.into()),
            ..self.clone()
        }
    }

    /// The door to the outside world.
    pub fn host(&self) -> &dyn Host {
        &*self.host
    }

    /// The id of the item this check verifies; `None` outside an evaluation unless the builder
    /// named one ([`ContextBuilder::item`]).
    pub fn item_id(&self) -> Option<&str> {
        self.item.as_deref()
    }

    /// The service's name and version, as given to [`ReadinessBuilder::service`](crate::ReadinessBuilder::service).
    pub fn service(&self) -> Option<&ServiceInfo> {
        self.resource::<ServiceInfo>()
    }

    /// The report of the previous complete evaluation; `None` during the first one. A check
    /// never sees the evaluation it is part of.
    pub fn previous_report(&self) -> Option<Arc<Report>> {
        self.resource::<LatestReport>().and_then(LatestReport::get)
    }

    /// What the endpoints have answered (the kubelet's probes, Prometheus scrapes); `None` when
    /// the context was built by hand without one.
    pub fn probe_log(&self) -> Option<&ProbeLog> {
        self.resource::<ProbeLog>()
    }

    /// The spec a check uses: its own (given to its builder, e.g. `.spec(..)`), else the one of
    /// type `T` given to [`ReadinessBuilder::resource`](crate::ReadinessBuilder::resource), else
    /// `None` (a check then says what to declare).
    pub fn spec<'a, T: Send + Sync + 'static>(&'a self, own: &'a Option<T>) -> Option<&'a T> {
        own.as_ref().or_else(|| self.resource::<T>())
    }

    /// Runs `work` on the service's own runtime and waits for it there, for the I/O of a check
    /// through a resource the service keeps using, such as its database pool.
    ///
    /// Checks run on a runtime of their own ([`CheckRuntime::Dedicated`](crate::CheckRuntime)),
    /// and a connection is driven by the runtime it was opened on: one a check opens in the
    /// service's pool would stall the service's queries while a check blocks the check threads,
    /// and break them once the readiness is dropped. Through this method it is opened on the
    /// runtime that built the readiness instead (or the one given to
    /// [`ReadinessBuilder::service_runtime`](crate::ReadinessBuilder::service_runtime)). Without
    /// one (built outside a runtime, with
    /// [`CheckRuntime::Current`](crate::CheckRuntime::Current), or a context built by hand),
    /// `work` runs here.
    ///
    /// `work` then runs with the service's isolation, not the checks': keep it to awaiting I/O
    /// (a call that blocks its thread blocks one of the service's threads). The check's timeout
    /// still bounds it.
    ///
    /// `None` when the service's runtime is shutting down and `work` did not finish. Dropping the
    /// returned future (the check timed out) cancels `work`; a panic in it is the check's panic.
    pub async fn on_service_runtime<T, F>(&self, work: F) -> Option<T>
    where
        F: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(service) = self.resource::<crate::engine::ServiceRuntime>() else {
            return Some(work.await);
        };
        /// Cancels the task when the check's future is dropped.
        struct Abort(tokio::task::AbortHandle);
        impl Drop for Abort {
            fn drop(&mut self) {
                self.0.abort();
            }
        }
        let task = service.0.spawn(work);
        let _abort = Abort(task.abort_handle());
        match task.await {
            Ok(value) => Some(value),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => None,
        }
    }

    /// The resource of type `T` given to the builder with `.resource(..)`.
    pub fn resource<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.resources
            .0
            .get(&TypeId::of::<T>())
            .and_then(|r| r.value.downcast_ref())
    }

    /// The resource of type `T`, or a `fail` outcome naming the missing type, so a check can
    /// write `let pool = match ctx.require::<Pool>() { Ok(p) => p, Err(o) => return o };`.
    pub fn require<T: Send + Sync + 'static>(&self) -> Result<&T, Outcome> {
        self.resource().ok_or_else(|| {
            Outcome::fail(format!(
                "no resource of type `{}` was given to the readiness builder",
                std::any::type_name::<T>()
            ))
            .remediation("pass it with `Readiness::builder().resource(value)`")
        })
    }
}

/// Builds a [`Context`] by hand ([`Context::builder`]), to unit-test a check.
#[derive(Default)]
#[must_use]
pub struct ContextBuilder {
    host: Option<Arc<dyn Host>>,
    resources: Resources,
    item: Option<String>,
}

impl ContextBuilder {
    /// The host the check reads (a [`FakeHost`](crate::testing::FakeHost) in a test); default the
    /// real machine.
    pub fn host(mut self, host: impl Host) -> Self {
        self.host = Some(Arc::new(host));
        self
    }

    /// The item the check verifies ([`Context::item_id`]).
    pub fn item(mut self, id: impl Into<String>) -> Self {
        self.item = Some(id.into());
        self
    }

    /// The service's name and version ([`Context::service`]).
    pub fn service(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.resources.insert(ServiceInfo {
            name: name.into(),
            version: version.into(),
        });
        self
    }

    /// The report the check sees as the previous evaluation's ([`Context::previous_report`]).
    pub fn previous_report(mut self, report: Report) -> Self {
        let latest = LatestReport::default();
        latest.set(Arc::new(report));
        self.resources.insert(latest);
        self
    }

    /// The log of what the endpoints answered ([`Context::probe_log`]); a test makes one with
    /// `testing::probe_log` (feature `testing`).
    pub fn probe_log(mut self, log: ProbeLog) -> Self {
        self.resources.insert(log);
        self
    }

    /// A shared value the check reaches with [`Context::resource`], one per type.
    pub fn resource<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.resources.insert(value);
        self
    }

    /// The context.
    pub fn build(self) -> Context {
        let host = self.host.unwrap_or_else(|| Arc::new(RealHost::new()));
        Context {
            item: self.item.map(Into::into),
            ..Context::new(host, self.resources)
        }
    }
}

impl Default for Context {
    fn default() -> Self {
        Self::with_host(RealHost::new())
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("item", &self.item)
            .field("resources", &self.resources.0.len())
            .finish_non_exhaustive()
    }
}
