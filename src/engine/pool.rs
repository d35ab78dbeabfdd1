//! Where checks run: a small runtime of their own, so a check that blocks its thread (before or
//! after its first `.await`) never delays the service's endpoints or its own routes.

use std::future::Future;
use std::sync::Arc;

/// Where a [`Readiness`](crate::Readiness) runs its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckRuntime {
    /// A multi-thread tokio runtime of its own with this many worker threads (named
    /// `prodready-check`), made when the readiness is built. The default, with 2 threads: a check
    /// that blocks its thread stalls only the other checks, never `/livez`, `/readyz` or the
    /// service's routes.
    ///
    /// The built-in database checks do their queries on the runtime that built the readiness
    /// (through [`Context::on_service_runtime`](crate::Context::on_service_runtime)), so the
    /// connections they open in the service's pool are driven by the service's runtime: they
    /// neither stall while a check holds the check threads nor break when the readiness is
    /// dropped. A check of your own that uses such a resource does the same. That work runs
    /// with the service's isolation, not the checks': it must only await (a call that blocks its
    /// thread there blocks one of the service's), and the check's timeout still bounds it.
    Dedicated {
        /// Worker threads (at least 1).
        threads: usize,
    },
    /// The tokio runtime that asks for an evaluation. For tests that pause time
    /// (`#[tokio::test(start_paused = true)]`) and for programs that want no extra threads; a
    /// check that blocks its thread then blocks one of the service's.
    Current,
}

impl Default for CheckRuntime {
    fn default() -> Self {
        CheckRuntime::Dedicated { threads: 2 }
    }
}

/// The runtime that built the readiness, while checks run on one of their own: checks do the
/// I/O of the service's resources there ([`Context::on_service_runtime`](crate::Context::on_service_runtime)).
pub(crate) struct ServiceRuntime(pub(crate) tokio::runtime::Handle);

impl ServiceRuntime {
    /// `given`, else the calling runtime, when checks run elsewhere (`kind` is dedicated).
    pub(super) fn of(kind: CheckRuntime, given: Option<tokio::runtime::Handle>) -> Option<Self> {
        match kind {
            CheckRuntime::Dedicated { .. } => given
                .or_else(|| tokio::runtime::Handle::try_current().ok())
                .map(ServiceRuntime),
            CheckRuntime::Current => None,
        }
    }
}

/// A handle to spawn checks and evaluations on.
#[derive(Clone)]
pub(super) struct Spawner {
    owned: Option<Arc<Owned>>,
}

/// The dedicated runtime; shut down without waiting when the last readiness goes.
struct Owned(Option<tokio::runtime::Runtime>);

impl Drop for Owned {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            // Never blocks, so the last readiness may be dropped anywhere, even on the runtime's
            // own thread (an evaluation task holding the last reference).
            rt.shutdown_background();
        }
    }
}

impl Spawner {
    pub(super) fn new(kind: CheckRuntime) -> std::io::Result<Self> {
        match kind {
            CheckRuntime::Current => Ok(Spawner { owned: None }),
            CheckRuntime::Dedicated { threads } => {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(threads.max(1))
                    .thread_name("prodready-check")
                    .enable_all()
                    .build()?;
                Ok(Spawner {
                    owned: Some(Arc::new(Owned(Some(rt)))),
                })
            }
        }
    }

    /// Spawns `work` where checks run; the result arrives however busy that runtime is.
    pub(super) fn spawn<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> tokio::task::JoinHandle<T> {
        match self.owned.as_ref().and_then(|o| o.0.as_ref()) {
            Some(rt) => rt.spawn(work),
            None => tokio::spawn(work),
        }
    }
}
