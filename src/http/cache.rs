//! The render cache: each answer of the latest report (per format, filter, item and audience) is
//! rendered once and reused until the report changes, with its `ETag` and, on request, its gzip
//! body (feature `gzip`), so a dashboard polling the whole JSON report costs a reference count.
//!
//! Bounded: at most [`MAX_ENTRIES`] answers per report (formats × filters × audiences seen) and
//! 4 MiB of bodies;
//! further ones are rendered per request. A new report starts an empty generation; the old one
//! is dropped with the last answer that uses it. Lookups take no lock.

use arc_swap::ArcSwapOption;
use bytes::Bytes;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::report::Report;

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
    /// A strong `ETag`: a hash of the body.
    pub(super) etag: http::HeaderValue,
    #[cfg(feature = "gzip")]
    gzip: OnceLock<(Bytes, http::HeaderValue)>,
}

impl Rendered {
    pub(super) fn new(status: u16, content_type: &'static str, body: String) -> Self {
        let digest = crate::sha256::sha256(body.as_bytes());
        let etag = format!("\"{}\"", crate::sha256::hex(&digest[..12]));
        Self {
            status,
            content_type,
            etag: http::HeaderValue::from_str(&etag)
                .unwrap_or_else(|_| http::HeaderValue::from_static("\"\"")),
            body: Bytes::from(body),
            #[cfg(feature = "gzip")]
            gzip: OnceLock::new(),
        }
    }

    /// The body gzip-compressed, and its tag (the identity tag with `-gzip`), compressed once.
    #[cfg(feature = "gzip")]
    pub(super) fn gzip(&self) -> &(Bytes, http::HeaderValue) {
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
            let tag = self.etag.to_str().unwrap_or("\"\"");
            let tag = format!("{}-gzip\"", &tag[..tag.len().saturating_sub(1)]);
            let tag = http::HeaderValue::from_str(&tag)
                .unwrap_or_else(|_| http::HeaderValue::from_static("\"\""));
            (Bytes::from(gz), tag)
        })
    }
}

/// The answers of one report.
struct Generation {
    report: Arc<Report>,
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

/// The cache of one [`Readiness`](crate::Readiness).
#[derive(Default)]
pub(crate) struct RenderCache {
    current: ArcSwapOption<Generation>,
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
    /// The answer for `key` of `report`, if rendered.
    pub(super) fn get(&self, report: &Arc<Report>, key: &Key<'_>) -> Option<Arc<Rendered>> {
        let current = self.current.load();
        let generation = current
            .as_ref()
            .filter(|g| Arc::ptr_eq(&g.report, report))?;
        generation.find(key).map(|e| e.rendered.clone())
    }

    /// Keeps `rendered` as the answer for `key` of `report` (the latest report), while there is
    /// room.
    pub(super) fn put(&self, report: &Arc<Report>, key: &Key<'_>, rendered: Arc<Rendered>) {
        let _adding = self.adding.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.current.load_full();
        let generation = match current {
            Some(g) if Arc::ptr_eq(&g.report, report) => g,
            _ => {
                let g = Arc::new(Generation {
                    report: report.clone(),
                    entries: (0..MAX_ENTRIES).map(|_| OnceLock::new()).collect(),
                    len: AtomicUsize::new(0),
                    bytes: AtomicUsize::new(0),
                });
                self.current.store(Some(g.clone()));
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

    /// How many answers of the latest report are kept.
    pub(crate) fn len(&self) -> usize {
        self.current
            .load()
            .as_ref()
            .map_or(0, |g| g.len.load(Ordering::Acquire))
    }

    /// The bytes the kept answers hold (bodies and compressed bodies).
    pub(crate) fn bytes(&self) -> usize {
        let current = self.current.load();
        let Some(g) = current.as_ref() else {
            return 0;
        };
        let len = g.len.load(Ordering::Acquire);
        g.entries[..len]
            .iter()
            .filter_map(OnceLock::get)
            .map(|e| {
                #[cfg(feature = "gzip")]
                let gz = e.rendered.gzip.get().map_or(0, |(b, _)| b.len());
                #[cfg(not(feature = "gzip"))]
                let gz = 0;
                e.rendered.body.len() + gz
            })
            .sum()
    }
}

/// What the render cache holds: see [`Readiness::render_cache_stats`](crate::Readiness::render_cache_stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderCacheStats {
    /// Answers of the latest report kept (at most [`MAX_ENTRIES`]).
    pub entries: usize,
    /// The bytes their bodies (and compressed bodies) hold.
    pub bytes: usize,
}

impl crate::Readiness {
    /// What the render cache of the endpoints holds now: answers of the latest report, each
    /// rendered once (bounded by [`MAX_ENTRIES`]).
    pub fn render_cache_stats(&self) -> RenderCacheStats {
        let cache = self.render_cache();
        RenderCacheStats {
            entries: cache.len(),
            bytes: cache.bytes(),
        }
    }
}
