//! A TCP fault proxy for tests: listens on `127.0.0.1:0`, forwards to a target, and injects a
//! fault switchable at runtime, so a check can be put between a service and a hung dependency.
//!
//! Needs tokio's `net`, which the `axum`, `hyper-server` and `http-client` features bring.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use prodready::testing::fault::{Fault, FaultProxy};
//! let proxy = FaultProxy::start("127.0.0.1:5432").await?;
//! let url = format!("postgres://postgres@{}/test", proxy.addr());
//! proxy.set(Fault::Blackhole); // connections are accepted and never answered
//! # let _ = url; Ok(()) }
//! ```
#![cfg(any(feature = "axum", feature = "hyper-server", feature = "http-client"))]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does to traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward unchanged.
    Pass,
    /// Forward each chunk after a delay.
    Delay(Duration),
    /// Close new connections at once; open ones are closed too.
    Refuse,
    /// Close every connection after forwarding this many more bytes from the server.
    DropAfter(usize),
    /// Accept and never answer: bytes are swallowed both ways.
    Blackhole,
}

/// The proxy; dropping it stops accepting and ends every forwarded connection.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    fault: watch::Sender<Fault>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on an ephemeral local port and forwards to `target` (`host:port`).
    pub async fn start(target: impl Into<String>) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (fault, rx) = watch::channel(Fault::Pass);
        let target: Arc<str> = target.into().into();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let rx = rx.clone();
                let target = target.clone();
                tokio::spawn(async move {
                    let _ = serve(client, &target, rx).await;
                });
            }
        });
        Ok(FaultProxy { addr, fault, task })
    }

    /// The address to connect to instead of the target.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Switches the fault; open connections see it on their next chunk.
    pub fn set(&self, fault: Fault) {
        self.fault.send_replace(fault);
    }

    /// The current fault.
    pub fn fault(&self) -> Fault {
        *self.fault.borrow()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    client: TcpStream,
    target: &str,
    mut rx: watch::Receiver<Fault>,
) -> std::io::Result<()> {
    let mut fault = *rx.borrow_and_update();
    match fault {
        Fault::Refuse => return Ok(()),
        Fault::Blackhole => return swallow(client, rx).await,
        _ => {}
    }
    let server = TcpStream::connect(target).await?;
    let (cr, sr) = (&client, &server);
    let (cw, sw) = (&client, &server);
    let (mut up, mut down) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
    // Bytes swallowed by a blackhole leave the protocol stream corrupt: such a connection is
    // closed when the blackhole ends, as a real network would eventually reset it.
    let mut tainted = false;
    let mut budget = budget_of(fault);
    loop {
        tokio::select! {
            r = read(cr, &mut up) => {
                let n = r?;
                if n == 0 { break; }
                match fault {
                    Fault::Blackhole => tainted = true,
                    Fault::Refuse => break,
                    Fault::Delay(d) => { tokio::time::sleep(d).await; write_all(sw, &up[..n]).await?; }
                    Fault::Pass | Fault::DropAfter(_) => write_all(sw, &up[..n]).await?,
                }
            }
            r = read(sr, &mut down) => {
                let n = r?;
                if n == 0 { break; }
                match fault {
                    Fault::Blackhole => tainted = true,
                    Fault::Refuse => break,
                    Fault::Delay(d) => { tokio::time::sleep(d).await; write_all(cw, &down[..n]).await?; }
                    Fault::Pass => write_all(cw, &down[..n]).await?,
                    Fault::DropAfter(_) => {
                        let allowed = n.min(budget);
                        write_all(cw, &down[..allowed]).await?;
                        budget -= allowed;
                        if allowed < n { break; }
                    }
                }
            }
            changed = rx.changed() => {
                if changed.is_err() { break; }
                fault = *rx.borrow_and_update();
                budget = budget_of(fault);
                if fault == Fault::Refuse || (tainted && fault != Fault::Blackhole) { break; }
            }
        }
    }
    Ok(())
}

fn budget_of(fault: Fault) -> usize {
    match fault {
        Fault::DropAfter(n) => n,
        _ => usize::MAX,
    }
}

/// A blackholed connection: read and discard until the client leaves or the blackhole ends.
async fn swallow(client: TcpStream, mut rx: watch::Receiver<Fault>) -> std::io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        tokio::select! {
            r = read(&client, &mut buf) => if r? == 0 { return Ok(()) },
            changed = rx.changed() => {
                if changed.is_err() || *rx.borrow_and_update() != Fault::Blackhole {
                    return Ok(());
                }
            }
        }
    }
}

/// Reads what is there (tokio's `net` alone, without `io-util`).
async fn read(stream: &TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        stream.readable().await?;
        match stream.try_read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            other => return other,
        }
    }
}

async fn write_all(stream: &TcpStream, mut buf: &[u8]) -> std::io::Result<()> {
    while !buf.is_empty() {
        stream.writable().await?;
        match stream.try_write(buf) {
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
