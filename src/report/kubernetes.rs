//! `/livez` and `/readyz` in the Kubernetes API server style: `[+]name ok`, `[-]name failed: reason`.

use super::ItemReport;
use crate::model::Status;
use std::fmt::Write;

/// The verbose body: one line per item, then `{probe} check passed` or `{probe} check failed`.
pub fn render_verbose<'a>(
    probe: &str,
    items: impl IntoIterator<Item = &'a ItemReport>,
    passed: bool,
    pending_blocks: bool,
) -> String {
    let mut out = String::new();
    for item in items {
        if item.status == Status::Fail || (pending_blocks && item.status == Status::Pending) {
            let _ = writeln!(
                out,
                "[-]{} failed: {}",
                item.id,
                item.message
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        } else {
            let _ = writeln!(out, "[+]{} ok", item.id);
        }
    }
    let _ = writeln!(out, "{}", verdict(probe, passed));
    out
}

/// The short body: `ok` when passed, `{probe} check failed` when not.
pub fn render_short(probe: &str, passed: bool) -> String {
    if passed {
        "ok".to_owned()
    } else {
        verdict(probe, passed)
    }
}

fn verdict(probe: &str, passed: bool) -> String {
    format!("{probe} check {}", if passed { "passed" } else { "failed" })
}
