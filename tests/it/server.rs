//! The standalone hyper server over a real TCP connection.

use crate::common::*;
use prodready::{Checklist, Item};
use tokio::net::TcpListener;

async fn request(addr: std::net::SocketAddr, method: &str, path: &str) -> (u16, String) {
    let headers = format!("accept: text/plain\r\nauthorization: Bearer {TOKEN}\r\n");
    http_request(addr, method, path, &headers).await
}

#[tokio::test]
async fn serves_the_endpoints_over_tcp() {
    let c = Checklist::new("c")
        .item(Item::new("S", None, "Db").check(fail("down")))
        .item(Item::new("S", None, "Fine").check(pass()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(prodready::http::server::serve(listener, warm(c).await));

    let (status, body) = request(addr, "GET", "/readiness-checklist").await;
    assert_eq!(status, 503);
    assert!(
        body.contains("✗ Db: down  [s.db]"),
        "Accept: text/plain gives text: {body}"
    );
    assert_eq!(
        request(addr, "GET", "/readyz?verbose").await,
        (
            503,
            "[-]s.db failed: down\n[+]s.fine ok\nreadyz check failed\n".into()
        )
    );
    assert_eq!(
        request(addr, "GET", "/readyz?exclude=s.db").await,
        (200, "ok".into())
    );
    assert_eq!(request(addr, "GET", "/livez").await, (200, "ok".into()));
    assert_eq!(
        request(addr, "GET", "/readiness-checklist/s.fine").await.0,
        200
    );
    assert_eq!(
        request(addr, "GET", "/readiness-checklist/s.nope").await.0,
        404
    );
    assert_eq!(
        request(addr, "GET", "/readiness-checklist?bogus=1").await.0,
        400
    );
    assert_eq!(request(addr, "POST", "/readyz").await.0, 405);
    assert_eq!(request(addr, "GET", "/other").await.0, 404);
    assert_eq!(request(addr, "HEAD", "/readyz").await, (503, String::new()));
    server.abort();
}
