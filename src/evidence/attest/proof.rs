//! How an artifact that stands in for an attestation is judged, per kind.
//!
//! | kind | the artifact must be | passes when |
//! | --- | --- | --- |
//! | `dashboards` | Grafana dashboard JSON (export or API answer) | every dashboard has a title and a panel with a query; with a workload name declared, a query or a template variable can select the service |
//! | `notification` | Slack `chat.postMessage` answer, or `{"channel", "sent_at", "http_status", "message"}` | delivered (`ok: true` / 2xx) to a named channel, and the text names the running version |
//! | `log-shipping` | Loki query answer, or Elasticsearch/OpenSearch `_count`/`_search` answer | the backend found at least one log line of the service |
//! | `rollback-rehearsal` | `{"from", "to", "succeeded", "performed_at"}`, or a JUnit report of the rehearsal | it succeeded, from the running version to the previous release (where known) |
//!
//! Any other kind is `warn` ("artifact present but not judged"), never `pass`.

use crate::evidence::bundle::Loaded;
use crate::evidence::parse::{self, records, ParseError};
use crate::evidence::running::Running;
use crate::evidence::spec::Previous;
use crate::evidence::EvidenceSpec;
use crate::{Context, Outcome, Status};

/// The kinds whose content is judged.
pub const JUDGED_KINDS: [&str; 4] = [
    "dashboards",
    "notification",
    "log-shipping",
    "rollback-rehearsal",
];

/// How to produce an artifact of `kind`.
pub(crate) fn how(kind: &str) -> String {
    match kind {
        "dashboards" => "export the Grafana dashboard JSON (or save `GET /api/dashboards/uid/<uid>`)".into(),
        "notification" => "save the notification's receipt: Slack's chat.postMessage answer, or {\"channel\", \"sent_at\", \"http_status\", \"message\"}".into(),
        "log-shipping" => "save the log backend's answer to a query for the service's logs (Loki query_range JSON, or Elasticsearch `_count`)".into(),
        "rollback-rehearsal" => "record the rehearsal as {\"from\", \"to\", \"succeeded\", \"performed_at\"} JSON (or its JUnit report)".into(),
        other => format!("ship the `{other}` artifact"),
    }
}

/// Judges the artifacts of `kind`: `pass` only when every file proves the item.
pub(crate) fn judge(
    kind: &str,
    ctx: &Context,
    spec: &EvidenceSpec,
    running: Option<&Running>,
    files: &[Loaded],
) -> Outcome {
    let shown: Vec<String> = files.iter().map(Loaded::shown).collect();
    let judge_one: fn(&Context, &EvidenceSpec, Option<&Running>, &Loaded, &str) -> Outcome =
        match kind {
            "dashboards" => dashboards,
            "notification" => notification,
            "log-shipping" => logs,
            "rollback-rehearsal" => rehearsal,
            other => {
                return Outcome::warn(format!(
                    "artifact present but not judged: no rule for evidence of kind `{other}` ({})",
                    shown.join(", ")
                ))
                .detail("files", shown)
                .remediation(format!(
                    "attest the item instead, or ship one of the judged kinds ({})",
                    JUDGED_KINDS.join(", ")
                ));
            }
        };
    let mut passed = Vec::new();
    for f in files {
        let text = match f.text() {
            Ok(t) => t,
            Err(o) => return o,
        };
        let out = judge_one(ctx, spec, running, f, text);
        if out.status() != Status::Pass {
            return out.detail("file", f.shown());
        }
        passed.push(out.message().to_owned());
    }
    Outcome::pass(passed.join("; ")).detail("files", shown)
}

fn malformed(e: ParseError) -> Outcome {
    Outcome::fail(format!("malformed evidence: {e}"))
        .remediation("regenerate the artifact with its tool")
}

fn dashboards(
    _: &Context,
    spec: &EvidenceSpec,
    _: Option<&Running>,
    f: &Loaded,
    text: &str,
) -> Outcome {
    let boards = match records::grafana_dashboards(&f.shown(), text) {
        Ok(b) => b,
        Err(e) => return malformed(e),
    };
    let mut seen = Vec::new();
    for b in &boards {
        if b.queries.is_empty() {
            return Outcome::fail(format!(
                "dashboard `{}` in {} has {} panels and no query: it shows nothing of the service",
                b.title,
                f.shown(),
                b.panels
            ))
            .remediation("add panels that query the service's metrics");
        }
        if let Some(name) = &spec.workload.name {
            if b.variables == 0 && !b.queries.iter().any(|q| q.contains(name.as_str())) {
                return Outcome::warn(format!(
                    "dashboard `{}` has {} queries, none naming `{name}` and no template variable to select it",
                    b.title,
                    b.queries.len()
                ))
                .remediation(format!("select the service in the queries (e.g. `job=\"{name}\"`)"));
            }
        }
        seen.push(format!(
            "`{}` ({} panels, {} queries)",
            b.title,
            b.panels,
            b.queries.len()
        ));
    }
    Outcome::pass(format!("Grafana dashboards {}", seen.join(", ")))
}

fn notification(
    _: &Context,
    _: &EvidenceSpec,
    running: Option<&Running>,
    f: &Loaded,
    text: &str,
) -> Outcome {
    let n = match records::notification(&f.shown(), text) {
        Ok(n) => n,
        Err(e) => return malformed(e),
    };
    if !n.delivered {
        return Outcome::fail(format!(
            "the notification was not delivered: {}",
            n.failure.as_deref().unwrap_or("the receiver refused it")
        ))
        .remediation("send the notification again and record the receipt");
    }
    if n.channel.trim().is_empty() {
        return Outcome::fail("the notification receipt names no channel")
            .remediation("record where the notification went");
    }
    let at = n.sent_at.as_deref().unwrap_or("?");
    let Some(r) = running else {
        return Outcome::pass(format!("team notified on {} at {at}", n.channel));
    };
    match n.text.as_deref() {
        Some(t) if t.contains(r.version.as_str()) => Outcome::pass(format!(
            "team notified on {} at {at} about {}",
            n.channel, r.version
        ))
        .detail("channel", &n.channel)
        .detail("sent_at", at),
        Some(_) => Outcome::warn(format!(
            "a notification went to {} at {at}, but its text does not name the version {}",
            n.channel, r.version
        ))
        .remediation("name the version being deployed in the notification"),
        None => Outcome::warn(format!(
            "a notification went to {} at {at}, but the receipt records no text: cannot tell it was about {}",
            n.channel, r.version
        ))
        .remediation("record the message text in the receipt (`message`)"),
    }
}

fn logs(_: &Context, _: &EvidenceSpec, _: Option<&Running>, f: &Loaded, text: &str) -> Outcome {
    let q = match records::log_query(&f.shown(), text) {
        Ok(q) => q,
        Err(e) => return malformed(e),
    };
    if let Some(why) = q.failure {
        return Outcome::fail(format!("the {} query failed: {why}", q.backend))
            .remediation("fix the query and record the answer again");
    }
    if q.lines == 0 {
        return Outcome::fail(format!(
            "the {} query found no log line of the service: its logs are not reaching the backend",
            q.backend
        ))
        .remediation(
            "check the log shipper's configuration and query again after the service has logged",
        );
    }
    Outcome::pass(format!(
        "{} has {} log lines of the service",
        q.backend, q.lines
    ))
    .detail("log_lines", q.lines)
}

fn rehearsal(
    _: &Context,
    spec: &EvidenceSpec,
    running: Option<&Running>,
    f: &Loaded,
    text: &str,
) -> Outcome {
    if text.trim_start().starts_with('<') {
        return match f.digest::<parse::tests::TestCounts>(parse::field::TESTS) {
            Err(o) => o,
            Ok(c) if c.ran() == 0 => Outcome::fail("the rollback rehearsal report ran no test"),
            Ok(c) if c.failures + c.errors > 0 => Outcome::fail(format!(
                "the rollback rehearsal failed: {}",
                c.failed_names.join(", ")
            )),
            Ok(c) => Outcome::pass(format!("rollback rehearsal: {} tests passed", c.ran())),
        };
    }
    let r = match records::rollback_rehearsal(&f.shown(), text) {
        Ok(r) => r,
        Err(e) => return malformed(e),
    };
    let bare = |v: &str| v.trim_start_matches('v').to_owned();
    if !r.succeeded {
        return Outcome::fail(format!(
            "the rollback rehearsal from {} to {} failed",
            r.from, r.to
        ))
        .remediation("fix the rollback and rehearse it again");
    }
    if let Some(run) = running {
        if bare(&r.from) != bare(&run.version) {
            return Outcome::fail(format!(
                "the rehearsal rolled back from {}, running {}",
                r.from, run.version
            ))
            .remediation("rehearse the rollback of this version");
        }
    }
    if let Previous::Tag(prev) = spec.previous() {
        if bare(&r.to) != bare(prev) {
            return Outcome::fail(format!(
                "the rehearsal rolled back to {}, the previous release is {prev}",
                r.to
            ))
            .remediation("rehearse the rollback to the previous release");
        }
    }
    Outcome::pass(format!(
        "rollback from {} to {} rehearsed at {}",
        r.from, r.to, r.performed_at
    ))
}
