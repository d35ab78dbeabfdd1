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
pub(crate) mod verdict;
pub mod verification;
pub mod window;

use crate::Check;
use std::sync::Arc;

/// Every built-in check the standard checklist binds, by item id.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>, &'static str)> {
    let mut all = Vec::new();
    let mut add = |from: &'static str, list: Vec<(&'static str, Arc<dyn Check>)>| {
        all.extend(list.into_iter().map(|(id, check)| (id, check, from)));
    };
    add("checks::process", process::standard_bindings());
    add("checks::container", container::standard_bindings());
    add("checks::cgroup", cgroup::standard_bindings());
    add("checks::kubernetes", kubernetes::standard_bindings());
    add("checks::env", env::standard_bindings());
    add("checks::config", config::standard_bindings());
    add("checks::urls", urls::standard_bindings());
    add("checks::contacts", contacts::standard_bindings());
    add("checks::window", window::standard_bindings());
    add("checks::secrets", secrets::standard_bindings());
    #[cfg(feature = "tls")]
    add("checks::tls", tls::standard_bindings());
    #[cfg(not(feature = "tls"))]
    add(
        "checks::tls",
        vec![(
            "security.data-protection.tls-ssl-enabled",
            Arc::new(crate::check_fn(|_ctx| async {
                crate::Outcome::pending(
                    "certificates are checked with the `tls` feature, which is off",
                )
                .remediation("build prodready with `features = [\"tls\"]`")
            })) as Arc<dyn Check>,
        )],
    );
    add("checks::logging", logging::standard_bindings());
    add("checks::dependencies", dependencies::standard_bindings());
    add("checks::verification", verification::standard_bindings());
    add("evidence", crate::evidence::standard_bindings());
    add("monitor", crate::monitor::standard_bindings());
    all
}
