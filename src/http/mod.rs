//! The endpoints, as a framework-free core ([`handle`]) shared by the axum [`Router`](crate::Readiness::router)
//! and the standalone hyper server.
//!
//! | path | answers |
//! | --- | --- |
//! | `GET /readiness-checklist` | the whole report; 200 when ready, 503 when not. `?format=json\|text\|markdown\|health+json\|junit\|sarif` or `Accept`; filters `section`, `group`, `kind`, `status`, `severity`, `tag`, `gate` (repeat a parameter or separate values with commas to allow several) |
//! | `GET /readiness-checklist/{id}` | one item; 503 when it fails, 404 for an unknown id |
//! | `GET /livez`, `GET /readyz`, `GET /startupz` | the kube-apiserver text: `ok` (200), or the verbose list and `… check failed` (503); `?verbose` (any value) lists `[+]id ok` / `[-]id failed: reason withheld`; `?exclude=id` (repeatable) |
//! | `GET /livez/{id}`, `GET /readyz/{id}` | one check of that probe: `ok` or `internal server error: reason withheld` |
//! | `GET` or `POST /rolloutz` | the rollout gate (a Flagger webhook, an Argo web metric): 200 `{"proceed": true, …}` while the service is ready and no rollback is recommended, 503 with `ready`, `availability` and the rollback reasons otherwise; `?code=200` answers 200 either way, the verdict in the body |
//!
//! Probes answer from the latest known report and never wait for a check
//! ([`Readiness::snapshot`]); before the first evaluation finished, `/readyz` and `/startupz`
//! answer "starting". A failing probe is a 503 (kube-apiserver answers 500; the kubelet treats
//! every status from 400 on as a failure). Unknown query parameters on probe paths are ignored,
//! as kube-apiserver does; on `/readiness-checklist` they are a 400 with a JSON body naming them.
//!
//! What a caller sees depends on who asks ([`access`](self#audiences)): anonymous callers get ids,
//! titles, statuses and the summary; messages, details and remediation only reach an authorized
//! caller (a details token, the management router, or the service's own auth).
//!
//! # Audiences
//!
//! See [`Authorized`] and [`ReadinessBuilder::details_token`](crate::ReadinessBuilder::details_token).

mod access;
#[cfg(feature = "axum")]
mod axum;
mod cache;
mod openapi;
mod query;
#[cfg(any(feature = "axum", feature = "hyper-server"))]
pub mod serve;
#[cfg(feature = "hyper-server")]
pub mod server;

#[cfg(any(feature = "axum", feature = "hyper-server"))]
pub use serve::{ServeError, ServeOptions, SettingError};

pub(crate) use access::Access;
pub use access::{Authorized, TOKEN_FILE_ENV};
pub(crate) use cache::RenderCache;
pub use cache::{RenderCacheStats, MAX_ENTRIES as RENDER_CACHE_MAX_ENTRIES};

use crate::model::{Gate, Status};
use crate::report::kubernetes::{Line, ProbeAnswer};
use crate::report::{json, markdown, text, Format, ItemReport, Report};
use crate::Readiness;
use bytes::Bytes;
use cache::{Key, Owner, Rendered};
pub use openapi::{openapi, report_schema};
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
/// The rollout gate for progressive delivery (Flagger webhooks, Argo web metrics): `GET` or
/// `POST`, 200 while the service is ready and no rollback is recommended, 503 otherwise.
pub const ROLLOUTZ_PATH: &str = "/rolloutz";
/// The Prometheus scrape path (feature `prometheus`).
pub const METRICS_PATH: &str = "/metrics";

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
    /// The `Authorization` header (`Bearer <details token>` shows the whole report).
    pub authorization: Option<&'a str>,
    /// Every header, for the service's own [`authorize`](crate::ReadinessBuilder::authorize)
    /// predicate.
    pub headers: Option<&'a http::HeaderMap>,
    /// Already authorized: the management router, or an [`Authorized`] request extension.
    pub authorized: bool,
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
    /// The body (empty on a `304 Not Modified`).
    pub body: Body,
    /// The `ETag` of a report answer (`/readiness-checklist`, `/readiness-checklist/{id}`): a
    /// hash of the body, so an `If-None-Match` naming it is answered `304 Not Modified`.
    pub etag: Option<http::HeaderValue>,
    /// What is sent instead of [`Response::body`] when the caller accepted gzip (feature `gzip`):
    /// the compressed bytes, with `Content-Encoding: gzip`.
    gzip: Option<Bytes>,
    /// The request headers the answer depends on.
    vary: Option<&'static str>,
}

/// A body: UTF-8 text, shared with the render cache (cloning it copies no bytes).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Body(Bytes);

impl Body {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Built only from `String`s: always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The bytes, shared.
    pub fn bytes(&self) -> &Bytes {
        &self.0
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body(Bytes::from(s))
    }
}

impl std::ops::Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Body {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Body {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
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
            authorization: header(http::header::AUTHORIZATION),
            headers: Some(req.headers()),
            authorized: req.extensions().get::<Authorized>().is_some(),
        }
    }

    /// A `GET` of `path` (with an optional raw query) and no headers: for tests and benches.
    pub fn get(path: &'a str, query: Option<&'a str>) -> Self {
        Self {
            method: "GET",
            path,
            query,
            accept: None,
            user_agent: None,
            authorization: None,
            headers: None,
            authorized: false,
        }
    }
}

impl Response {
    fn new(status: u16, content_type: &'static str, body: String) -> Self {
        Self {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into(),
            etag: None,
            gzip: None,
            vary: None,
        }
    }

    fn json_error(status: u16, body: serde_json::Value) -> Self {
        Self::new(status, "application/json", body.to_string())
    }
}

impl Response {
    /// The answer as an `http::Response` with `Content-Type`, `Cache-Control: no-store`, the
    /// `ETag`, `Vary` and `Content-Encoding` when they apply, and any extra headers set.
    pub fn into_http(self) -> http::Response<Bytes> {
        let encoded = self.gzip.is_some();
        let mut response = http::Response::new(self.gzip.unwrap_or(self.body.0));
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
        headers.insert(
            http::header::X_CONTENT_TYPE_OPTIONS,
            http::HeaderValue::from_static("nosniff"),
        );
        if let Some(etag) = self.etag {
            headers.insert(http::header::ETAG, etag);
        }
        if let Some(vary) = self.vary {
            headers.insert(http::header::VARY, http::HeaderValue::from_static(vary));
        }
        if encoded {
            headers.insert(
                http::header::CONTENT_ENCODING,
                http::HeaderValue::from_static("gzip"),
            );
        }
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

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// Statuses only: no message, detail, remediation or reason.
    Anonymous,
    /// The whole report.
    Authorized,
}

/// Answers `req` if its path is one of the endpoints; `None` for any other path.
pub async fn handle(readiness: &Readiness, req: Request<'_>) -> Option<Response> {
    let route = match req.path {
        CHECKLIST_PATH => Route::Checklist,
        LIVEZ_PATH => Route::Livez(None),
        READYZ_PATH => Route::Readyz(None),
        STARTUPZ_PATH => Route::Startupz,
        ROLLOUTZ_PATH => Route::Rolloutz,
        #[cfg(feature = "prometheus")]
        METRICS_PATH => Route::Metrics,
        p => {
            if let Some(id) = p.strip_prefix(LIVEZ_PATH).and_then(|r| r.strip_prefix('/')) {
                Route::Livez(Some(id))
            } else if let Some(id) = p
                .strip_prefix(READYZ_PATH)
                .and_then(|r| r.strip_prefix('/'))
            {
                Route::Readyz(Some(id))
            } else {
                Route::Item(p.strip_prefix(CHECKLIST_PATH)?.strip_prefix('/')?)
            }
        }
    };
    // A Flagger webhook POSTs to the rollout gate.
    let post_too = matches!(route, Route::Rolloutz);
    if !(matches!(req.method, "GET" | "HEAD") || (post_too && req.method == "POST")) {
        let allow = if post_too {
            "GET, HEAD, POST"
        } else {
            "GET, HEAD"
        };
        let mut r = Response::json_error(
            405,
            serde_json::json!({"error": format!("method {} is not allowed: use {allow}", req.method)}),
        );
        r.headers.push(("allow", allow.to_owned()));
        return Some(r);
    }
    let endpoint = match route {
        Route::Checklist | Route::Item(_) => CHECKLIST_PATH,
        Route::Livez(_) => LIVEZ_PATH,
        Route::Readyz(_) => READYZ_PATH,
        Route::Startupz => STARTUPZ_PATH,
        Route::Rolloutz => ROLLOUTZ_PATH,
        #[cfg(feature = "prometheus")]
        Route::Metrics => METRICS_PATH,
    };
    let audience = if req.authorized || readiness.access().allows(req.authorization, req.headers) {
        Audience::Authorized
    } else {
        Audience::Anonymous
    };
    let query = match Query::parse(req.query) {
        Ok(q) => q,
        Err(e) => return Some(recorded(readiness, endpoint, &req, e.into())),
    };
    let answer = match route {
        Route::Checklist => checklist(readiness, &query, &req, audience)
            .await
            .map(|r| answered(r, &req)),
        Route::Item(id) => item(readiness, id, &query, &req, audience)
            .await
            .map(|r| answered(r, &req)),
        Route::Livez(one) => Ok(livez(readiness, &query, &req, one, audience).await),
        Route::Readyz(one) => Ok(readyz(readiness, &query, &req, one, audience)),
        Route::Startupz => Ok(startupz(readiness, &query, &req, audience)),
        Route::Rolloutz => rolloutz(readiness, &query, audience),
        #[cfg(feature = "prometheus")]
        Route::Metrics => metrics(readiness, &query, req.accept).await,
    };
    let answer = answer.unwrap_or_else(Response::from);
    Some(recorded(readiness, endpoint, &req, answer))
}

/// An answer of the render cache, or one rendered for this request only.
enum Answer {
    /// A report answer, with its `ETag`.
    Rendered(Arc<Rendered>),
    /// An error, or an answer no cache keeps.
    Plain(Response),
}

/// The media types a report answer depends on the request's headers for.
#[cfg(feature = "gzip")]
const VARY: &str = "accept, accept-encoding, authorization";
#[cfg(not(feature = "gzip"))]
const VARY: &str = "accept, authorization";

/// A report answer as this request gets it: `304 Not Modified` when its `If-None-Match` names
/// the tag of a 200 answer, the gzip body when it accepts gzip (feature `gzip`).
fn answered(answer: Answer, req: &Request<'_>) -> Response {
    let rendered = match answer {
        Answer::Plain(r) => return r,
        Answer::Rendered(r) => r,
    };
    let header = |name: http::header::HeaderName| {
        req.headers
            .and_then(|h| h.get(name))
            .and_then(|v| v.to_str().ok())
    };
    #[cfg(feature = "gzip")]
    let (gzip, etag) = if header(http::header::ACCEPT_ENCODING).is_some_and(accepts_gzip) {
        let (body, tag) = rendered.gzip();
        (Some(body.clone()), tag.clone())
    } else {
        (None, rendered.etag.clone())
    };
    #[cfg(not(feature = "gzip"))]
    let (gzip, etag) = (None, rendered.etag.clone());
    let mut response = Response {
        status: rendered.status,
        content_type: rendered.content_type,
        headers: Vec::new(),
        body: Body(rendered.body.clone()),
        etag,
        gzip,
        vary: Some(VARY),
    };
    let tag = response.etag.as_ref().and_then(|t| t.to_str().ok());
    if rendered.status == 200
        && header(http::header::IF_NONE_MATCH)
            .is_some_and(|m| tag.is_some_and(|t| matches_tag(m, t)))
    {
        response.status = 304;
        response.body = Body::default();
        response.gzip = None;
    }
    response
}

/// Whether an `If-None-Match` list names `tag` (weak comparison, as RFC 9110 asks for GET).
fn matches_tag(if_none_match: &str, tag: &str) -> bool {
    let tag = tag.trim_start_matches("W/");
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == tag)
}

/// Whether an `Accept-Encoding` header accepts gzip (`gzip` or `*`, with a quality above 0).
#[cfg(feature = "gzip")]
fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|part| {
        let mut params = part.split(';');
        let coding = params.next().unwrap_or("").trim();
        let q = params
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        q > 0.0 && (coding.eq_ignore_ascii_case("gzip") || coding == "*")
    })
}

/// The index of a format in a cache key.
fn format_index(format: Format) -> u8 {
    Format::ALL.iter().position(|f| *f == format).unwrap_or(0) as u8 + 1
}

const ROUTE_CHECKLIST: u8 = 0;
const ROUTE_ITEM: u8 = 1;
const ROUTE_READYZ: u8 = 2;
const ROUTE_READYZ_ONE: u8 = 3;
const ROUTE_LIVEZ: u8 = 4;
const ROUTE_LIVEZ_ONE: u8 = 5;
const ROUTE_STARTUPZ: u8 = 6;

/// Records the answer in the probe log (checks judge scrapes and probes by what they were
/// answered), then returns it.
fn recorded(
    readiness: &Readiness,
    endpoint: &str,
    req: &Request<'_>,
    answer: Response,
) -> Response {
    let log = readiness.probe_log();
    let sent = answer.gzip.as_ref().unwrap_or(answer.body.bytes()).len();
    log.record_answer(endpoint, req.user_agent, answer.status, sent);
    answer
}

enum Route<'a> {
    Checklist,
    Item(&'a str),
    Livez(Option<&'a str>),
    Readyz(Option<&'a str>),
    Startupz,
    Rolloutz,
    #[cfg(feature = "prometheus")]
    Metrics,
}

/// The report as `audience` may see it.
fn for_audience(report: Arc<Report>, audience: Audience) -> Arc<Report> {
    match audience {
        Audience::Authorized => report,
        Audience::Anonymous => Arc::new(report.redacted()),
    }
}

fn pick_format(query: &Query, accept: Option<&str>) -> Result<Format, QueryError> {
    if query.is_empty() {
        // The common case without a parameter: no allocation for one media type.
        match accept.map(str::trim) {
            None | Some("*/*" | "application/json" | "") => return Ok(Format::Json),
            Some(one) if !one.contains([',', ';']) => {
                return Ok(negotiate(one).unwrap_or(Format::Json))
            }
            _ => {}
        }
    }
    if let Some(name) = query.single("format")? {
        // `?format=health+json` as written in a URL: `+` decodes to a space.
        return Format::from_name(&name.replace(' ', "+")).ok_or_else(|| {
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
    req: &Request<'_>,
    audience: Audience,
) -> Result<Answer, QueryError> {
    query.allow(&[
        "format", "section", "group", "kind", "status", "severity", "tag", "gate",
    ])?;
    let format = pick_format(query, req.accept)?;
    let latest = readiness.report_for_answer().await;
    let key = Key {
        route: ROUTE_CHECKLIST,
        authorized: audience == Audience::Authorized,
        format: format_index(format),
        query: req.query.unwrap_or(""),
        id: "",
    };
    cached(readiness, &latest, &key, || {
        let report = for_audience(latest.clone(), audience);
        let report = query::filter(&report, query)?;
        let status = if report.ready { 200 } else { 503 };
        Ok(
            Rendered::new(status, format.content_type(), format.render(&report))
                .tagged(&report, &key),
        )
    })
}

/// The answer for `key` from the cache when `report` is the latest one, else rendered (and kept
/// when it is).
fn cached(
    readiness: &Readiness,
    report: &Arc<Report>,
    key: &Key<'_>,
    render: impl FnOnce() -> Result<Rendered, QueryError>,
) -> Result<Answer, QueryError> {
    let cache = readiness.render_cache();
    let latest = readiness.is_latest(report);
    if latest {
        if let Some(hit) = cache.get(Owner::Report(report), false, key) {
            return Ok(Answer::Rendered(hit));
        }
    }
    let rendered = Arc::new(render()?);
    // Kept while still the latest: a report replaced while it rendered must not evict the new one.
    if latest {
        cache.put(Owner::Report(report), false, key, rendered.clone(), || {
            readiness.is_latest(report)
        });
    }
    Ok(Answer::Rendered(rendered))
}

async fn item(
    readiness: &Readiness,
    id: &str,
    query: &Query,
    req: &Request<'_>,
    audience: Audience,
) -> Result<Answer, QueryError> {
    query.allow(&["format"])?;
    let format = pick_format(query, req.accept)?;
    let Some(_) = readiness.checklist().get(id) else {
        let suggestion = readiness
            .checklist()
            .items()
            .iter()
            .find(|i| i.id().ends_with(id) || id.ends_with(i.id()))
            .map(|i| i.id().to_owned());
        return Ok(Answer::Plain(Response::json_error(
            404,
            serde_json::json!({"error": format!("unknown item id `{id}`"), "id": id, "did_you_mean": suggestion}),
        )));
    };
    let latest = readiness.report_for_answer().await;
    let key = Key {
        route: ROUTE_ITEM,
        authorized: audience == Audience::Authorized,
        format: format_index(format),
        query: "",
        id,
    };
    if latest.item(id).is_none() {
        return Ok(Answer::Plain(Response::json_error(
            500,
            serde_json::json!({"error": "item missing from the report"}),
        )));
    }
    cached(readiness, &latest, &key, || {
        let report = for_audience(latest.clone(), audience);
        // Tagged by this item (and the report's header) only: another item changing is not
        // a change of this answer.
        let one = report.retain(|i| i.id == id);
        Ok(render_item(&report, id, format).tagged(&one, &key))
    })
}

/// One item of `report` (which holds it) in `format`.
fn render_item(report: &Report, id: &str, format: Format) -> Rendered {
    let Some(item) = report.item(id) else {
        return Rendered::new(500, "application/json", "{}".to_owned());
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
        Format::HealthJson => crate::report::health::render_item(report, item),
        // Whole-report formats: a report of this one item.
        other => other.render(&report.retain(|i| i.id == id)),
    };
    Rendered::new(status, format.content_type(), body)
}

/// The probe lines of `items` (the blocking items of one gate), with `?exclude=` applied.
fn probe_answer<'a>(
    probe: &'a str,
    items: &[&'a ItemReport],
    query: &'a Query,
    gating: impl Fn(&str) -> bool,
    pending_blocks: bool,
    audience: Audience,
) -> ProbeAnswer<'a> {
    let excluded = query.values("exclude");
    let reason = |i: &'a ItemReport| match audience {
        Audience::Authorized => Some(i.message.as_str()),
        Audience::Anonymous => None,
    };
    let mut passed = true;
    let lines = items
        .iter()
        .map(|i| {
            if excluded.contains(&i.id.as_str()) {
                return Line::Excluded(&i.id);
            }
            match i.status {
                Status::Pass | Status::Warn | Status::NotApplicable => Line::Ok(&i.id),
                Status::Waived => Line::Waived(&i.id),
                Status::Fail => {
                    passed = false;
                    Line::Failed(&i.id, reason(i))
                }
                Status::Pending => {
                    passed &= !pending_blocks;
                    Line::Pending(&i.id, reason(i))
                }
                Status::Skipped => Line::Skipped(&i.id, reason(i)),
            }
        })
        .collect();
    // Any gating item may be excluded (even one of another probe); others are named in a warning.
    let unknown_excludes = excluded
        .into_iter()
        .filter(|x| !items.iter().any(|i| i.id == *x) && !gating(x))
        .collect();
    ProbeAnswer {
        probe,
        lines,
        unknown_excludes,
        note: None,
        passed,
    }
}

fn text_response(status: u16, body: String) -> Response {
    Response::new(status, "text/plain; charset=utf-8", body)
}

fn probe_response(answer: &ProbeAnswer<'_>, query: &Query) -> Response {
    let verbose = query.has("verbose");
    text_response(
        if answer.passed { 200 } else { 503 },
        answer.render(verbose),
    )
}

/// `/livez/{id}`, `/readyz/{id}`: one check, as kube-apiserver answers a per-check path.
fn one_check(
    items: &[&ItemReport],
    id: &str,
    pending_blocks: bool,
    audience: Audience,
) -> Response {
    let Some(item) = items.iter().find(|i| i.id == id) else {
        return text_response(404, format!("no check named {id:?} on this probe\n"));
    };
    let failed = item.status == Status::Fail || (pending_blocks && item.status == Status::Pending);
    if !failed {
        return text_response(200, "ok".to_owned());
    }
    let reason = match audience {
        Audience::Authorized => item
            .message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        Audience::Anonymous => crate::report::kubernetes::WITHHELD.to_owned(),
    };
    text_response(503, format!("internal server error: {reason}\n"))
}

/// The blocking items of `gate`, in checklist order.
fn gate_items(items: &[Arc<ItemReport>], gate: Gate) -> Vec<&ItemReport> {
    items
        .iter()
        .map(Arc::as_ref)
        .filter(|i| i.gate == gate && i.severity == crate::Severity::Blocking)
        .collect()
}

async fn livez(
    readiness: &Readiness,
    query: &Query,
    req: &Request<'_>,
    one: Option<&str>,
    audience: Audience,
) -> Response {
    let liveness = readiness.liveness_within().await;
    // The answer depends on the liveness results, the query and the audience only.
    let key = probe_key([ROUTE_LIVEZ, ROUTE_LIVEZ_ONE], req, one, audience);
    let rendered = probe_cached(readiness, Owner::Liveness(&liveness), false, &key, || {
        let items = gate_items(&liveness, Gate::Liveness);
        let pending_blocks = readiness.pending_blocks();
        if let Some(id) = one {
            return one_check(&items, id, pending_blocks, audience);
        }
        let mut answer = probe_answer(
            "livez",
            &items,
            query,
            |id| readiness.is_gating(id),
            pending_blocks,
            audience,
        );
        if items.is_empty() {
            // Say that nothing but the answer itself was checked, rather than "passed" alone.
            answer.lines.push(Line::Ok("ping"));
            answer.note =
                Some("no liveness checks are declared: only that the process answers was checked");
        }
        probe_response(&answer, query)
    });
    probe_answer_response(&rendered)
}

fn startupz(
    readiness: &Readiness,
    query: &Query,
    req: &Request<'_>,
    audience: Audience,
) -> Response {
    let starting = readiness.availability() == crate::engine::Availability::Starting;
    let Some(report) = readiness.startup_report().filter(|_| !starting) else {
        let answer = ProbeAnswer {
            probe: "startupz",
            // The service's own state is no secret: it is said to anyone.
            lines: vec![Line::Failed("startup", Some("starting"))],
            passed: false,
            ..ProbeAnswer::default()
        };
        return probe_response(&answer, query);
    };
    let key = probe_key([ROUTE_STARTUPZ; 2], req, None, audience);
    let rendered = probe_cached(readiness, Owner::Report(&report), true, &key, || {
        let items = gate_items(&report.items, Gate::Startup);
        let pending_blocks = readiness.pending_blocks();
        let mut answer = probe_answer(
            "startupz",
            &items,
            query,
            |id| readiness.is_gating(id),
            pending_blocks,
            audience,
        );
        // Outside strict mode a failing startup gate is reported, never enforced: the process
        // was allowed to start, so the kubelet must not restart it for it.
        if !answer.passed && !readiness.is_strict() {
            answer.passed = true;
            answer.note =
                Some("startup gate failures are reported, not enforced: strict mode is off");
        }
        probe_response(&answer, query)
    });
    probe_answer_response(&rendered)
}

#[cfg(feature = "prometheus")]
async fn metrics(
    readiness: &Readiness,
    query: &Query,
    accept: Option<&str>,
) -> Result<Response, QueryError> {
    query.allow(&[])?;
    // Never waits on an evaluation: a scrape (the service's own included) answers from the
    // latest report.
    let report = readiness.report_for_answer().await;
    let (content_type, body) = crate::monitor::metrics::render_for(readiness, &report, accept);
    Ok(Response::new(200, content_type, body))
}

/// `/rolloutz`: may a rollout proceed? Ready (the service's own state and its readiness gate)
/// and no rollback recommended: 200; otherwise 503. The body says which, with the triggers
/// that fired (their messages for authorized callers only).
fn rolloutz(
    readiness: &Readiness,
    query: &Query,
    audience: Audience,
) -> Result<Response, QueryError> {
    query.allow(&["code"])?;
    // `?code=200`: the verdict in the body only, for clients that read it (Argo's web metric
    // counts a non-2xx answer as an error of the measurement, not as a failed condition).
    let always_ok = match query.single("code")? {
        None => false,
        Some("200") => true,
        Some(other) => return Err(QueryError::bad_value("code", other, ["200"])),
    };
    let availability = readiness.availability();
    let report = readiness.snapshot();
    let ready =
        availability == crate::Availability::Ready && report.as_ref().is_some_and(|r| r.ready);
    let reasons: Vec<serde_json::Value> = report
        .as_ref()
        .map(|r| r.rollback.reasons.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|reason| match audience {
            Audience::Authorized => serde_json::json!({"id": reason.id, "message": reason.message}),
            Audience::Anonymous => serde_json::json!({"id": reason.id}),
        })
        .collect();
    let recommended = report.as_ref().is_some_and(|r| r.rollback.recommended);
    let proceed = ready && !recommended;
    let body = serde_json::json!({
        "proceed": proceed,
        "ready": ready,
        "availability": match (availability, &report) {
            (crate::Availability::Ready, None) => "starting",
            (a, _) => a.as_str(),
        },
        "rollback": {"recommended": recommended, "reasons": reasons},
    });
    Ok(Response::new(
        if proceed || always_ok { 200 } else { 503 },
        "application/json",
        body.to_string(),
    ))
}

fn readyz(
    readiness: &Readiness,
    query: &Query,
    req: &Request<'_>,
    one: Option<&str>,
    audience: Audience,
) -> Response {
    let availability = readiness.availability();
    // The service's own state (starting, draining) is no secret: it is said to anyone.
    let unavailable = |why: &'static str| {
        let answer = ProbeAnswer {
            probe: "readyz",
            lines: vec![Line::Failed("availability", Some(why))],
            passed: false,
            ..ProbeAnswer::default()
        };
        probe_response(&answer, query)
    };
    // The service's own word comes first: while draining, no check is looked at.
    match availability {
        crate::engine::Availability::Draining => return unavailable("draining"),
        crate::engine::Availability::Starting => return unavailable("starting"),
        crate::engine::Availability::Ready => {}
    }
    let Some(report) = readiness.snapshot() else {
        return unavailable("starting: the first evaluation has not finished");
    };
    // The answer depends on the report, the query and the audience only: rendered once.
    let key = probe_key([ROUTE_READYZ, ROUTE_READYZ_ONE], req, one, audience);
    let rendered = probe_cached(readiness, Owner::Report(&report), false, &key, || {
        readyz_answer(readiness, &report, query, one, audience)
    });
    probe_answer_response(&rendered)
}

/// The render cache's key of a probe's answer: the route (`routes[1]` for one check, as
/// `/livez/{id}`, `/readyz/{id}`), the raw query, the check and the audience.
fn probe_key<'a>(
    routes: [u8; 2],
    req: &'a Request<'_>,
    one: Option<&'a str>,
    audience: Audience,
) -> Key<'a> {
    Key {
        route: routes[usize::from(one.is_some())],
        authorized: audience == Audience::Authorized,
        format: 0,
        query: req.query.unwrap_or(""),
        id: one.unwrap_or(""),
    }
}

/// A probe's answer for `key` of `owner` from the render cache, or rendered and kept while
/// `owner` is the latest of its kind.
fn probe_cached(
    readiness: &Readiness,
    owner: Owner<'_>,
    startup: bool,
    key: &Key<'_>,
    render: impl FnOnce() -> Response,
) -> Arc<Rendered> {
    let cache = readiness.render_cache();
    if let Some(hit) = cache.get(owner, startup, key) {
        return hit;
    }
    let answer = render();
    let rendered = Arc::new(Rendered::new(
        answer.status,
        answer.content_type,
        answer.body.0,
    ));
    let latest = || match owner {
        Owner::Report(report) if startup => readiness
            .startup_report()
            .is_some_and(|s| Arc::ptr_eq(&s, report)),
        Owner::Report(report) => readiness.is_latest(report),
        Owner::Liveness(items) => readiness.is_latest_liveness(items),
    };
    cache.put(owner, startup, key, rendered.clone(), latest);
    rendered
}

/// The response of a kept probe answer: its bytes shared, no tag.
fn probe_answer_response(rendered: &Rendered) -> Response {
    Response {
        status: rendered.status,
        content_type: rendered.content_type,
        headers: Vec::new(),
        body: Body(rendered.body.clone()),
        etag: None,
        gzip: None,
        vary: None,
    }
}

/// `/readyz` of a report, rendered.
fn readyz_answer(
    readiness: &Readiness,
    report: &Report,
    query: &Query,
    one: Option<&str>,
    audience: Audience,
) -> Response {
    let items = gate_items(&report.items, Gate::Readiness);
    let pending_blocks = readiness.pending_blocks();
    if let Some(id) = one {
        return one_check(&items, id, pending_blocks, audience);
    }
    let answer = probe_answer(
        "readyz",
        &items,
        query,
        |id| readiness.is_gating(id),
        pending_blocks,
        audience,
    );
    probe_response(&answer, query)
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
