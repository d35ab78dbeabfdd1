//! A small absolute-URL parser: what the built-in checks read of a URL (scheme, user info, host,
//! port, path, query), following the WHATWG URL standard's rules for the cases they meet. It
//! keeps the default build free of the `url` crate and its Unicode (IDNA) tables.
//!
//! Differences from a full WHATWG parser, none of which a check depends on: host names are not
//! IDNA-mapped (non-ASCII letters are lower-cased only), dot segments in paths are kept, and
//! IPv4 hosts are read in the dotted-quad form only.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Why a text is not an absolute URL (the messages of the `url` crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// No scheme: a relative reference.
    RelativeUrlWithoutBase,
    /// A special scheme (`http`, `https`, `ws`, `wss`, `ftp`) without a host.
    EmptyHost,
    /// The port is not a number up to 65535.
    InvalidPort,
    /// A numeric host that is no IPv4 address.
    InvalidIpv4Address,
    /// A bracketed host that is no IPv6 address.
    InvalidIpv6Address,
    /// A character a host may not hold.
    InvalidDomainCharacter,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RelativeUrlWithoutBase => "relative URL without a base",
            Self::EmptyHost => "empty host",
            Self::InvalidPort => "invalid port number",
            Self::InvalidIpv4Address => "invalid IPv4 address",
            Self::InvalidIpv6Address => "invalid IPv6 address",
            Self::InvalidDomainCharacter => "invalid domain character",
        })
    }
}

impl std::error::Error for ParseError {}

/// A URL's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host<S = String> {
    /// A domain name (or, for a non-special scheme, the host text as written).
    Domain(S),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address.
    Ipv6(Ipv6Addr),
}

impl Host<&str> {
    /// The host with its name owned.
    pub(crate) fn to_owned(&self) -> Host<String> {
        match self {
            Host::Domain(d) => Host::Domain((*d).to_owned()),
            Host::Ipv4(ip) => Host::Ipv4(*ip),
            Host::Ipv6(ip) => Host::Ipv6(*ip),
        }
    }
}

#[cfg(test)]
impl Host {
    /// A host as a special-scheme URL reads it: `[v6]`, a dotted IPv4 address, or a domain.
    pub(crate) fn parse(text: &str) -> Result<Host, ParseError> {
        let url = Url::parse(&format!("http://{text}/"))?;
        url.host()
            .map(|h| h.to_owned())
            .ok_or(ParseError::EmptyHost)
    }
}

impl<S: AsRef<str>> fmt::Display for Host<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d.as_ref()),
            Host::Ipv4(ip) => write!(f, "{ip}"),
            Host::Ipv6(ip) => write!(f, "[{ip}]"),
        }
    }
}

/// A parsed absolute URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Url {
    scheme: String,
    username: String,
    password: Option<String>,
    /// `Some` when the URL has an authority (`//`), the host as written (IPv6 with brackets).
    host_str: Option<String>,
    host: Option<Host>,
    port: Option<u16>,
    path: String,
    query: Option<String>,
    fragment: Option<String>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

fn is_special(scheme: &str) -> bool {
    default_port(scheme).is_some() || scheme == "file"
}

impl Url {
    /// Parses an absolute URL.
    pub(crate) fn parse(input: &str) -> Result<Self, ParseError> {
        let trimmed = input.trim_matches(|c: char| c <= ' ');
        let text: String = trimmed
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let (scheme, rest) = text
            .split_once(':')
            .filter(|(s, _)| {
                let mut chars = s.chars();
                chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                    && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            })
            .ok_or(ParseError::RelativeUrlWithoutBase)?;
        let scheme = scheme.to_ascii_lowercase();
        let special = is_special(&scheme);
        let is_sep = |c: char| c == '/' || (special && c == '\\');
        // The authority: after `//` (any run of slashes for a special scheme but `file`).
        let (authority, after) = if special && scheme != "file" {
            let r = rest.trim_start_matches(is_sep);
            let end = r
                .find(|c| is_sep(c) || c == '?' || c == '#')
                .unwrap_or(r.len());
            (Some(&r[..end]), &r[end..])
        } else if let Some(r) = rest
            .strip_prefix("//")
            .or_else(|| rest.strip_prefix("\\\\").filter(|_| special))
        {
            let end = r
                .find(|c| is_sep(c) || c == '?' || c == '#')
                .unwrap_or(r.len());
            (Some(&r[..end]), &r[end..])
        } else {
            (None, rest)
        };
        let mut url = Url {
            scheme,
            username: String::new(),
            password: None,
            host_str: None,
            host: None,
            port: None,
            path: String::new(),
            query: None,
            fragment: None,
        };
        if let Some(authority) = authority {
            url.authority(authority, special)?;
        }
        let (before_fragment, fragment) = match after.split_once('#') {
            Some((b, f)) => (b, Some(f.to_owned())),
            None => (after, None),
        };
        let (path, query) = match before_fragment.split_once('?') {
            Some((p, q)) => (p, Some(q.to_owned())),
            None => (before_fragment, None),
        };
        url.path = if special {
            path.replace('\\', "/")
        } else {
            path.to_owned()
        };
        if special && url.path.is_empty() {
            url.path.push('/');
        }
        url.query = query;
        url.fragment = fragment;
        Ok(url)
    }

    fn authority(&mut self, authority: &str, special: bool) -> Result<(), ParseError> {
        let hostport = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => {
                match userinfo.split_once(':') {
                    Some((user, password)) => {
                        self.username = user.to_owned();
                        self.password = Some(password.to_owned()).filter(|p| !p.is_empty());
                    }
                    None => self.username = userinfo.to_owned(),
                }
                hostport
            }
            None => authority,
        };
        let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
            let (ip, after) = inner
                .split_once(']')
                .ok_or(ParseError::InvalidIpv6Address)?;
            let ip: Ipv6Addr = ip.parse().map_err(|_| ParseError::InvalidIpv6Address)?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or(ParseError::InvalidPort)?),
            };
            (Host::Ipv6(ip), port)
        } else {
            let (name, port) = match hostport.rsplit_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (hostport, None),
            };
            if name.is_empty() {
                if special && self.scheme != "file" {
                    return Err(ParseError::EmptyHost);
                }
                if port.is_some_and(|p| !p.is_empty()) || !self.username.is_empty() {
                    return Err(ParseError::EmptyHost);
                }
                self.host_str = Some(String::new());
                return Ok(());
            }
            let forbidden = |c: char| {
                c <= ' '
                    || matches!(
                        c,
                        '#' | '/' | ':' | '<' | '>' | '?' | '@' | '[' | '\\' | ']' | '^' | '|'
                    )
                    || (special && (c == '%' || c == '\u{7f}'))
            };
            if name.chars().any(forbidden) {
                return Err(ParseError::InvalidDomainCharacter);
            }
            let host = if special {
                let lower = name.to_lowercase();
                let last = lower.trim_end_matches('.').rsplit('.').next().unwrap_or("");
                if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
                    Host::Ipv4(lower.parse().map_err(|_| ParseError::InvalidIpv4Address)?)
                } else {
                    Host::Domain(lower)
                }
            } else {
                Host::Domain(name.to_owned())
            };
            (host, port)
        };
        self.port = match port {
            None | Some("") => None,
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
                let n: u16 = p
                    .trim_start_matches('0')
                    .parse()
                    .or_else(|_| {
                        if p.bytes().all(|b| b == b'0') {
                            Ok(0)
                        } else {
                            Err(())
                        }
                    })
                    .map_err(|()| ParseError::InvalidPort)?;
                Some(n).filter(|n| Some(*n) != default_port(&self.scheme))
            }
            Some(_) => return Err(ParseError::InvalidPort),
        };
        self.host_str = Some(host.to_string());
        self.host = Some(host);
        Ok(())
    }

    /// The scheme, lower-case, without the `:`.
    pub(crate) fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The user name as written (empty when none).
    pub(crate) fn username(&self) -> &str {
        &self.username
    }

    /// The password as written, `None` when none or empty.
    pub(crate) fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The host, `None` without an authority or with an empty one.
    pub(crate) fn host(&self) -> Option<Host<&str>> {
        self.host.as_ref().map(|h| match h {
            Host::Domain(d) => Host::Domain(d.as_str()),
            Host::Ipv4(ip) => Host::Ipv4(*ip),
            Host::Ipv6(ip) => Host::Ipv6(*ip),
        })
    }

    /// The host as written in the URL (IPv6 in brackets), `None` without an authority.
    pub(crate) fn host_str(&self) -> Option<&str> {
        self.host_str.as_deref()
    }

    /// The port, `None` when absent or the scheme's default.
    pub(crate) fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port, or the scheme's default when it has one.
    pub(crate) fn port_or_known_default(&self) -> Option<u16> {
        self.port.or_else(|| default_port(&self.scheme))
    }

    /// The path (`/` at least for a special scheme).
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// The path's `/`-separated segments; `None` for a URL that cannot be a base (`mailto:…`).
    #[cfg_attr(not(feature = "logging"), allow(dead_code))]
    pub(crate) fn path_segments(&self) -> Option<std::str::Split<'_, char>> {
        self.path.strip_prefix('/').map(|p| p.split('/'))
    }

    /// Whether the URL has an opaque path (`mailto:a@b`, `urn:…`): no authority and a path
    /// not starting with `/`.
    pub(crate) fn cannot_be_a_base(&self) -> bool {
        self.host_str.is_none() && !self.path.starts_with('/')
    }

    /// The query without the `?`.
    pub(crate) fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The fragment without the `#`.
    pub(crate) fn fragment(&self) -> Option<&str> {
        self.fragment.as_deref()
    }

    /// The query's `application/x-www-form-urlencoded` pairs, decoded.
    pub(crate) fn query_pairs(&self) -> form_urlencoded::Parse<'_> {
        form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
    }

    /// Removes the user name and password.
    pub(crate) fn clear_userinfo(&mut self) {
        self.username.clear();
        self.password = None;
    }

    /// Replaces the query with `pairs`, form-encoded.
    pub(crate) fn set_query_pairs<K: AsRef<str>, V: AsRef<str>>(&mut self, pairs: &[(K, V)]) {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            s.append_pair(k.as_ref(), v.as_ref());
        }
        self.query = Some(s.finish());
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.scheme)?;
        if let Some(host) = &self.host_str {
            f.write_str("//")?;
            if !self.username.is_empty() || self.password.is_some() {
                f.write_str(&self.username)?;
                if let Some(p) = &self.password {
                    write!(f, ":{p}")?;
                }
                f.write_str("@")?;
            }
            f.write_str(host)?;
            if let Some(port) = self.port {
                write!(f, ":{port}")?;
            }
        }
        f.write_str(&self.path)?;
        if let Some(q) = &self.query {
            write!(f, "?{q}")?;
        }
        if let Some(frag) = &self.fragment {
            write!(f, "#{frag}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_a_database_url() {
        let u = Url::parse("postgres://app:s3cr3t@db.internal:5432/app?sslmode=require#x").unwrap();
        assert_eq!(u.scheme(), "postgres");
        assert_eq!(u.username(), "app");
        assert_eq!(u.password(), Some("s3cr3t"));
        assert_eq!(u.host(), Some(Host::Domain("db.internal")));
        assert_eq!(u.port(), Some(5432));
        assert_eq!(u.path(), "/app");
        assert_eq!(u.query(), Some("sslmode=require"));
        assert_eq!(u.fragment(), Some("x"));
        let pairs: Vec<_> = u.query_pairs().collect();
        assert_eq!(pairs, [("sslmode".into(), "require".into())]);
        assert_eq!(
            u.to_string(),
            "postgres://app:s3cr3t@db.internal:5432/app?sslmode=require#x"
        );
    }

    #[test]
    fn special_schemes_normalise_like_browsers() {
        let u = Url::parse("HTTPS://Example.COM:443").unwrap();
        assert_eq!(u.scheme(), "https");
        assert_eq!(u.host_str(), Some("example.com"));
        assert_eq!(u.port(), None);
        assert_eq!(u.port_or_known_default(), Some(443));
        assert_eq!(u.path(), "/");
        assert_eq!(u.to_string(), "https://example.com/");
        let ip = Url::parse("http://127.0.0.1:8080/x").unwrap();
        assert_eq!(ip.host(), Some(Host::Ipv4(Ipv4Addr::LOCALHOST)));
        let v6 = Url::parse("http://[::1]:9/").unwrap();
        assert_eq!(v6.host(), Some(Host::Ipv6(Ipv6Addr::LOCALHOST)));
        assert_eq!(v6.host_str(), Some("[::1]"));
        assert_eq!(v6.host().unwrap().to_owned().to_string(), "[::1]");
    }

    #[test]
    fn opaque_and_local_urls() {
        let m = Url::parse("mailto:oncall@example.com").unwrap();
        assert!(m.cannot_be_a_base());
        assert_eq!(m.host(), None);
        assert!(m.path_segments().is_none());
        let s = Url::parse("sqlite:///var/lib/app.db").unwrap();
        assert_eq!(s.host_str(), Some(""));
        assert_eq!(s.host(), None);
        assert_eq!(s.path(), "/var/lib/app.db");
        assert!(!s.cannot_be_a_base());
        let sock = Url::parse("postgres:///app?host=/run/postgresql").unwrap();
        assert_eq!(sock.host_str(), Some(""));
        assert_eq!(sock.query_pairs().next().unwrap().1, "/run/postgresql");
        let redis = Url::parse("redis://127.0.0.1:6379/0").unwrap();
        assert_eq!(redis.host(), Some(Host::Domain("127.0.0.1")));
    }

    #[test]
    fn rejects_what_is_no_absolute_url() {
        for (text, e) in [
            ("/etc/passwd", ParseError::RelativeUrlWithoutBase),
            ("host=db password=x", ParseError::RelativeUrlWithoutBase),
            ("1http://x", ParseError::RelativeUrlWithoutBase),
            ("https://", ParseError::EmptyHost),
            ("http://:80/", ParseError::EmptyHost),
            ("http://host:99999/", ParseError::InvalidPort),
            ("http://host:8a/", ParseError::InvalidPort),
            ("http://1.2.3.999/", ParseError::InvalidIpv4Address),
            ("http://[::g]/", ParseError::InvalidIpv6Address),
            ("http://ex ample.com/", ParseError::InvalidDomainCharacter),
        ] {
            assert_eq!(Url::parse(text), Err(e), "{text}");
        }
        assert_eq!(
            ParseError::RelativeUrlWithoutBase.to_string(),
            "relative URL without a base"
        );
    }

    #[test]
    fn user_info_and_query_can_be_rewritten() {
        let mut u = Url::parse("redis://user:pw@cache:6379/0?password=pw&db=1").unwrap();
        u.clear_userinfo();
        u.set_query_pairs(&[("password", "***"), ("db", "1")]);
        assert_eq!(u.to_string(), "redis://cache:6379/0?password=***&db=1");
    }
}
