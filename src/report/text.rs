//! `?format=text`: the human report, one line per item with ✓ ! ✗ and a hint under failures,
//! grouped like the checklist.

use super::{sections, ItemReport, Report, WITHHELD};
use crate::model::{Gate, Status};
use std::fmt::Write;

/// The report as text.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let gate = |ok: bool, gate: Gate, name: &str| match (ok, report.gate_failures(gate).count()) {
        (true, _) => None,
        // A filtered report: what fails the gate is not in this view.
        (false, 0) => Some(format!("{name} (see the whole checklist)")),
        (false, n) => Some(format!("{name} ({n} {gate} item(s) failing)")),
    };
    let verdict = [
        gate(report.ready, Gate::Readiness, "NOT READY"),
        gate(report.startup, Gate::Startup, "MAY NOT START"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    let verdict = if verdict.is_empty() {
        "READY".to_owned()
    } else {
        verdict.join(" · ")
    };
    let _ = writeln!(
        out,
        "{} {} · {}\n{verdict} · {} · evaluated {} in {:.1} ms",
        report.service.name,
        report.service.version,
        report.checklist,
        report.summary,
        report.evaluated_at,
        report.duration_ms
    );
    if let Some(stalled) = &report.stalled {
        let _ = writeln!(out, "! {}", one_line(stalled));
    }
    for (section, groups) in sections(&report.items) {
        let _ = write!(out, "\n{section}\n");
        for (group, items) in groups {
            let indent = match group {
                Some(g) => {
                    let _ = writeln!(out, "  {g}");
                    "    "
                }
                None => "  ",
            };
            for item in items {
                line(&mut out, indent, item);
            }
        }
    }
    out
}

/// One item as text (the line and, under a failure, its hint).
pub(crate) fn render_item(item: &ItemReport) -> String {
    let mut out = String::new();
    line(&mut out, "", item);
    out
}

fn line(out: &mut String, indent: &str, item: &ItemReport) {
    let _ = write!(out, "{indent}{} {}", item.status.symbol(), item.title);
    if !item.message.is_empty() && item.message != WITHHELD {
        let _ = write!(out, ": {}", one_line(&item.message));
    }
    let _ = writeln!(out, "  [{}]", item.id);
    if matches!(item.status, Status::Fail | Status::Warn) {
        if let Some(hint) = &item.remediation {
            let _ = writeln!(out, "{indent}    ↳ {}", one_line(hint));
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
