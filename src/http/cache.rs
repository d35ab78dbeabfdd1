//! The render cache: each answer of the latest report (per format, filter, item and audience) is
//! rendered once and reused until the report changes, with its `ETag` and, on request, its gzip
//! body (feature `gzip`), so a dashboard polling the whole JSON report costs a reference count.
//!
//! The tag is weak (`W/"…"`): it names the verdicts of the report the answer is rendered from
//! (after the audience's redaction and the filters: every field but when the report and its
//! items were evaluated and how long that took), the answer's key and the library's version, not
//! the body's bytes. A refresh that changes nothing but those timestamps keeps the tag, so a
//! dashboard polling with `If-None-Match` is answered `304` until something the answer shows
//! changes: a status, or (for callers who see them) a message or detail, measurements included.
//!
//! The probes' answers are kept the same way: `/readyz` with the latest report, `/startupz` with
//! the startup report, `/livez` with the liveness results it answers from.
//!
//! Bounded: at most [`MAX_ENTRIES`] answers per report (formats × filters × audiences seen) and
//! 4 MiB of bodies, and as many for the startup report and for the liveness results;
//! further ones are rendered per request. A new report starts an empty generation; the old one
//! is dropped with the last answer that uses it. Lookups take no lock.

use arc_swap::ArcSwapOption;
use bytes::Bytes;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::report::{ItemReport, Report};

/// The most answers kept per report.
pub const MAX_ENTRIES: usize = 64;

/// The most body bytes kept per report (compressed bodies come on top, about a fifth of it).
const MAX_BYTES: usize = 4 << 20;

/// What an answer depends on besides the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Key<'a> {
    /// The endpoint (and whether it names one item).
    pub(super) route: u8,
    /// Authorized (whole report) or anonymous.
    pub(super) authorized: bool,
    /// The format chosen (its index), or 0 for probe text.
    pub(super) format: u8,
    /// The raw query string.
    pub(super) query: &'a str,
    /// The item or check id, or "".
    pub(super) id: &'a str,
}

/// One rendered answer.
#[derive(Debug)]
pub(super) struct Entry {
    route: u8,
    authorized: bool,
    format: u8,
    query: Box<str>,
    id: Box<str>,
    pub(super) rendered: Arc<Rendered>,
}

impl Entry {
    fn matches(&self, key: &Key<'_>) -> bool {
        self.route == key.route
            && self.authorized == key.authorized
            && self.format == key.format
            && *self.query == *key.query
            && *self.id == *key.id
    }
}

/// The bytes of an answer, its tag, and its compressed body once asked for.
#[derive(Debug)]
pub(crate) struct Rendered {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    /// UTF-8 text.
    pub(super) body: Bytes,
    /// The weak `ETag` of a report answer (see the module docs); probe answers have none.
    pub(super) etag: Option<http::HeaderValue>,
    #[cfg(feature = "gzip")]
    gzip: OnceLock<(Bytes, Option<http::HeaderValue>)>,
}

impl Rendered {
    pub(super) fn new(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            content_type,
            etag: None,
            body: body.into(),
            #[cfg(feature = "gzip")]
            gzip: OnceLock::new(),
        }
    }

    /// The body gzip-compressed, and its tag (the identity tag with `-gzip`), compressed once.
    #[cfg(feature = "gzip")]
    pub(super) fn gzip(&self) -> &(Bytes, Option<http::HeaderValue>) {
        self.gzip.get_or_init(|| {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(
                Vec::with_capacity(self.body.len() / 4 + 64),
                flate2::Compression::default(),
            );
            let gz = enc
                .write_all(&self.body)
                .and_then(|()| enc.finish())
                .unwrap_or_default();
            let tag = self.etag.as_ref().and_then(|t| {
                let t = t.to_str().ok()?;
                let t = format!("{}-gzip\"", t.strip_suffix('"')?);
                http::HeaderValue::from_str(&t).ok()
            });
            (Bytes::from(gz), tag)
        })
    }
}

/// What the answers of a generation were rendered from: a report (the latest one, or the startup
/// report `/startupz` answers from), or the liveness results `/livez` answers from. Held by its
/// generation, so its address names it for as long as the generation lives.
#[derive(Clone, Copy)]
pub(super) enum Owner<'a> {
    /// A report.
    Report(&'a Arc<Report>),
    /// The liveness results.
    Liveness(&'a Arc<[Arc<ItemReport>]>),
}

impl Owner<'_> {
    fn addr(self) -> *const () {
        match self {
            Owner::Report(r) => Arc::as_ptr(r).cast(),
            Owner::Liveness(l) => Arc::as_ptr(l).cast(),
        }
    }

    fn held(self) -> Held {
        match self {
            Owner::Report(r) => Held::Report(r.clone()),
            Owner::Liveness(l) => Held::Liveness(l.clone()),
        }
    }

    /// The slot of the cache its answers go to.
    fn slot(self, startup: bool) -> usize {
        match (self, startup) {
            (Owner::Report(_), false) => 0,
            (Owner::Report(_), true) => 1,
            (Owner::Liveness(_), _) => 2,
        }
    }
}

/// An [`Owner`], kept alive by its generation.
enum Held {
    Report(Arc<Report>),
    Liveness(Arc<[Arc<ItemReport>]>),
}

impl Held {
    fn addr(&self) -> *const () {
        match self {
            Held::Report(r) => Arc::as_ptr(r).cast(),
            Held::Liveness(l) => Arc::as_ptr(l).cast(),
        }
    }
}

/// The answers of one owner.
struct Generation {
    owner: Held,
    entries: Box<[OnceLock<Entry>]>,
    len: AtomicUsize,
    bytes: AtomicUsize,
}

impl Generation {
    fn find(&self, key: &Key<'_>) -> Option<&Entry> {
        let len = self.len.load(Ordering::Acquire);
        self.entries[..len]
            .iter()
            .filter_map(OnceLock::get)
            .find(|e| e.matches(key))
    }
}

/// The digest of a report's verdicts: the report as JSON without the fields that say when it
/// and its items were evaluated and how long that took. Two reports with the same digest render
/// answers that differ in those timestamps only. `None` if it cannot be serialised.
fn verdict_digest(report: &Report) -> Option<[u8; 32]> {
    const TIMING: [&str; 2] = ["evaluated_at", "duration_ms"];
    let mut value = serde_json::to_value(report).ok()?;
    let top = value.as_object_mut()?;
    TIMING.iter().for_each(|k| drop(top.remove(*k)));
    let items = top
        .get_mut("items")
        .and_then(serde_json::Value::as_array_mut);
    for item in items.into_iter().flatten() {
        if let Some(item) = item.as_object_mut() {
            TIMING.iter().for_each(|k| drop(item.remove(*k)));
        }
    }
    Some(crate::sha256::sha256(value.to_string().as_bytes()))
}

impl Rendered {
    /// Tags this answer of `key`, rendered from `report` (redacted and filtered as the caller
    /// sees it): the weak tag of the module docs (a strong hash of the body, should the report
    /// not serialise).
    pub(super) fn tagged(mut self, report: &Report, key: &Key<'_>) -> Self {
        let digest = verdict_digest(report);
        let mut input = Vec::with_capacity(64 + key.query.len() + key.id.len());
        input.extend_from_slice(env!("CARGO_PKG_VERSION").as_bytes());
        input.push(0);
        match &digest {
            Some(d) => input.extend_from_slice(d),
            None => input.extend_from_slice(&self.body),
        }
        input.extend_from_slice(&[key.route, u8::from(key.authorized), key.format]);
        input.extend_from_slice(&self.status.to_be_bytes());
        input.extend_from_slice(key.query.as_bytes());
        input.push(0);
        input.extend_from_slice(key.id.as_bytes());
        let hash = crate::sha256::hex(&crate::sha256::sha256(&input)[..12]);
        let tag = match digest {
            Some(_) => format!("W/\"{hash}\""),
            None => format!("\"{hash}\""),
        };
        self.etag = http::HeaderValue::from_str(&tag).ok();
        self
    }
}

/// The cache of one [`Readiness`](crate::Readiness).
#[derive(Default)]
pub(crate) struct RenderCache {
    /// The answers of the latest report, of the startup report and of the liveness results.
    slots: [ArcSwapOption<Generation>; 3],
    /// Held only while an answer is added.
    adding: Mutex<()>,
}

impl std::fmt::Debug for RenderCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderCache")
            .field("entries", &self.len())
            .finish_non_exhaustive()
    }
}

impl RenderCache {
    /// The answer for `key` of `owner`, if rendered (`startup`: `owner` is the startup report).
    pub(super) fn get(
        &self,
        owner: Owner<'_>,
        startup: bool,
        key: &Key<'_>,
    ) -> Option<Arc<Rendered>> {
        let current = self.slots[owner.slot(startup)].load();
        let generation = current
            .as_ref()
            .filter(|g| g.owner.addr() == owner.addr())?;
        generation.find(key).map(|e| e.rendered.clone())
    }

    /// Keeps `rendered` as the answer for `key` of `owner` (the latest of its kind: a new one
    /// replaces the answers of the one before), while there is room.
    ///
    /// `latest` says whether `owner` is still the latest of its kind; it is asked while no other
    /// answer is added, so an owner replaced meanwhile never evicts the answers of its successor.
    pub(super) fn put(
        &self,
        owner: Owner<'_>,
        startup: bool,
        key: &Key<'_>,
        rendered: Arc<Rendered>,
        latest: impl FnOnce() -> bool,
    ) {
        let _adding = self.adding.lock().unwrap_or_else(|p| p.into_inner());
        if !latest() {
            return;
        }
        let slot = &self.slots[owner.slot(startup)];
        let current = slot.load_full();
        let generation = match current {
            Some(g) if g.owner.addr() == owner.addr() => g,
            _ => {
                let g = Arc::new(Generation {
                    owner: owner.held(),
                    entries: (0..MAX_ENTRIES).map(|_| OnceLock::new()).collect(),
                    len: AtomicUsize::new(0),
                    bytes: AtomicUsize::new(0),
                });
                slot.store(Some(g.clone()));
                g
            }
        };
        let len = generation.len.load(Ordering::Acquire);
        let bytes = generation.bytes.load(Ordering::Relaxed) + rendered.body.len();
        if len >= MAX_ENTRIES || bytes > MAX_BYTES || generation.find(key).is_some() {
            return;
        }
        generation.bytes.store(bytes, Ordering::Relaxed);
        let _ = generation.entries[len].set(Entry {
            route: key.route,
            authorized: key.authorized,
            format: key.format,
            query: key.query.into(),
            id: key.id.into(),
            rendered,
        });
        generation.len.store(len + 1, Ordering::Release);
    }

    /// How many answers are kept (of the latest report, the startup report and the liveness
    /// results).
    pub(crate) fn len(&self) -> usize {
        self.slots
            .iter()
            .map(|slot| {
                slot.load()
                    .as_ref()
                    .map_or(0, |g| g.len.load(Ordering::Acquire))
            })
            .sum()
    }

    /// The bytes the kept answers hold (bodies and compressed bodies).
    pub(crate) fn bytes(&self) -> usize {
        let mut bytes = 0;
        for slot in &self.slots {
            let current = slot.load();
            let Some(g) = current.as_ref() else {
                continue;
            };
            let len = g.len.load(Ordering::Acquire);
            bytes += g.entries[..len]
                .iter()
                .filter_map(OnceLock::get)
                .map(|e| {
                    #[cfg(feature = "gzip")]
                    let gz = e.rendered.gzip.get().map_or(0, |(b, _)| b.len());
                    #[cfg(not(feature = "gzip"))]
                    let gz = 0;
                    e.rendered.body.len() + gz
                })
                .sum::<usize>();
        }
        bytes
    }
}

/// What the render cache holds: see [`Readiness::render_cache_stats`](crate::Readiness::render_cache_stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderCacheStats {
    /// Answers kept: of the latest report, of the startup report (`/startupz`) and of the
    /// liveness results (`/livez`), at most [`MAX_ENTRIES`] of each.
    pub entries: usize,
    /// The bytes their bodies (and compressed bodies) hold.
    pub bytes: usize,
}

impl crate::Readiness {
    /// What the render cache of the endpoints holds now: the answers of the latest report, of
    /// the startup report and of the liveness results, each rendered once (at most
    /// [`MAX_ENTRIES`] of each).
    pub fn render_cache_stats(&self) -> RenderCacheStats {
        let cache = self.render_cache();
        RenderCacheStats {
            entries: cache.len(),
            bytes: cache.bytes(),
        }
    }
}
