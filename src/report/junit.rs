//! `junit`: one `<testsuite>` per section, one `<testcase>` per item; `fail` is a `<failure>`,
//! `pending`, `skipped`, `not_applicable` and `waived` are `<skipped>`.

use crate::model::Status;
use crate::Report;
use quick_xml::escape::escape;
use std::fmt::Write;

/// The report as JUnit XML.
pub fn render(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let count = |items: &[&crate::ItemReport], f: &dyn Fn(Status) -> bool| {
        items.iter().filter(|i| f(i.status)).count()
    };
    let all: Vec<&crate::ItemReport> = report.items.iter().map(|i| i.as_ref()).collect();
    let skipped = |s: Status| {
        matches!(
            s,
            Status::Pending | Status::Skipped | Status::NotApplicable | Status::Waived
        )
    };
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\" timestamp=\"{}\">",
        escape(report.checklist.as_str()),
        all.len(),
        count(&all, &|s| s == Status::Fail),
        count(&all, &skipped),
        report.duration_ms / 1000.0,
        escape(report.evaluated_at.as_str()),
    );
    let mut sections: Vec<(&str, Vec<&crate::ItemReport>)> = Vec::new();
    for i in &all {
        match sections.last_mut() {
            Some((s, items)) if *s == i.section => items.push(i),
            _ => sections.push((i.section.as_str(), vec![i])),
        }
    }
    for (section, items) in sections {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
            escape(section),
            items.len(),
            count(&items, &|s| s == Status::Fail),
            count(&items, &skipped)
        );
        for i in items {
            let class = match &i.group {
                Some(g) => format!("{}.{}", i.section, g),
                None => i.section.clone(),
            };
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
                escape(i.id.as_str()),
                escape(class.as_str()),
                i.duration_ms / 1000.0
            );
            let msg = escape(i.message.as_str());
            let body = match i.status {
                Status::Fail => format!(
                    "      <failure message=\"{msg}\" type=\"{}\">{}</failure>\n",
                    i.severity.as_str(),
                    escape(i.remediation.as_deref().unwrap_or(""))
                ),
                s if skipped(s) => format!("      <skipped message=\"{}: {msg}\"/>\n", s.as_str()),
                Status::Warn => format!("      <system-out>warn: {msg}</system-out>\n"),
                _ => String::new(),
            };
            if body.is_empty() {
                out.push_str("/>\n");
            } else {
                let _ = write!(out, ">\n{body}    </testcase>\n");
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
