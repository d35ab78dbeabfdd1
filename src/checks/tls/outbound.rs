//! Whether an outbound connection URL (database, cache, broker) demands TLS.

use crate::url::Url;

/// What a URL says about TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tls {
    /// TLS is required, and how (`sslmode=verify-full`, `rediss://`).
    Required(String),
    /// Plain text is allowed, and why.
    Missing(String),
    /// A local connection (Unix socket, loopback, file) where TLS does not apply.
    Local(String),
    /// Cannot tell.
    Unknown(String),
}

/// The last value of query parameter `key` (case-insensitive name).
fn param(url: &Url, keys: &[&str]) -> Option<String> {
    url.query_pairs()
        .filter(|(k, _)| keys.iter().any(|key| k.eq_ignore_ascii_case(key)))
        .map(|(_, v)| v.into_owned())
        .last()
}

fn is_true(v: Option<&str>) -> bool {
    matches!(
        v.map(str::to_ascii_lowercase).as_deref(),
        Some("true" | "1" | "yes")
    )
}

/// Judges `text`; never quotes it (it may hold a password).
pub(super) fn judge(text: &str) -> Tls {
    let Ok(url) = Url::parse(text.trim()) else {
        return Tls::Unknown("is not a URL".to_owned());
    };
    let scheme = url.scheme().to_ascii_lowercase();
    let host = url.host_str().unwrap_or("").trim_matches(['[', ']']);
    let socket_param = param(&url, &["host"]).is_some_and(|h| h.starts_with('/'));
    if matches!(scheme.as_str(), "sqlite" | "file" | "unix" | "redis+unix") {
        return Tls::Local(format!("`{scheme}:` is local"));
    }
    if socket_param || (host.is_empty() && scheme.starts_with("postgres")) {
        return Tls::Local("a Unix socket".to_owned());
    }
    if host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
    {
        return Tls::Local(format!("the loopback host {host}"));
    }
    match scheme.as_str() {
        "postgres" | "postgresql" => match param(&url, &["sslmode"]) {
            Some(mode) if matches!(mode.as_str(), "require" | "verify-ca" | "verify-full") => {
                Tls::Required(format!("sslmode={mode}"))
            }
            Some(mode) => Tls::Missing(format!("sslmode={mode} allows plain text")),
            None => Tls::Missing(
                "has no sslmode (the default, `prefer`, falls back to plain text)".to_owned(),
            ),
        },
        "mysql" | "mariadb" => match param(&url, &["ssl-mode", "sslmode"]) {
            Some(mode)
                if matches!(
                    mode.to_ascii_uppercase().as_str(),
                    "REQUIRED" | "VERIFY_CA" | "VERIFY_IDENTITY"
                ) =>
            {
                Tls::Required(format!("ssl-mode={mode}"))
            }
            Some(mode) => Tls::Missing(format!("ssl-mode={mode} allows plain text")),
            None => Tls::Missing(
                "has no ssl-mode (the default, `PREFERRED`, falls back to plain text)".to_owned(),
            ),
        },
        "mongodb" => {
            if is_true(param(&url, &["tls", "ssl"]).as_deref()) {
                Tls::Required("tls=true".to_owned())
            } else {
                Tls::Missing("has no tls=true".to_owned())
            }
        }
        "mongodb+srv" => match param(&url, &["tls", "ssl"]) {
            Some(v) if !is_true(Some(&v)) => Tls::Missing(format!("tls={v}")),
            _ => Tls::Required("`mongodb+srv://` uses TLS by default".to_owned()),
        },
        "rediss" | "amqps" | "mqtts" | "https" | "tls" | "ssl" | "wss" => {
            Tls::Required(format!("`{scheme}://`"))
        }
        "redis" | "amqp" | "mqtt" | "http" | "tcp" | "ws" => {
            let secure = match scheme.as_str() {
                "redis" => "rediss",
                "amqp" => "amqps",
                "mqtt" => "mqtts",
                "ws" => "wss",
                "tcp" => "ssl",
                _ => "https",
            };
            Tls::Missing(format!("`{scheme}://` is plain text: use `{secure}://`"))
        }
        "nats" => Tls::Unknown(
            "`nats://` uses TLS only when the server demands it: use `tls://` to require it"
                .to_owned(),
        ),
        other => Tls::Unknown(format!("cannot tell whether `{other}://` uses TLS")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_judged_by_scheme_and_mode() {
        let required = |u| matches!(judge(u), Tls::Required(_));
        let missing = |u| matches!(judge(u), Tls::Missing(_));
        assert!(required(
            "postgres://app:pw@db:5432/app?sslmode=verify-full"
        ));
        assert!(required("postgresql://db/app?sslmode=require"));
        assert!(missing("postgres://app:pw@db/app"));
        assert!(missing("postgres://app:pw@db/app?sslmode=prefer"));
        assert!(required("mysql://app:pw@db/app?ssl-mode=VERIFY_IDENTITY"));
        assert!(missing("mysql://app:pw@db/app?ssl-mode=PREFERRED"));
        assert!(missing("mysql://app:pw@db/app"));
        assert!(required("rediss://:pw@cache:6380/0"));
        assert!(missing("redis://:pw@cache:6379/0"));
        assert!(required("amqps://u:pw@mq/vhost"));
        assert!(missing("amqp://u:pw@mq/vhost"));
        assert!(required("mongodb+srv://u:pw@cluster0.example.net/app"));
        assert!(missing("mongodb://u:pw@mongo/app"));
        assert!(required("mongodb://u:pw@mongo/app?tls=true"));
        assert_eq!(
            judge("sqlite://app.db"),
            Tls::Local("`sqlite:` is local".to_owned())
        );
        assert!(matches!(
            judge("postgres:///app?host=/var/run/postgresql"),
            Tls::Local(_)
        ));
        assert!(matches!(judge("redis://127.0.0.1:6379"), Tls::Local(_)));
        assert!(matches!(judge("nats://nats:4222"), Tls::Unknown(_)));
        assert_eq!(
            judge("host=db password=x"),
            Tls::Unknown("is not a URL".to_owned())
        );
    }
}
