//! The endpoints, as a framework-free core ([`handle`]) shared by the axum [`Router`](crate::Readiness::router)
//! and the standalone hyper server.
//!
//! | path | answers |
//! | --- | --- |
//! | `GET /readiness-checklist` | the whole report; 200 when ready, 503 when not. `?format=json\|text\|markdown` or `Accept`; filters `section`, `group`, `kind`, `status`, `severity`, `tag` (repeat a parameter or separate values with commas to allow several) |
//! | `GET /readiness-checklist/{id}` | one item; 503 when it fails, 404 for an unknown id |
//! | `GET /livez`, `GET /readyz` | `ok` (200) or `… check failed` (503); `?verbose` lists `[+]id ok` / `[-]id failed: reason`; `?exclude=id` (repeatable) |
//!
//! An unknown query parameter or value is a 400 with a JSON body naming it.

#[cfg(feature = "axum")]
mod axum;
mod query;
#[cfg(feature = "hyper-server")]
pub mod server;

use crate::model::Status;
use crate::report::{json, kubernetes, markdown, text, Format, ItemReport, Report};
use crate::Readiness;
use query::{Query, QueryError};
use std::sync::Arc;

/// The path of the whole checklist.
pub const CHECKLIST_PATH: &str = "/readiness-checklist";
/// The liveness probe path.
pub const LIVEZ_PATH: &str = "/livez";
/// The readiness probe path.
pub const READYZ_PATH: &str = "/readyz";
/// The startup probe path: 503 while the service says it is starting.
pub const STARTUPZ_PATH: &str = "/startupz";
/// The Prometheus scrape path (feature `prometheus`).
pub const METRICS_PATH: &str = crate::monitor::METRICS_PATH;

/// What the core needs from an HTTP request.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The method (`GET`, `HEAD`, …).
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The `Accept` header.
    pub accept: Option<&'a str>,
    /// The `User-Agent` header (a `kube-probe/…` request is recorded as a Kubernetes probe).
    pub user_agent: Option<&'a str>,
}

/// What the core answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// Extra headers (`Allow` on a 405).
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: String,
}

impl<'a> Request<'a> {
    /// The parts of an `http::Request` (axum's and hyper's) the core reads.
    pub fn from_http<B>(req: &'a http::Request<B>) -> Self {
        let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
        Self {
            method: req.method().as_str(),
            path: req.uri().path(),
            query: req.uri().query(),
            accept: header(http::header::ACCEPT),
            user_agent: header(http::header::USER_AGENT),
        }
    }
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: String) -> Self {
        Self {
            status,
            content_type,
            headers: Vec::new(),
            body,
        }
    }

    fn json_error(status: u16, body: serde_json::Value) -> Self {
        Self::new(status, "application/json", body.to_string())
    }
}

impl Response {
    /// The answer as an `http::Response` with `Content-Type`, `Cache-Control: no-store` and any
    /// extra headers set.
    pub fn into_http(self) -> http::Response<String> {
        let mut response = http::Response::new(self.body);
        *response.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(self.content_type),
        );
        headers.insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        for (name, value) in self.headers {
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        response
    }
}

impl From<QueryError> for Response {
    fn from(e: QueryError) -> Self {
        Response::json_error(400, e.to_json())
    }
}

/// Answers `req` if its path is one of the endpoints; `None` for any other path.
pub async fn handle(readiness: &Readiness, req: Request<'_>) -> Option<Response> {
    let route = match req.path {
        CHECKLIST_PATH => Route::Checklist,
        LIVEZ_PATH => Route::Livez,
        READYZ_PATH => Route::Readyz,
        STARTUPZ_PATH => Route::Startupz,
        #[cfg(feature = "prometheus")]
        METRICS_PATH => Route::Metrics,
        p => Route::Item(p.strip_prefix(CHECKLIST_PATH)?.strip_prefix('/')?),
    };
    if !matches!(req.method, "GET" | "HEAD") {
        let mut r = Response::json_error(
            405,
            serde_json::json!({"error": format!("method {} is not allowed: use GET", req.method)}),
        );
        r.headers.push(("allow", "GET, HEAD".to_owned()));
        return Some(r);
    }
    let endpoint = match route {
        Route::Checklist | Route::Item(_) => CHECKLIST_PATH,
        Route::Livez => LIVEZ_PATH,
        Route::Readyz => READYZ_PATH,
        Route::Startupz => STARTUPZ_PATH,
        #[cfg(feature = "prometheus")]
        Route::Metrics => METRICS_PATH,
    };
    let query = match Query::parse(req.query) {
        Ok(q) => q,
        Err(e) => return Some(recorded(readiness, endpoint, &req, e.into())),
    };
    let answer = match route {
        Route::Checklist => checklist(readiness, &query, req.accept).await,
        Route::Item(id) => item(readiness, id, &query, req.accept).await,
        Route::Livez => livez(readiness, &query).await,
        Route::Readyz => readyz(readiness, &query).await,
        Route::Startupz => startupz(readiness, &query),
        #[cfg(feature = "prometheus")]
        Route::Metrics => metrics(readiness, &query).await,
    };
    let answer = answer.unwrap_or_else(Response::from);
    Some(recorded(readiness, endpoint, &req, answer))
}

/// Records the answer in the probe log (checks judge scrapes and probes by what they were
/// answered), then returns it.
fn recorded(
    readiness: &Readiness,
    endpoint: &str,
    req: &Request<'_>,
    answer: Response,
) -> Response {
    let log = readiness.probe_log();
    log.record_answer(endpoint, req.user_agent, answer.status, answer.body.len());
    answer
}

enum Route<'a> {
    Checklist,
    Item(&'a str),
    Livez,
    Readyz,
    Startupz,
    #[cfg(feature = "prometheus")]
    Metrics,
}

fn pick_format(query: &Query, accept: Option<&str>) -> Result<Format, QueryError> {
    if let Some(name) = query.single("format")? {
        return Format::from_name(name).ok_or_else(|| {
            QueryError::bad_value("format", name, Format::ALL.iter().map(|f| f.name()))
        });
    }
    Ok(accept.and_then(negotiate).unwrap_or(Format::Json))
}

/// The best format for an `Accept` header, by quality; `None` when it names none of ours.
fn negotiate(accept: &str) -> Option<Format> {
    let mut ranges: Vec<(f32, usize, &str)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(pos, part)| {
            let mut params = part.split(';');
            let media = params.next()?.trim();
            let q = params
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q > 0.0).then_some((q, pos, media))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.into_iter().find_map(|(_, _, media)| match media {
        "*/*" | "application/*" => Some(Format::Json),
        "text/*" => Some(Format::Text),
        m => Format::from_media_type(&m.to_ascii_lowercase()),
    })
}

async fn checklist(
    readiness: &Readiness,
    query: &Query,
    accept: Option<&str>,
) -> Result<Response, QueryError> {
    query.allow(&[
        "format", "section", "group", "kind", "status", "severity", "tag",
    ])?;
    let format = pick_format(query, accept)?;
    let report = readiness.evaluate().await;
    let report = query::filter(&report, query)?;
    let status = if report.ready { 200 } else { 503 };
    Ok(Response::new(
        status,
        format.content_type(),
        format.render(&report),
    ))
}

async fn item(
    readiness: &Readiness,
    id: &str,
    query: &Query,
    accept: Option<&str>,
) -> Result<Response, QueryError> {
    query.allow(&["format"])?;
    let format = pick_format(query, accept)?;
    let Some(_) = readiness.checklist().get(id) else {
        let suggestion = readiness
            .checklist()
            .items()
            .iter()
            .find(|i| i.id().ends_with(id) || id.ends_with(i.id()))
            .map(|i| i.id().to_owned());
        return Ok(Response::json_error(
            404,
            serde_json::json!({"error": format!("unknown item id `{id}`"), "id": id, "did_you_mean": suggestion}),
        ));
    };
    let report = readiness.evaluate().await;
    let Some(item) = report.item(id) else {
        return Ok(Response::json_error(
            500,
            serde_json::json!({"error": "item missing from the report"}),
        ));
    };
    let status = if item.status == Status::Fail {
        503
    } else {
        200
    };
    let body = match format {
        Format::Json => json::render_item(item),
        Format::Text => text::render_item(item),
        Format::Markdown => markdown::render_item(item),
        // Whole-report formats: a report of this one item.
        other => other.render(&report.retain(|i| i.id == id)),
    };
    Ok(Response::new(status, format.content_type(), body))
}

async fn livez(readiness: &Readiness, query: &Query) -> Result<Response, QueryError> {
    query.allow(&["verbose", "exclude"])?;
    let verbose = query.flag("verbose")?;
    let liveness = readiness.liveness().await;
    let excluded = query.excluded(liveness.iter().map(|i| i.id.as_str()))?;
    let items: Vec<&ItemReport> = liveness
        .iter()
        .map(Arc::as_ref)
        .filter(|i| !excluded.contains(&i.id.as_str()))
        .collect();
    let passed = !items.iter().any(|i| i.status == Status::Fail);
    Ok(probe_response("livez", items, passed, false, verbose))
}

fn startupz(readiness: &Readiness, query: &Query) -> Result<Response, QueryError> {
    query.allow(&["verbose"])?;
    let starting = readiness.availability() == crate::monitor::Availability::Starting;
    let body = match (starting, query.flag("verbose")?) {
        (false, false) => "ok".to_owned(),
        (false, true) => "[+]startup ok\nstartupz check passed\n".to_owned(),
        (true, false) => "startupz check failed: starting".to_owned(),
        (true, true) => "[-]startup failed: starting\nstartupz check failed\n".to_owned(),
    };
    let status = if starting { 503 } else { 200 };
    Ok(Response::new(status, "text/plain; charset=utf-8", body))
}

#[cfg(feature = "prometheus")]
async fn metrics(readiness: &Readiness, query: &Query) -> Result<Response, QueryError> {
    query.allow(&[])?;
    let report = readiness.evaluate().await;
    let body = crate::monitor::metrics::render(readiness, &report);
    Ok(Response::new(
        200,
        crate::monitor::metrics::CONTENT_TYPE,
        body,
    ))
}

async fn readyz(readiness: &Readiness, query: &Query) -> Result<Response, QueryError> {
    query.allow(&["verbose", "exclude"])?;
    let verbose = query.flag("verbose")?;
    let availability = readiness.availability();
    if availability != crate::monitor::Availability::Ready {
        // The service's own word comes first: while draining, no check is run.
        let state = availability.as_str();
        let body = if verbose {
            format!("[-]availability failed: {state}\nreadyz check failed\n")
        } else {
            format!("readyz check failed: {state}")
        };
        return Ok(Response::new(503, "text/plain; charset=utf-8", body));
    }
    let report: Arc<Report> = readiness.evaluate().await;
    let gates = report
        .items
        .iter()
        .map(Arc::as_ref)
        .filter(|i| i.gates_readiness && i.severity == crate::Severity::Blocking);
    let excluded = query.excluded(gates.clone().map(|i| i.id.as_str()))?;
    let items: Vec<&ItemReport> = gates
        .filter(|i| !excluded.contains(&i.id.as_str()))
        .collect();
    let pending_blocks = readiness.pending_blocks();
    let passed = !items.iter().any(|i| i.blocks_readiness(pending_blocks));
    Ok(probe_response(
        "readyz",
        items,
        passed,
        pending_blocks,
        verbose,
    ))
}

fn probe_response(
    probe: &str,
    items: Vec<&ItemReport>,
    passed: bool,
    pending_blocks: bool,
    verbose: bool,
) -> Response {
    let body = if verbose {
        kubernetes::render_verbose(probe, items, passed, pending_blocks)
    } else {
        kubernetes::render_short(probe, passed)
    };
    let status = if passed { 200 } else { 503 };
    Response::new(status, "text/plain; charset=utf-8", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_negotiation() {
        assert_eq!(negotiate("text/plain"), Some(Format::Text));
        assert_eq!(
            negotiate("text/markdown;q=0.9, application/json;q=0.5"),
            Some(Format::Markdown)
        );
        assert_eq!(
            negotiate("image/png, text/html;q=0.9, */*;q=0.1"),
            Some(Format::Json)
        );
        assert_eq!(
            negotiate("application/json;q=0, text/plain;q=0.2"),
            Some(Format::Text)
        );
        assert_eq!(negotiate("image/png"), None);
        assert_eq!(negotiate("TEXT/MARKDOWN"), Some(Format::Markdown));
    }
}
