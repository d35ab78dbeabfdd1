//! The engine: a built [`Readiness`] evaluates its checklist concurrently, caches results per
//! item, shares one evaluation among concurrent callers, and answers probes from the cache.

mod integrations;
mod pool;
mod run;
mod runtime;
mod snapshot;

pub use pool::CheckRuntime;
pub(crate) use pool::ServiceRuntime;
pub use runtime::{Availability, StatusChange};

use crate::check::{Context, Resources};
use crate::host::{Host, RealHost};
use crate::model::{millis, rfc3339, Checklist, ChecklistError, Item, Kind};
use crate::probes::{LatestReport, ProbeLog};
use crate::registry;
use crate::report::{Report, Rollback, ServiceInfo};
use futures::future::{BoxFuture, FutureExt, Shared};
use run::Cached;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;
use tokio::time::Instant;

/// How much of the cache an evaluation may reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refresh {
    /// Reuse every result that is still fresh.
    Stale,
    /// Re-run every item whose result expires (probes, monitors); keep once-per-process results.
    Finite,
    /// Re-run everything.
    All,
}

/// Timing and policy settings.
#[derive(Debug, Clone)]
struct Settings {
    strict: Option<bool>,
    pending_blocks: bool,
    default_timeout: Duration,
    probe_ttl: Duration,
    answer_deadline: Duration,
    check_runtime: CheckRuntime,
    /// The service's runtime, when given (else the one that calls `build()`).
    service_runtime: Option<tokio::runtime::Handle>,
}

impl Settings {
    fn ttl_for(&self, item: &Item) -> Duration {
        match item.kind {
            Kind::Probe | Kind::Monitor => self.probe_ttl,
            // An artifact shipped with the build does not change while it runs.
            Kind::Evidence => Duration::MAX,
            // An attestation can expire while the service runs: looked at again every 10 min
            // (reported in the checklist, metrics and listeners; never in `/readyz`).
            Kind::Attestation => Duration::from_secs(600),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            strict: None,
            pending_blocks: false,
            default_timeout: Duration::from_secs(5),
            probe_ttl: Duration::from_secs(5),
            answer_deadline: Duration::from_millis(250),
            check_runtime: CheckRuntime::default(),
            service_runtime: None,
        }
    }
}

/// A checklist ready to be evaluated and served. Cheap to clone (one `Arc`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use prodready::{check_fn, Checklist, Item, Outcome, Readiness, Status};
/// let checklist = Checklist::new("Payments")
///     .item(Item::new("Ledger", None, "Balanced").check(check_fn(|_ctx| async { Outcome::pass("balanced") })))
///     .item(Item::new("Ledger", None, "Audited")); // no check: pending, never pass
/// let readiness = Readiness::builder()
///     .service("payments", "1.2.0")
///     .checklist(checklist)
///     .host(prodready::testing::FakeHost::new())
///     .build()?;
/// let report = readiness.evaluate().await;
/// assert_eq!(report.item("ledger.balanced").unwrap().status, Status::Pass);
/// assert_eq!(report.item("ledger.audited").unwrap().status, Status::Pending);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Readiness {
    inner: Arc<Inner>,
}

struct Inner {
    service: ServiceInfo,
    checklist: Checklist,
    /// Item index by id.
    index: HashMap<String, usize>,
    /// Item indices, dependencies first.
    order: Vec<usize>,
    ctx: Context,
    latest: LatestReport,
    probes: ProbeLog,
    settings: Settings,
    strict: bool,
    runtime: runtime::RuntimeSettings,
    availability: runtime::AvailabilityCell,
    /// Bumped whenever a report is published or the availability changes.
    changed: tokio::sync::watch::Sender<u64>,
    spawner: pool::Spawner,
    access: crate::http::Access,
    /// What the probes read without taking `state`'s lock.
    published: snapshot::Published,
    /// Rendered answers of the latest report (the HTTP layer's cache).
    rendered: crate::http::RenderCache,
    state: Mutex<State>,
}

type ReportFuture = Shared<BoxFuture<'static, Arc<Report>>>;

#[derive(Default)]
struct State {
    cache: Vec<Option<Cached>>,
    /// The last whole report and the instant its first item goes stale.
    last: Option<(Arc<Report>, Option<Instant>)>,
    /// The evaluation in progress, shared by every caller (single flight).
    inflight: Option<ReportFuture>,
    /// Hysteresis streaks per item.
    damp: Vec<runtime::Damp>,
    /// The liveness items' last results and the instant the first goes stale.
    live: Option<(snapshot::LiveItems, Option<Instant>)>,
    /// The liveness evaluation in progress (single flight, like `inflight`).
    live_inflight: Option<snapshot::LiveFuture>,
    /// The report the startup was judged on (`/startupz`).
    startup: Option<Arc<Report>>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is plain data updated in one step: a poisoned lock still holds a usable cache.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Marks `indices` and everything they (transitively) depend on.
    fn with_dependencies(&self, indices: &[usize]) -> Vec<bool> {
        let mut needed = vec![false; self.checklist.items().len()];
        let mut stack: Vec<usize> = indices.to_vec();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut needed[i], true) {
                continue;
            }
            for dep in &self.checklist.items()[i].depends_on {
                if let Some(&d) = self.index.get(dep.as_str()) {
                    stack.push(d);
                }
            }
        }
        needed
    }
}

/// Why a [`Readiness`] could not be built: every problem `build()` found, at once.
///
/// ```
/// use prodready::{BuildError, BuildProblem, Checklist, Item, Readiness};
/// let err: BuildError = Readiness::builder()
///     .checklist(Checklist::new("c").item(Item::new("A", None, "x")).item(Item::new("A", None, "x")))
///     .default_timeout(std::time::Duration::ZERO)
///     .registered_checks(false)
///     .build()
///     .unwrap_err();
/// assert_eq!(err.problems().len(), 2);
/// assert!(matches!(err.problems()[0], BuildProblem::Setting(_)));
/// assert!(matches!(err.problems()[1], BuildProblem::Checklist(_)));
/// ```
#[derive(Debug)]
pub struct BuildError {
    problems: Vec<BuildProblem>,
}

impl BuildError {
    /// Every problem, in the order `build()` found them; never empty.
    pub fn problems(&self) -> &[BuildProblem] {
        &self.problems
    }
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let [one] = self.problems.as_slice() {
            return write!(f, "the readiness cannot be built: {one}");
        }
        write!(
            f,
            "the readiness cannot be built: {} problems:",
            self.problems.len()
        )?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

/// One thing [`ReadinessBuilder::build`] found wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildProblem {
    /// The checklist (with every `#[check]` bound in) has this problem.
    #[error(transparent)]
    Checklist(ChecklistError),
    /// A builder setting is out of range (e.g. a zero timeout).
    #[error("{0}")]
    Setting(String),
    /// A shared resource is not the type its feature's checks use (e.g. another major version
    /// of the client crate): says which type, which feature, and the fix.
    #[error("{0}")]
    Resource(String),
    /// The details token could not be read (`PRODREADY_DETAILS_TOKEN_FILE`).
    #[error("{0}")]
    Access(String),
    /// The check runtime's threads could not be started.
    #[error("cannot start the check runtime's threads: {0}")]
    CheckRuntime(String),
}

/// A strict startup found the service not ready: its startup or readiness gate failed.
///
/// `Debug` prints the same short summary as `Display` (the failing items, one line each), so a
/// `main` returning `Result<(), Box<dyn Error>>` exits with a readable message rather than the
/// whole report.
#[derive(thiserror::Error)]
#[error("{} {} may not start: {}", report.service.name, report.service.version, failing(report))]
pub struct NotReady {
    /// The report that was printed.
    pub report: Arc<Report>,
}

impl std::fmt::Debug for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// The startup verification's outcome as `tracing` events.
fn log_startup(report: &Report, strict: bool) {
    let c = &report.summary;
    tracing::info!(
        target: "prodready",
        service = %report.service.name,
        version = %report.service.version,
        ready = report.ready,
        startup = report.startup,
        strict,
        items = report.items.len(),
        pass = c.pass,
        warn = c.warn,
        fail = c.fail,
        pending = c.pending,
        "startup verification: {}",
        if report.ready && report.startup { "ready" } else { "not ready" }
    );
    for item in report.blocking_failures() {
        tracing::warn!(
            target: "prodready",
            item = %item.id,
            gate = %item.gate,
            status = %item.status,
            "{}",
            item.message
        );
    }
}

fn failing(report: &Report) -> String {
    let lines: Vec<String> = report
        .blocking_failures()
        .map(|i| format!("\n  ✗ {} [{} gate]: {}", i.id, i.gate, i.message))
        .collect();
    format!("{} item(s) fail a gate{}", lines.len(), lines.concat())
}

/// Which `#[prodready::check]` functions `build()` binds.
#[derive(Debug, Clone, Copy)]
enum Registered {
    /// Every one: a check for an item the checklist lacks is an error.
    All,
    /// Those of the checklist's items; the others are ignored.
    OfItsItems,
    /// None.
    None,
}

/// Configures a [`Readiness`]: the service, the checklist, the host, shared resources, policy.
#[must_use]
pub struct ReadinessBuilder {
    service: ServiceInfo,
    checklist: Checklist,
    host: Arc<dyn Host>,
    resources: Resources,
    settings: Settings,
    registered: Registered,
    problems: Vec<String>,
    runtime: runtime::RuntimeSettings,
    pub(crate) access: crate::http::Access,
}

impl std::fmt::Debug for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readiness")
            .field("service", &self.inner.service)
            .field("checklist", &self.inner.checklist.name())
            .field("items", &self.inner.checklist.items().len())
            .field("strict", &self.inner.strict)
            .finish_non_exhaustive()
    }
}

impl Readiness {
    /// Starts a builder: an empty checklist, the real host, `#[check]` registrations included.
    pub fn builder() -> ReadinessBuilder {
        ReadinessBuilder {
            service: ServiceInfo {
                name: "service".into(),
                version: "0.0.0".into(),
            },
            checklist: Checklist::new("Checklist"),
            host: Arc::new(RealHost::new()),
            resources: Resources::default(),
            settings: Settings::default(),
            registered: Registered::All,
            problems: Vec::new(),
            runtime: runtime::RuntimeSettings::default(),
            access: crate::http::Access::default(),
        }
    }

    /// The checklist, with every registered check bound.
    pub fn checklist(&self) -> &Checklist {
        &self.inner.checklist
    }

    /// The service's name and version.
    pub fn service(&self) -> &ServiceInfo {
        &self.inner.service
    }

    /// The context checks run with.
    pub fn context(&self) -> &Context {
        &self.inner.ctx
    }

    /// The requests the endpoints answered.
    pub fn probe_log(&self) -> &ProbeLog {
        &self.inner.probes
    }

    /// Whether item `id` answers for a gate (liveness, readiness or startup): what `?exclude=`
    /// accepts on the probes.
    pub fn is_gating(&self, id: &str) -> bool {
        self.inner
            .index
            .get(id)
            .is_some_and(|&i| self.inner.checklist.items()[i].get_gate() != crate::Gate::None)
    }

    #[cfg_attr(not(any(feature = "axum", feature = "hyper-server")), allow(dead_code))]
    pub(crate) fn inner_probe_ttl(&self) -> Duration {
        self.inner.settings.probe_ttl
    }

    pub(crate) fn render_cache(&self) -> &crate::http::RenderCache {
        &self.inner.rendered
    }

    pub(crate) fn access(&self) -> &crate::http::Access {
        &self.inner.access
    }

    /// Whether blocking `pending` items keep the service from being ready.
    pub fn pending_blocks(&self) -> bool {
        self.inner.settings.pending_blocks
    }

    /// Whether [`Readiness::verify_startup`] fails when the service is not ready.
    pub fn is_strict(&self) -> bool {
        self.inner.strict
    }

    /// The current report: straight from the cache while every item is fresh, otherwise one
    /// evaluation of the stale items, shared by every concurrent caller.
    pub async fn evaluate(&self) -> Arc<Report> {
        self.report(Refresh::Stale).await
    }

    /// A report in which every item has just been run (nothing from the cache).
    pub async fn evaluate_fresh(&self) -> Arc<Report> {
        self.report(Refresh::All).await
    }

    /// Re-runs every item whose result expires (what the background refresher does).
    pub async fn refresh(&self) -> Arc<Report> {
        self.report(Refresh::Finite).await
    }

    /// The last complete report, without evaluating anything.
    pub fn latest(&self) -> Option<Arc<Report>> {
        self.inner.lock().last.as_ref().map(|(r, _)| r.clone())
    }

    async fn report(&self, refresh: Refresh) -> Arc<Report> {
        loop {
            let (fut, started_here) = {
                let mut state = self.inner.lock();
                if refresh == Refresh::Stale {
                    if let Some((report, until)) = &state.last {
                        if until.is_none_or(|t| Instant::now() < t) {
                            return report.clone();
                        }
                    }
                }
                match &state.inflight {
                    Some(f) => (f.clone(), false),
                    None => (start_evaluation(&self.inner, &mut state, refresh), true),
                }
            };
            let report = fut.await;
            // A running evaluation is fresh enough for a stale read; a fresh one asked for now
            // must not be one that began before the call (it may predate what the caller saw).
            if started_here || refresh == Refresh::Stale {
                return report;
            }
        }
    }

    /// Evaluates every item afresh, logs the outcome, and in strict mode returns [`NotReady`]
    /// when the startup gate or the readiness gate fails (a service's `main` then exits non-zero,
    /// printing the error's short summary). Otherwise marks the service ready.
    ///
    /// The library prints nothing itself: the outcome goes to `tracing` (target `prodready`), one
    /// `info` event with the counts and one `warn` event per blocking failure, so the service's
    /// subscriber decides where it goes. For the human report, render the returned report:
    /// `Format::Text.render(&report)`.
    pub async fn verify_startup(&self) -> Result<Arc<Report>, NotReady> {
        let report = self.evaluate_fresh().await;
        self.inner.lock().startup = Some(report.clone());
        self.inner.published.set_startup(report.clone());
        log_startup(&report, self.inner.strict);
        if self.inner.strict && !(report.ready && report.startup) {
            return Err(NotReady { report });
        }
        if self.availability() == Availability::Starting {
            self.set_availability(Availability::Ready);
        }
        Ok(report)
    }

    /// Spawns a task that calls [`Readiness::refresh`] every `every`, so probes answer from a warm
    /// cache. The task ends when the last clone of this `Readiness` is dropped.
    pub fn spawn_refresher(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { break };
                Readiness { inner }.refresh().await;
            }
        })
    }
}

/// Starts an evaluation on the check runtime and records it as the one in flight. The work goes
/// on (and fills the cache) whether or not anyone waits for it.
fn start_evaluation(inner: &Arc<Inner>, state: &mut State, refresh: Refresh) -> ReportFuture {
    let task = inner.spawner.spawn(evaluate_all(inner.clone(), refresh));
    let weak = Arc::downgrade(inner);
    let f = async move {
        match task.await {
            Ok(report) => report,
            // Only when the check runtime went away (the readiness is being dropped) or the
            // engine itself panicked: answer with what is known rather than hang.
            Err(e) => match weak.upgrade() {
                Some(inner) => inner.lock().last.as_ref().map_or_else(
                    || {
                        Arc::new(
                            inner.unevaluated(&format!("the evaluation ended abnormally: {e}")),
                        )
                    },
                    |(r, _)| r.clone(),
                ),
                None => Arc::new(Report::new(
                    ServiceInfo {
                        name: String::new(),
                        version: String::new(),
                    },
                    String::new(),
                    Vec::new(),
                    false,
                    String::new(),
                    0.0,
                )),
            },
        }
    }
    .boxed()
    .shared();
    state.inflight = Some(f.clone());
    f
}

/// Clears the in-flight marker when an evaluation ends without finishing (it panicked or was
/// cancelled); a finished one clears it itself, under the same lock that stores its report.
struct InflightGuard(Option<Arc<Inner>>);

impl Drop for InflightGuard {
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            inner.lock().inflight = None;
        }
    }
}

async fn evaluate_all(inner: Arc<Inner>, refresh: Refresh) -> Arc<Report> {
    let mut clear = InflightGuard(Some(inner.clone()));
    let started = Instant::now();
    let all: Vec<usize> = (0..inner.checklist.items().len()).collect();
    let results = run::evaluate(&inner, &all, refresh).await;
    let expires = results.iter().filter_map(|c| c.expires).min();
    let items = results.into_iter().map(|c| c.report).collect();
    let mut report = Report::new(
        inner.service.clone(),
        inner.checklist.name().to_owned(),
        items,
        inner.settings.pending_blocks,
        rfc3339(inner.ctx.host().now()),
        millis(started.elapsed()),
    );
    report.rollback = Rollback::from_items(&report.items, |id| inner.runtime.is_trigger(id));
    report.stalled = run::stall_summary(&report.items);
    let report = Arc::new(report);
    inner.latest.set(report.clone());
    let changes = {
        let mut state = inner.lock();
        let before = state.last.take().map(|(r, _)| r);
        let changes = runtime::changes(&inner, before.as_deref(), &report);
        state.last = Some((report.clone(), expires));
        inner.published.set_last(report.clone(), expires);
        state.inflight = None;
        // Cleared here: the guard must not clear an evaluation started after this one.
        clear.0 = None;
        if state.startup.is_none() {
            state.startup = Some(report.clone());
            inner.published.set_startup(report.clone());
        }
        changes
    };
    runtime::notify(&inner, changes);
    inner.changed.send_modify(|g| *g += 1);
    report
}

impl ReadinessBuilder {
    /// The service's name and version, shown in every report.
    pub fn service(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.service = ServiceInfo {
            name: name.into(),
            version: version.into(),
        };
        self
    }

    /// The checklist to evaluate (every `#[check]` linked in is bound into it at `build`).
    pub fn checklist(mut self, checklist: Checklist) -> Self {
        self.checklist = checklist;
        self
    }

    /// Where checks read the world; [`RealHost`] by default.
    pub fn host(mut self, host: impl Host) -> Self {
        self.host = Arc::new(host);
        self
    }

    /// A shared value checks reach with [`Context::resource`], one per type (a pool, a config).
    pub fn resource<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.resources.insert(value);
        self
    }

    /// Whether a not-ready startup is an error. Unset: `PRODREADY_STRICT=1` (or `true`) on the host.
    pub fn strict(mut self, strict: bool) -> Self {
        self.settings.strict = Some(strict);
        self
    }

    /// Whether blocking items that are `pending` keep the service from being ready (default no).
    pub fn pending_blocks(mut self, blocks: bool) -> Self {
        self.settings.pending_blocks = blocks;
        self
    }

    /// The timeout of items that set none (default 5 s).
    pub fn default_timeout(mut self, timeout: Duration) -> Self {
        if timeout.is_zero() {
            self.problems
                .push("default_timeout must be more than zero".into());
        }
        self.settings.default_timeout = timeout;
        self
    }

    /// How long probe and monitor results stay fresh when their item sets no TTL (default 5 s).
    pub fn probe_ttl(mut self, ttl: Duration) -> Self {
        self.settings.probe_ttl = ttl;
        self
    }

    /// Where checks run (default: a runtime of their own with 2 threads, so a check that blocks
    /// its thread never delays the endpoints).
    pub fn check_runtime(mut self, runtime: CheckRuntime) -> Self {
        self.settings.check_runtime = runtime;
        self
    }

    /// The service's runtime: where checks do the I/O of the service's resources
    /// ([`Context::on_service_runtime`]), such as the built-in database checks' queries through
    /// its pool. Default: the runtime that calls [`build`](Self::build). Give it when the
    /// readiness is built elsewhere (outside any runtime, or on another one than the service's).
    pub fn service_runtime(mut self, handle: tokio::runtime::Handle) -> Self {
        self.settings.service_runtime = Some(handle);
        self
    }

    /// How long `/readiness-checklist` waits for the first evaluation before answering with every
    /// item `pending` (default 250 ms). The probes never wait: before the first evaluation
    /// finished `/readyz` and `/startupz` answer "starting".
    pub fn answer_deadline(mut self, deadline: Duration) -> Self {
        self.settings.answer_deadline = deadline;
        self
    }

    /// Whether `#[prodready::check]` functions linked into the program are bound (default yes).
    pub fn registered_checks(mut self, include: bool) -> Self {
        self.registered = if include {
            Registered::All
        } else {
            Registered::None
        };
        self
    }

    /// Binds only the registered checks of items the checklist has; a `#[check]` for any other
    /// item is ignored (not a `build()` error). For a test of a small checklist, with the
    /// resources its checks need, in a crate whose `#[check]`s cover other items too; what
    /// [`testing::evaluate`](crate::testing::evaluate) uses. A service's own `build()` keeps the
    /// default (every registered check, an unknown item an error), which catches a typo in an id.
    pub fn registered_checks_of_its_items(mut self) -> Self {
        self.registered = Registered::OfItsItems;
        self
    }

    /// Binds the registered checks, validates the checklist and returns every problem at once.
    pub fn build(mut self) -> Result<Readiness, BuildError> {
        let mut problems: Vec<BuildProblem> = std::mem::take(&mut self.problems)
            .into_iter()
            .map(BuildProblem::Setting)
            .collect();
        problems.extend(
            integrations::check_resources(&self.resources)
                .into_iter()
                .map(BuildProblem::Resource),
        );
        let mut checklist = self.checklist;
        match self.registered {
            Registered::All => registry::apply_registered(&mut checklist, &registry::registered()),
            Registered::OfItsItems => {
                let regs = registry::for_items_of(&checklist, registry::registered());
                registry::apply_registered(&mut checklist, &regs);
            }
            Registered::None => {}
        }
        for id in std::mem::take(&mut self.runtime.triggers) {
            checklist.edit_in_place(&id, "rollback_trigger", Item::rollback_trigger);
        }
        let order = match checklist.validate() {
            Err(errors) => {
                problems.extend(
                    errors
                        .into_problems()
                        .into_iter()
                        .map(BuildProblem::Checklist),
                );
                None
            }
            Ok(()) => match checklist.evaluation_order() {
                Ok(order) => Some(order),
                Err(ids) => {
                    problems.push(BuildProblem::Checklist(ChecklistError::DependencyCycle {
                        ids,
                    }));
                    None
                }
            },
        };
        let access = match self.access.resolve(self.host.as_ref()) {
            Ok(access) => Some(access),
            Err(e) => {
                problems.push(BuildProblem::Access(e));
                None
            }
        };
        let (Some(order), Some(access), true) = (order, access, problems.is_empty()) else {
            return Err(BuildError { problems });
        };
        let spawner = pool::Spawner::new(self.settings.check_runtime).map_err(|e| BuildError {
            problems: vec![BuildProblem::CheckRuntime(e.to_string())],
        })?;
        let mut runtime = self.runtime;
        runtime.triggers = checklist
            .items()
            .iter()
            .filter(|i| i.is_rollback_trigger())
            .map(|i| i.id.clone())
            .collect();
        let index = checklist
            .items()
            .iter()
            .enumerate()
            .map(|(i, item)| (item.id.clone(), i))
            .collect();
        let strict = self.settings.strict.unwrap_or_else(|| {
            matches!(
                self.host.env("PRODREADY_STRICT").as_deref().map(str::trim),
                Some("1" | "true" | "yes")
            )
        });
        // Checks see what the endpoints answered (probe and scrape items).
        let probes = ProbeLog::default();
        let latest = LatestReport::default();
        let mut resources = self.resources;
        resources.insert(probes.clone());
        resources.insert(latest.clone());
        resources.insert(self.service.clone());
        if let Some(service) = pool::ServiceRuntime::of(
            self.settings.check_runtime,
            self.settings.service_runtime.clone(),
        ) {
            resources.insert(service);
        }
        let state = State {
            cache: vec![None; checklist.items().len()],
            damp: vec![runtime::Damp::default(); checklist.items().len()],
            ..State::default()
        };
        Ok(Readiness {
            inner: Arc::new(Inner {
                service: self.service,
                index,
                order,
                ctx: Context::new(self.host, resources),
                latest,
                probes,
                settings: self.settings,
                strict,
                checklist,
                runtime,
                availability: runtime::AvailabilityCell::default(),
                changed: tokio::sync::watch::Sender::new(0),
                spawner,
                access,
                published: snapshot::Published::default(),
                rendered: crate::http::RenderCache::default(),
                state: Mutex::new(state),
            }),
        })
    }
}
