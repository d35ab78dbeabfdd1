//! Real-machine tests of `checks::urls`: the machine's real resolver.

use prodready::checks::urls::{urls_configured, UrlSpec};
use prodready::{Check, Context, Status};
use std::net::ToSocketAddrs;

#[tokio::test]
async fn localhost_resolves_for_real() {
    let expected = ("localhost", 8080).to_socket_addrs().unwrap().count();
    let spec = UrlSpec::new()
        .literal("Self", "http://localhost:8080/healthz")
        .production(true);
    let o = urls_configured().spec(spec).run(&Context::default()).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(o.details()["urls"][0]["address_count"], expected);
    assert_eq!(o.details()["mode"], "production (declared)");
}

#[tokio::test]
async fn a_reserved_invalid_name_does_not_resolve() {
    assert!(("nonexistent.invalid", 443).to_socket_addrs().is_err());
    let spec = UrlSpec::new().literal("Ghost", "https://nonexistent.invalid/");
    let o = urls_configured().spec(spec).run(&Context::default()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(
        o.message()
            .contains("host `nonexistent.invalid` does not resolve"),
        "{o:?}"
    );
}

#[tokio::test]
async fn a_url_from_the_real_environment() {
    // PATH is no URL: it has no scheme, so it does not parse, and its text is never shown.
    let path = std::env::var("PATH").unwrap();
    let spec = UrlSpec::new().env("Not a URL", "PATH");
    let o = urls_configured().spec(spec).run(&Context::default()).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(!format!("{o:?}").contains(&path));
}
