//! The standalone hyper server over a real TCP connection.

use crate::common::*;
use prodready::{Checklist, Item};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn request(addr: std::net::SocketAddr, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let req = format!("{method} {path} HTTP/1.1\r\nhost: localhost\r\naccept: text/plain\r\nconnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let status = raw[9..12].parse().unwrap();
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn serves_the_endpoints_over_tcp() {
    let c = Checklist::new("c")
        .item(Item::new("S", None, "Db").check(fail("down")))
        .item(Item::new("S", None, "Fine").check(pass()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(prodready::http::server::serve(listener, readiness(c)));

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
