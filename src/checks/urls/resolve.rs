//! Host name resolution with a timeout.
//!
//! The lookup runs the system resolver (`getaddrinfo`, as `tokio::net::lookup_host` does) on
//! tokio's blocking pool, so it needs no optional tokio feature; a lookup that outlives the
//! timeout is abandoned, never awaited.

use crate::url::Host;
use std::net::ToSocketAddrs;
use std::time::Duration;

/// Whether `host` is the local machine: `localhost` (and `*.localhost`), `127.0.0.0/8`, `::1`.
pub(crate) fn is_loopback(host: &Host<String>) -> bool {
    match host {
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// How many addresses `host` resolves to within `timeout`, or why it does not.
pub(crate) async fn resolve(
    host: &Host<String>,
    port: u16,
    timeout: Duration,
) -> Result<usize, String> {
    let name = match host {
        Host::Domain(d) => d.clone(),
        // An address needs no lookup.
        Host::Ipv4(_) | Host::Ipv6(_) => return Ok(1),
    };
    within(timeout, move || {
        (name.as_str(), port).to_socket_addrs().map(Iterator::count)
    })
    .await
}

/// Runs the blocking `lookup` on the blocking pool, giving up after `timeout`.
async fn within<F>(timeout: Duration, lookup: F) -> Result<usize, String>
where
    F: FnOnce() -> std::io::Result<usize> + Send + 'static,
{
    match tokio::time::timeout(timeout, tokio::task::spawn_blocking(lookup)).await {
        Err(_) => Err(format!(
            "no answer within {}",
            humantime::format_duration(timeout)
        )),
        Ok(Err(e)) => Err(format!("the lookup task failed: {e}")),
        Ok(Ok(Err(e))) => Err(e.to_string()),
        Ok(Ok(Ok(0))) => Err("no addresses".to_owned()),
        Ok(Ok(Ok(n))) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "LOCALHOST.",
            "api.localhost",
            "127.0.0.1",
            "127.9.9.9",
            "[::1]",
        ] {
            let host = Host::parse(h).unwrap();
            assert!(is_loopback(&host), "{h}");
        }
        for h in ["example.com", "localhost.example.com", "10.0.0.1", "[::2]"] {
            let host = Host::parse(h).unwrap();
            assert!(!is_loopback(&host), "{h}");
        }
    }

    #[tokio::test]
    async fn resolves_localhost_and_not_an_invalid_name() {
        let localhost = Host::Domain("localhost".to_owned());
        assert!(
            resolve(&localhost, 80, Duration::from_secs(5))
                .await
                .unwrap()
                >= 1
        );
        let ip = Host::parse("10.1.2.3").unwrap();
        assert_eq!(resolve(&ip, 80, Duration::from_secs(5)).await, Ok(1));
        let invalid = Host::Domain("nonexistent.invalid".to_owned());
        assert!(resolve(&invalid, 80, Duration::from_secs(5)).await.is_err());
    }

    #[tokio::test]
    async fn a_slow_lookup_times_out() {
        let slow = || {
            std::thread::sleep(Duration::from_millis(300));
            Ok(1)
        };
        let err = within(Duration::from_millis(20), slow).await.unwrap_err();
        assert_eq!(err, "no answer within 20ms");
        assert_eq!(
            within(Duration::from_secs(1), || Ok(0)).await,
            Err("no addresses".to_owned())
        );
    }
}
