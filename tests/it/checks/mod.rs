//! Built-in checks against the real machine (their fake-root tests live beside them in `src/checks`).

mod cgroup;
mod config;
mod contacts;
mod container;
mod env;
mod kubernetes;
mod logging;
mod process;
mod secrets;
#[cfg(feature = "tls")]
mod tls;
mod urls;
mod window;
