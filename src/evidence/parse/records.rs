//! Operations records an attestation item accepts instead of a signature: Grafana dashboards,
//! notification receipts, log-backend query answers and rollback rehearsal reports.

use super::ParseError;
use serde_json::Value;

/// What a Grafana dashboard holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dashboard {
    /// `title`.
    pub title: String,
    /// Panels, rows not counted (nested and legacy `rows[].panels` included).
    pub panels: usize,
    /// The panels' query texts (`targets[].expr`, `query`, `rawSql`, `expression`).
    pub queries: Vec<String>,
    /// Template variables (`templating.list`).
    pub variables: usize,
}

/// Parses a Grafana dashboard: the JSON model as exported, the `GET /api/dashboards/uid/…`
/// answer (`{"dashboard": …, "meta": …}`), or an array of either.
pub fn grafana_dashboards(file: &str, text: &str) -> Result<Vec<Dashboard>, ParseError> {
    let v: Value = super::json(file, text)?;
    let list = match &v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    list.into_iter()
        .enumerate()
        .map(|(i, d)| {
            let d = d.get("dashboard").unwrap_or(d);
            let title = d.get("title").and_then(Value::as_str);
            let has_panels = d.get("panels").is_some_and(Value::is_array)
                || d.get("rows").is_some_and(Value::is_array);
            let Some(title) = title.filter(|_| has_panels) else {
                return Err(ParseError::new(
                    file,
                    1,
                    1,
                    format!("dashboard {i}: no `title` and `panels`: not a Grafana dashboard"),
                ));
            };
            let mut out = Dashboard {
                title: title.to_owned(),
                variables: d["templating"]["list"].as_array().map_or(0, Vec::len),
                ..Dashboard::default()
            };
            let mut panels: Vec<&Value> = d["panels"].as_array().into_iter().flatten().collect();
            for row in d["rows"].as_array().into_iter().flatten() {
                panels.extend(row["panels"].as_array().into_iter().flatten());
            }
            while let Some(p) = panels.pop() {
                panels.extend(p["panels"].as_array().into_iter().flatten());
                if p["type"] == "row" {
                    continue;
                }
                out.panels += 1;
                for t in p["targets"].as_array().into_iter().flatten() {
                    let q = ["expr", "query", "rawSql", "expression"]
                        .iter()
                        .find_map(|k| t[*k].as_str().filter(|q| !q.trim().is_empty()));
                    if let Some(q) = q {
                        out.queries.push(q.to_owned());
                    }
                }
            }
            Ok(out)
        })
        .collect()
}

/// A record that a notification was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notification {
    /// Where it went (a Slack channel id, `#deploys`, a webhook name).
    pub channel: String,
    /// Whether the receiver accepted it.
    pub delivered: bool,
    /// Why not, when the receiver said.
    pub failure: Option<String>,
    /// When it was sent (RFC 3339).
    pub sent_at: Option<String>,
    /// The text sent, when recorded.
    pub text: Option<String>,
}

/// Parses a notification receipt: Slack's `chat.postMessage` answer (`{"ok", "channel", "ts",
/// "message": {"text"}}`), or a webhook record `{"channel", "sent_at", "http_status", "message"}`
/// where `http_status` is the status the webhook answered.
pub fn notification(file: &str, text: &str) -> Result<Notification, ParseError> {
    let v: Value = super::json(file, text)?;
    let s = |x: &Value| x.as_str().map(str::to_owned);
    if let Some(ok) = v.get("ok").and_then(Value::as_bool) {
        let sent_at = match v["ts"].as_str() {
            Some(ts) => Some(slack_ts(file, ts)?),
            None if ok => {
                return Err(ParseError::new(
                    file,
                    1,
                    1,
                    "a Slack answer with `ok: true` has no `ts`",
                ))
            }
            None => None,
        };
        return Ok(Notification {
            channel: s(&v["channel"]).unwrap_or_default(),
            delivered: ok,
            failure: s(&v["error"]),
            sent_at,
            text: s(&v["message"]["text"]),
        });
    }
    let Some(status) = v.get("http_status").and_then(Value::as_u64) else {
        return Err(ParseError::new(
            file,
            1,
            1,
            "not a notification receipt: expected Slack's chat.postMessage answer ({\"ok\", \"channel\", \"ts\"}) or {\"channel\", \"sent_at\", \"http_status\"}",
        ));
    };
    let sent_at = s(&v["sent_at"]).ok_or_else(|| ParseError::new(file, 1, 1, "no `sent_at`"))?;
    if sent_at.parse::<jiff::Timestamp>().is_err() {
        return Err(ParseError::new(
            file,
            1,
            1,
            format!("`sent_at` {sent_at} is not RFC 3339"),
        ));
    }
    Ok(Notification {
        channel: s(&v["channel"]).unwrap_or_default(),
        delivered: (200..300).contains(&status),
        failure: (!(200..300).contains(&status))
            .then(|| format!("the webhook answered HTTP {status}")),
        sent_at: Some(sent_at),
        text: s(&v["message"]),
    })
}

/// Slack's `ts` (`"1503435956.000247"`) as RFC 3339.
fn slack_ts(file: &str, ts: &str) -> Result<String, ParseError> {
    let secs = ts.split('.').next().and_then(|s| s.parse::<i64>().ok());
    secs.and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(|t| t.to_string())
        .ok_or_else(|| ParseError::new(file, 1, 1, format!("`ts` {ts} is not a Slack timestamp")))
}

/// What a log backend answered to a query for the service's logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    /// `loki` or `elasticsearch`.
    pub backend: &'static str,
    /// Log lines (or documents) the query matched.
    pub lines: u64,
    /// Why the query failed, when the backend said so.
    pub failure: Option<String>,
}

/// Parses a log query answer: Loki's `/loki/api/v1/query_range` or `/query` JSON (`streams`:
/// lines counted; `vector`/`matrix` of a `count_over_time` query: the counts summed, a matrix by
/// its last sample), or an Elasticsearch / OpenSearch `_count` or `_search` answer.
pub fn log_query(file: &str, text: &str) -> Result<LogQuery, ParseError> {
    let v: Value = super::json(file, text)?;
    if let Some(status) = v.get("status").and_then(Value::as_str) {
        if status != "success" {
            return Ok(LogQuery {
                backend: "loki",
                lines: 0,
                failure: Some(v["error"].as_str().unwrap_or(status).to_owned()),
            });
        }
        let result = v["data"]["result"].as_array().ok_or_else(|| {
            ParseError::new(file, 1, 1, "no `data.result` list: not a Loki query answer")
        })?;
        let count = |x: &Value| {
            x.as_str()
                .and_then(|n| n.parse::<f64>().ok())
                .unwrap_or(0.0) as u64
        };
        let lines = match v["data"]["resultType"].as_str() {
            Some("streams") => result
                .iter()
                .map(|s| s["values"].as_array().map_or(0, Vec::len) as u64)
                .sum(),
            Some("vector") => result.iter().map(|s| count(&s["value"][1])).sum(),
            Some("matrix") => result
                .iter()
                .map(|s| {
                    s["values"]
                        .as_array()
                        .and_then(|v| v.last())
                        .map_or(0, |l| count(&l[1]))
                })
                .sum(),
            other => {
                return Err(ParseError::new(
                    file,
                    1,
                    1,
                    format!("`data.resultType` is {other:?}: expected streams, vector or matrix"),
                ))
            }
        };
        return Ok(LogQuery {
            backend: "loki",
            lines,
            failure: None,
        });
    }
    let total = v.get("count").and_then(Value::as_u64).or_else(|| {
        let t = &v["hits"]["total"];
        t["value"].as_u64().or_else(|| t.as_u64())
    });
    match total {
        Some(lines) => Ok(LogQuery { backend: "elasticsearch", lines, failure: None }),
        None => Err(ParseError::new(
            file,
            1,
            1,
            "not a log query answer: expected Loki's query JSON ({\"status\", \"data\": {\"result\"}}) or an Elasticsearch/OpenSearch `_count`/`_search` answer",
        )),
    }
}

/// A rollback rehearsal: which version was rolled back to which, and whether it worked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Rehearsal {
    /// The version rolled back from (the one being released).
    pub from: String,
    /// The version rolled back to.
    pub to: String,
    /// Whether the rollback completed and the old version served.
    pub succeeded: bool,
    /// When (RFC 3339).
    pub performed_at: String,
}

/// Parses a rehearsal record `{"from", "to", "succeeded", "performed_at"}` (other fields, such
/// as `steps` or `duration_seconds`, are allowed).
pub fn rollback_rehearsal(file: &str, text: &str) -> Result<Rehearsal, ParseError> {
    let r: Rehearsal = super::json(file, text)?;
    if r.performed_at.parse::<jiff::Timestamp>().is_err() {
        return Err(ParseError::new(
            file,
            1,
            1,
            format!("`performed_at` {} is not RFC 3339", r.performed_at),
        ));
    }
    Ok(r)
}
