//! Configuration errors: each names a key; messages about keys that look secret never carry a value.

use std::fmt;

/// One problem with the configuration: the key (`db.pool_size`) and what is wrong with it.
///
/// The problem text must not contain the value of a secret key: for keys whose names look
/// secret (`password`, `secret`, `token`, `key`, …) quoted parts are replaced by `***` anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    key: String,
    problem: String,
}

impl ConfigError {
    /// A problem with `key` (a dotted path such as `db.pool_size`).
    pub fn new(key: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
        }
    }

    /// The dotted key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What is wrong.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// Whether a key's name suggests its value is a secret.
pub(crate) fn looks_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "key",
        "credential",
        "private",
    ]
    .iter()
    .any(|w| key.contains(w))
}

/// The error serde reported at `path`, rewritten so that it names the key and, for a secret
/// key, never the value.
pub(crate) fn from_serde(path: &str, message: &str) -> ConfigError {
    let join = |field: &str| match path {
        "." | "" => field.to_owned(),
        p => format!("{p}.{field}"),
    };
    // `missing field `x`` and `unknown field `x`, expected …` name a key, not a value.
    if let Some(field) = backticked(message, "missing field `") {
        return ConfigError::new(join(field), "missing");
    }
    if let Some(field) = backticked(message, "unknown field `") {
        let expected = message.split_once(", expected ").map(|(_, e)| e);
        let problem = match expected {
            Some(e) => format!("unknown key (expected {e})"),
            None => "unknown key".to_owned(),
        };
        // The path already ends with the unknown key.
        let key = match path.rsplit('.').next() {
            Some(last) if last == field => path.to_owned(),
            _ => join(field),
        };
        return ConfigError::new(key, problem);
    }
    let key = match path {
        "" | "." => "(top level)".to_owned(),
        p => p.to_owned(),
    };
    let problem = if looks_secret(&key) {
        value_free(message)
    } else {
        without_userinfo(message)
    };
    ConfigError::new(key, problem)
}

/// `message` with the user info of any URL in it (`postgres://app:pw@db`) replaced by `***`:
/// a URL-valued key need not look secret to hold a password.
fn without_userinfo(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '"' || c == '`' || c.is_whitespace())
            .unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(userinfo_end) => {
                out.push_str("***");
                rest = &tail[userinfo_end..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// The name in `` prefix`name` `` at the start of `message`.
fn backticked<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message.strip_prefix(prefix)?.split('`').next()
}

/// A serde message without the offending value: serde writes it before `, expected`; any other
/// message shape may hold it anywhere, so it is dropped whole.
fn value_free(message: &str) -> String {
    let expected = message.split_once(", expected ").map(|(_, e)| e);
    let kind = [
        "invalid type",
        "invalid value",
        "unknown variant",
        "invalid length",
    ]
    .into_iter()
    .find(|k| message.starts_with(k));
    match (kind, expected) {
        (Some("invalid length"), _) => message.to_owned(),
        (Some(kind), Some(expected)) => {
            format!("{kind} (value hidden: the key looks secret), expected {expected}")
        }
        _ => "invalid value (message hidden: the key looks secret)".to_owned(),
    }
}

/// A service's own error, with URL user info masked and, for a secret-looking key, quoted parts.
pub(crate) fn masked(error: &ConfigError) -> ConfigError {
    if !looks_secret(&error.key) {
        return ConfigError::new(error.key.clone(), without_userinfo(&error.problem));
    }
    let mut out = String::new();
    let mut open: Option<char> = None;
    for c in error.problem.chars() {
        match open {
            Some(q) if c == q => {
                out.push_str("***");
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '"' || c == '`' || c == '\'' {
                    open = Some(c);
                }
            }
        }
    }
    if open.is_some() {
        out.push_str("***");
    }
    ConfigError::new(error.key.clone(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_the_key_and_hide_secret_values() {
        let e = from_serde("db.pool_size", "invalid type: string \"ten\", expected u32");
        assert_eq!(
            e.to_string(),
            "db.pool_size: invalid type: string \"ten\", expected u32"
        );
        let e = from_serde(
            "db.password",
            "invalid type: string \"hunter2\", expected u32",
        );
        assert_eq!(
            e.to_string(),
            "db.password: invalid type (value hidden: the key looks secret), expected u32"
        );
        let e = from_serde(
            "db.url",
            "invalid value: string \"postgres://app:hunter2@db/x\", expected a URL with a port",
        );
        assert_eq!(
            e.problem(),
            "invalid value: string \"postgres://***@db/x\", expected a URL with a port"
        );
        let e = from_serde(
            "db.url",
            "bad `https://example.com/a@b` and redis://:pw@cache:6379",
        );
        assert_eq!(
            e.problem(),
            "bad `https://example.com/a@b` and redis://***@cache:6379"
        );
        let e = from_serde("api_token", "weird custom error hunter2");
        assert!(!e.to_string().contains("hunter2"));
        let e = from_serde(
            "api_keys",
            "invalid length 3, expected 2 elements in sequence",
        );
        assert_eq!(
            e.problem(),
            "invalid length 3, expected 2 elements in sequence"
        );
        let e = from_serde(".", "missing field `db`");
        assert_eq!(e.to_string(), "db: missing");
        let e = from_serde(
            "db.pool",
            "unknown field `pool`, expected `pool_size` or `url`",
        );
        assert_eq!(
            e.to_string(),
            "db.pool: unknown key (expected `pool_size` or `url`)"
        );
        let e = from_serde(".", "invalid type: integer `3`, expected struct AppConfig");
        assert_eq!(e.key(), "(top level)");
    }

    #[test]
    fn service_errors_on_secret_keys_are_masked() {
        let e = masked(&ConfigError::new("db.password", "\"hunter2\" is too short"));
        assert_eq!(e.problem(), "\"***\" is too short");
        let e = masked(&ConfigError::new("jwt.secret", "starts with 'abc"));
        assert_eq!(e.problem(), "starts with '***");
        let e = masked(&ConfigError::new("db.host", "\"db\" is not a FQDN"));
        assert_eq!(e.problem(), "\"db\" is not a FQDN");
        let e = masked(&ConfigError::new("db.url", "http://u:p@db has no TLS"));
        assert_eq!(e.problem(), "http://***@db has no TLS");
        assert!(looks_secret("APP_API_KEY") && looks_secret("db.Password"));
        assert!(!looks_secret("db.pool_size"));
    }
}
