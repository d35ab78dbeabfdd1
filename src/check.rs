//! Checks: the async `Check` trait, its `Outcome`, and the `Context` a check reads from.

use crate::host::{Host, RealHost};
use crate::model::Status;
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
    pub fn remediation_text(&self) -> Option<&str> {
        self.remediation.as_deref()
    }
}

/// What a check may read: the [`Host`] and typed shared resources (a pool, a config struct).
///
/// Cloning is cheap (two `Arc`s).
#[derive(Clone)]
pub struct Context {
    host: Arc<dyn Host>,
    resources: Arc<Resources>,
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
        }
    }

    /// A context on `host` with no resources, for calling a check directly in a test.
    pub fn with_host(host: impl Host) -> Self {
        Self::new(Arc::new(host), Resources::default())
    }

    /// The door to the outside world.
    pub fn host(&self) -> &dyn Host {
        &*self.host
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

impl Default for Context {
    fn default() -> Self {
        Self::with_host(RealHost::new())
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("resources", &self.resources.0.len())
            .finish_non_exhaustive()
    }
}
