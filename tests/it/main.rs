//! Integration tests of the library, grouped into one binary so the suite builds fast.

// Tests may unwrap: a panic is how they fail.
#![allow(clippy::unwrap_used)]

mod canary;
mod checks;
mod common;
mod conformance;
mod engine;
mod evidence;
mod http;
mod integrations;
mod monitor;
mod probes;
mod render;
#[cfg(feature = "hyper-server")]
mod server;
mod standard;
mod startup;
mod testing;
