//! The `junit` renderer; what it writes is documented on [`Format::Junit`](super::Format::Junit).

use crate::model::Status;
use crate::report::ItemReport;
use crate::Report;
use std::fmt::Write;

/// What a test case is in JUnit terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Passed,
    Failure,
    Error,
    Skipped,
}

fn verdict(i: &ItemReport, pending_blocks: bool) -> Verdict {
    match i.status {
        Status::Fail => Verdict::Failure,
        Status::Pending if i.blocks_any_gate(pending_blocks) => Verdict::Error,
        Status::Pending | Status::Skipped | Status::NotApplicable | Status::Waived => {
            Verdict::Skipped
        }
        Status::Pass | Status::Warn => Verdict::Passed,
    }
}

/// Whether the report was made with blocking `pending` items failing their gate: a report that
/// is not ready although no item failing a gate is `fail` can only have been.
pub(super) fn pending_blocks(report: &Report) -> bool {
    report.pending_blocks
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    seconds: f64,
}

fn counts<'a>(items: impl IntoIterator<Item = &'a ItemReport>, pending_blocks: bool) -> Counts {
    let mut c = Counts::default();
    for i in items {
        c.tests += 1;
        c.seconds += i.duration_ms / 1000.0;
        match verdict(i, pending_blocks) {
            Verdict::Failure => c.failures += 1,
            Verdict::Error => c.errors += 1,
            Verdict::Skipped => c.skipped += 1,
            Verdict::Passed => {}
        }
    }
    c
}

/// The report as JUnit XML, with blocking `pending` items as `<error>` when `pending_blocks`.
pub(crate) fn render_with(report: &Report, pending_blocks: bool) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all = counts(report.items.iter().map(AsRef::as_ref), pending_blocks);
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">",
        escape(report.checklist.as_str()),
        all.tests,
        all.failures,
        all.errors,
        report.duration_ms / 1000.0,
    );
    let mut sections: Vec<(&str, Vec<&ItemReport>)> = Vec::new();
    for i in report.items.iter().map(AsRef::as_ref) {
        match sections.last_mut() {
            Some((s, items)) if *s == i.section => items.push(i),
            _ => sections.push((i.section.as_str(), vec![i])),
        }
    }
    for (section, items) in sections {
        let c = counts(items.iter().copied(), pending_blocks);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\" timestamp=\"{}\">",
            escape(section),
            c.tests,
            c.failures,
            c.errors,
            c.skipped,
            c.seconds,
            escape(report.evaluated_at.as_str()),
        );
        for i in items {
            out.push_str(&testcase(i, pending_blocks));
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn testcase(i: &ItemReport, pending_blocks: bool) -> String {
    let class = match &i.group {
        Some(g) => format!("{}.{}", i.section, g),
        None => i.section.clone(),
    };
    let mut out = format!(
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
        escape(i.id.as_str()),
        escape(class.as_str()),
        i.duration_ms / 1000.0
    );
    let msg = escape(i.message.as_str());
    let remediation = escape(i.remediation.as_deref().unwrap_or(""));
    let body = match verdict(i, pending_blocks) {
        Verdict::Failure => format!(
            "      <failure message=\"{msg}\" type=\"{}\">{remediation}</failure>\n",
            i.severity.as_str(),
        ),
        Verdict::Error => format!(
            "      <error message=\"pending: {msg}\" type=\"pending\">a blocking item with nothing verified fails its gate where pending blocks{}</error>\n",
            if remediation.is_empty() { String::new() } else { format!(": {remediation}") },
        ),
        Verdict::Skipped => format!(
            "      <skipped message=\"{}: {msg}\"/>\n",
            i.status.as_str()
        ),
        Verdict::Passed if i.status == Status::Warn => {
            format!("      <system-out>warn: {msg}</system-out>\n")
        }
        Verdict::Passed => String::new(),
    };
    if body.is_empty() {
        out.push_str("/>\n");
    } else {
        let _ = write!(out, ">\n{body}    </testcase>\n");
    }
    out
}

/// `text` with the five XML special characters escaped.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['<', '>', '&', '\'', '"']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}
