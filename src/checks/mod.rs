//! Built-in checks, one module per domain. Each reads the world only through the
//! [`Host`](crate::Host) of its [`Context`](crate::Context), so it runs the same against a fake
//! root in a unit test and against the real machine.
//!
//! [`standard::production_deployment`](crate::standard::production_deployment) binds them to
//! their items; each can also be built with its own settings and bound to any item.

pub mod cgroup;
pub mod config;
pub mod contacts;
pub mod container;
pub mod dependencies;
pub mod env;
pub mod kubernetes;
pub mod logging;
pub mod process;
pub mod secrets;
#[cfg(feature = "tls")]
pub mod tls;
pub mod urls;
pub mod verification;
pub mod window;

use crate::Check;
use std::sync::Arc;

/// Every built-in check the standard checklist binds, by item id.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    let mut all = Vec::new();
    all.extend(process::standard_bindings());
    all.extend(container::standard_bindings());
    all.extend(cgroup::standard_bindings());
    all.extend(kubernetes::standard_bindings());
    all.extend(env::standard_bindings());
    all.extend(config::standard_bindings());
    all.extend(urls::standard_bindings());
    all.extend(contacts::standard_bindings());
    all.extend(window::standard_bindings());
    all.extend(secrets::standard_bindings());
    #[cfg(feature = "tls")]
    all.extend(tls::standard_bindings());
    #[cfg(not(feature = "tls"))]
    all.push((
        "security.data-protection.tls-ssl-enabled",
        Arc::new(crate::check_fn(|_ctx| async {
            crate::Outcome::pending("certificates are checked with the `tls` feature, which is off")
                .remediation("build prodready with `features = [\"tls\"]`")
        })) as Arc<dyn Check>,
    ));
    all.extend(logging::standard_bindings());
    all.extend(dependencies::standard_bindings());
    all.extend(verification::standard_bindings());
    all.extend(crate::evidence::standard_bindings());
    all.extend(crate::monitor::standard_bindings());
    all
}
