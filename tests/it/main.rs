//! Integration tests of the library, grouped into one binary so the suite builds fast.

mod common;
mod engine;
mod http;
mod render;
#[cfg(feature = "hyper-server")]
mod server;
mod standard;
mod startup;
mod testing;
