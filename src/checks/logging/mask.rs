//! Masking: registered secret values, and common credential patterns (`password=…`,
//! `Authorization: Bearer …`, passwords in URLs), replaced by [`MASK`].

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// What a masked value becomes.
pub const MASK: &str = "[REDACTED]";

/// Registered values shorter than this are ignored: masking them would garble ordinary text.
pub const MIN_SECRET_LEN: usize = 4;

/// Keys whose values are credentials, matched case-insensitively and as a suffix
/// (`db_password=…`), followed by `=` or `:`.
const KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "api-key",
    "access_key",
    "private_key",
    "authorization",
];

/// The secret values to mask. Cheap to clone; clones share the values.
///
/// ```
/// use prodready::checks::logging::Redactor;
/// use prodready::checks::secrets::SecretString;
/// let redactor = Redactor::new();
/// redactor.register(&SecretString::from("hunter2-hunter2"));
/// assert_eq!(redactor.mask("login with hunter2-hunter2"), "login with [REDACTED]");
/// assert_eq!(redactor.mask("db_password=abc123 user=app"), "db_password=[REDACTED] user=app");
/// assert_eq!(redactor.mask("Authorization: Bearer eyJhbGciOi.x.y"), "Authorization: [REDACTED]");
/// assert_eq!(redactor.mask("postgres://app:pw@db/app"), "postgres://app:[REDACTED]@db/app");
/// ```
#[derive(Clone, Default)]
pub struct Redactor {
    values: Arc<RwLock<Vec<(u64, SecretString)>>>,
    next: Arc<AtomicU64>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("registered", &self.read().len())
            .finish()
    }
}

/// Removes a temporary registration when dropped.
pub(crate) struct Registration {
    redactor: Redactor,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut values = self
            .redactor
            .values
            .write()
            .unwrap_or_else(|p| p.into_inner());
        values.retain(|(id, _)| *id != self.id);
    }
}

impl Redactor {
    /// Masks the patterns only, until values are registered.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<(u64, SecretString)>> {
        self.values.read().unwrap_or_else(|p| p.into_inner())
    }

    fn add(&self, secret: &SecretString) -> Option<u64> {
        if secret.expose_secret().len() < MIN_SECRET_LEN {
            return None;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut values = self.values.write().unwrap_or_else(|p| p.into_inner());
        values.push((id, secret.clone()));
        // Longest first, so a secret containing another is masked whole.
        values.sort_by_key(|(_, v)| std::cmp::Reverse(v.expose_secret().len()));
        Some(id)
    }

    /// Masks `secret` from now on (values shorter than [`MIN_SECRET_LEN`] bytes are ignored).
    pub fn register(&self, secret: &SecretString) {
        self.add(secret);
    }

    /// Masks every resolved secret.
    pub fn register_all(&self, secrets: &crate::checks::secrets::Secrets) {
        for resolved in secrets.iter() {
            self.register(resolved.value());
        }
    }

    /// Masks `secret` until the returned registration is dropped.
    pub(crate) fn register_temporarily(&self, secret: &SecretString) -> Option<Registration> {
        self.add(secret).map(|id| Registration {
            redactor: self.clone(),
            id,
        })
    }

    /// `text` with every registered value (raw, JSON-escaped or Debug-escaped) and every
    /// credential pattern replaced by [`MASK`].
    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (_, secret) in self.read().iter() {
            let raw = secret.expose_secret();
            let json = serde_json::to_string(raw).unwrap_or_default();
            let json = json.trim_matches('"');
            let debug = raw.escape_debug().to_string();
            for form in [raw, json, debug.as_str()] {
                if !form.is_empty() && out.contains(form) {
                    out = out.replace(form, MASK);
                }
            }
        }
        mask_patterns(&out)
    }
}

/// `text` with credential patterns masked.
pub(crate) fn mask_patterns(text: &str) -> String {
    let mut ranges = key_values(text);
    ranges.extend(bearer_tokens(text));
    ranges.extend(url_passwords(text));
    if ranges.is_empty() {
        return text.to_owned();
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.end <= at {
            continue;
        }
        let start = r.start.max(at);
        out.push_str(&text[at..start]);
        if start == r.start || !out.ends_with(MASK) {
            out.push_str(MASK);
        }
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

fn is_value_end(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b',' | b';' | b'&' | b'}' | b')' | b']' | b'"' | b'\'' | b'\\'
        )
}

/// The end of an unquoted value starting at `start`.
fn value_end(bytes: &[u8], start: usize) -> usize {
    (start..bytes.len())
        .find(|&i| is_value_end(bytes[i]))
        .unwrap_or(bytes.len())
}

/// Values after `key=`, `key: `, `"key":"…"`, `key="…"` (also with JSON-escaped quotes).
fn key_values(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let mut ranges = Vec::new();
    for key in KEYS {
        for (pos, _) in lower.match_indices(key) {
            let mut i = pos + key.len();
            skip_quote(bytes, &mut i);
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            if !matches!(bytes.get(i), Some(b'=' | b':')) {
                continue;
            }
            i += 1;
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            let mut end = match skip_quote(bytes, &mut i) {
                Some(quote) => closing_quote(bytes, i, quote),
                None => value_end(bytes, i),
            };
            // `Authorization: Bearer <token>`: the scheme and the credential go together.
            if *key == "authorization" && bytes.get(end) == Some(&b' ') {
                end = value_end(bytes, end + 1);
            }
            if end > i {
                ranges.push(i..end);
            }
        }
    }
    ranges
}

/// Skips an opening quote (`"`, `'`, or a JSON-escaped `\"`) at `i`; returns it.
fn skip_quote(bytes: &[u8], i: &mut usize) -> Option<&'static [u8]> {
    if bytes.get(*i) == Some(&b'\\') && bytes.get(*i + 1) == Some(&b'"') {
        *i += 2;
        Some(b"\\\"")
    } else if bytes.get(*i) == Some(&b'"') {
        *i += 1;
        Some(b"\"")
    } else if bytes.get(*i) == Some(&b'\'') {
        *i += 1;
        Some(b"'")
    } else {
        None
    }
}

/// Where a quoted value starting at `start` ends: its closing `quote`, skipping escaped quotes.
fn closing_quote(bytes: &[u8], start: usize, quote: &[u8]) -> usize {
    let mut i = start;
    while i < bytes.len() {
        if bytes[i..].starts_with(quote) {
            return i;
        }
        // A backslash escapes the next byte (unless it opens the closing `\"`, handled above).
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    bytes.len()
}

/// Tokens after `Bearer ` anywhere in the text.
fn bearer_tokens(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    lower
        .match_indices("bearer ")
        .filter(|(pos, _)| *pos == 0 || !bytes[pos - 1].is_ascii_alphanumeric())
        .filter_map(|(pos, m)| {
            let start = pos + m.len();
            let end = value_end(bytes, start);
            (end - start >= 8).then_some(start..end)
        })
        .collect()
}

/// Passwords in `scheme://user:password@host`.
fn url_passwords(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    text.match_indices("://")
        .filter_map(|(pos, m)| {
            let start = pos + m.len();
            let stop = (start..bytes.len()).find(|&i| {
                matches!(bytes[i], b'@' | b'/' | b'?' | b'#' | b'"' | b'\'' | b'\\')
                    || bytes[i].is_ascii_whitespace()
            })?;
            if bytes[stop] != b'@' {
                return None;
            }
            let colon = (start..stop).find(|&i| bytes[i] == b':')?;
            (stop > colon + 1).then_some(colon + 1..stop)
        })
        .collect()
}
