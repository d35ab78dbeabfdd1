//! Listening TCP sockets, from `/proc/net/tcp` and `/proc/net/tcp6`.
//!
//! These tables cover the whole network namespace: in a pod that includes the sidecars, which
//! share it, so their ports must be declared too.

use super::{ContainerSpec, Part};
use crate::{Host, Status};
use std::collections::BTreeSet;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

const TABLES: [&str; 2] = ["/proc/net/tcp", "/proc/net/tcp6"];
/// The `st` column of a listening socket (`TCP_LISTEN`).
const LISTEN: &str = "0A";

/// A listening TCP socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Listener {
    /// The local address (`0.0.0.0`, `::` for every interface).
    pub address: IpAddr,
    /// The local port.
    pub port: u16,
}

impl fmt::Display for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        std::net::SocketAddr::new(self.address, self.port).fmt(f)
    }
}

/// Why the socket tables could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenError {
    /// A table could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Unreadable {
        /// The table.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A row does not have the kernel's format.
    #[error("`{}` is malformed: line {line}: {reason}", path.display())]
    Malformed {
        /// The table.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What was wrong.
        reason: String,
    },
}

/// The TCP sockets listening in the process's network namespace, IPv4 and IPv6, sorted.
/// A missing `/proc/net/tcp6` (IPv6 disabled) is no error.
pub fn listening_sockets(host: &dyn Host) -> Result<Vec<Listener>, ListenError> {
    let mut found = BTreeSet::new();
    for table in TABLES {
        let path = Path::new(table);
        let text = match host.read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound && table.ends_with('6') => continue,
            Err(source) => {
                return Err(ListenError::Unreadable {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        for (i, row) in text.lines().enumerate().skip(1) {
            let malformed = |reason: String| ListenError::Malformed {
                path: path.to_path_buf(),
                line: i + 1,
                reason,
            };
            let cols: Vec<&str> = row.split_whitespace().collect();
            if cols.is_empty() {
                continue;
            }
            let (Some(local), Some(state)) = (cols.get(1), cols.get(3)) else {
                return Err(malformed("fewer than 4 columns".into()));
            };
            if *state == LISTEN {
                found.insert(decode(local).map_err(malformed)?);
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// `0100007F:1F90` → 127.0.0.1:8080. The address is the kernel's in-memory words printed as hex
/// (host byte order, one 32-bit word for IPv4, four for IPv6); the port is big-endian hex.
fn decode(field: &str) -> Result<Listener, String> {
    let bad = || format!("`{field}` is not a hex `address:port`");
    let (addr, port) = field.split_once(':').ok_or_else(bad)?;
    let port = u16::from_str_radix(port, 16).map_err(|_| bad())?;
    let word = |i: usize| -> Result<[u8; 4], String> {
        let hex = addr.get(i * 8..i * 8 + 8).ok_or_else(bad)?;
        u32::from_str_radix(hex, 16)
            .map(u32::to_ne_bytes)
            .map_err(|_| bad())
    };
    let address = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut bytes = [0u8; 16];
            for i in 0..4 {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
        _ => return Err(bad()),
    };
    Ok(Listener { address, port })
}

pub(super) fn only_declared_ports(host: &dyn Host, spec: &ContainerSpec) -> Part {
    const NAME: &str = "ports";
    let listeners = match listening_sockets(host) {
        Ok(l) => l,
        Err(e) => return Part::new(NAME, Status::Fail, e.to_string()),
    };
    let ports: BTreeSet<u16> = listeners.iter().map(|l| l.port).collect();
    let declared: BTreeSet<u16> = spec.ports.iter().copied().collect();
    let undeclared: Vec<&Listener> = listeners
        .iter()
        .filter(|l| !declared.contains(&l.port))
        .collect();
    let join = |ls: &[&Listener]| {
        ls.iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let part = if listeners.is_empty() {
        Part::new(NAME, Status::Pass, "no TCP port listening")
    } else if declared.is_empty() {
        Part::new(
            NAME,
            Status::Warn,
            format!("TCP listening on {} but no ports declared", join(&undeclared)),
        )
        .remediation("declare the ports the service (and its pod's sidecars) listen on: `ContainerSpec::default().port(8080)` given to `Readiness::builder().resource(..)`, or `.port(8080)` on the check")
    } else if undeclared.is_empty() {
        let list: Vec<String> = ports.iter().map(u16::to_string).collect();
        Part::new(
            NAME,
            Status::Pass,
            format!("only declared TCP ports listening: {}", list.join(", ")),
        )
    } else {
        Part::new(
            NAME,
            Status::Fail,
            format!("undeclared TCP listeners: {}", join(&undeclared)),
        )
        .remediation("stop the listeners that are not part of the service, or declare their ports with `ContainerSpec::port` (sidecars share the pod's network namespace: declare theirs too)")
    };
    let undeclared_ports: BTreeSet<u16> = undeclared.iter().map(|l| l.port).collect();
    part.detail(
        "listening",
        listeners
            .iter()
            .map(Listener::to_string)
            .collect::<Vec<_>>(),
    )
    .detail("listening_ports", &ports)
    .detail("declared_ports", &declared)
    .detail("undeclared_ports", &undeclared_ports)
}

#[cfg(all(test, target_endian = "little"))]
pub(super) mod tests {
    use super::*;
    use crate::testing::FakeHost;

    /// Real tables (x86-64): 127.0.0.1:1883, 0.0.0.0:8080 listening, one established connection,
    /// and [::1]:4369 plus [::]:8080 on IPv6.
    pub(crate) const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:075B 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 7127 1 000000004c8230c1 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 9121 1 000000003fc7ec40 100 0 0 10 0
   2: 0100007F:1F90 0100007F:C8A2 01 00000000:00000000 00:00000000 00000000  1000        0 9150 1 00000000dc5221c7 20 4 30 10 -1
";
    pub(crate) const TCP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1111 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 6960 1 0000000049e6c5d3 100 0 0 10 0
   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 9122 1 00000000b16bd0a5 100 0 0 10 0
";

    #[test]
    fn decodes_the_kernel_tables() {
        let host = FakeHost::new()
            .file("/proc/net/tcp", TCP)
            .file("/proc/net/tcp6", TCP6);
        let found: Vec<String> = listening_sockets(&host)
            .unwrap()
            .iter()
            .map(Listener::to_string)
            .collect();
        assert_eq!(
            found,
            ["0.0.0.0:8080", "127.0.0.1:1883", "[::]:8080", "[::1]:4369"]
        );
        let v4_mapped = decode("0000000000000000FFFF00000100007F:0050").unwrap();
        assert_eq!(v4_mapped.to_string(), "[::ffff:127.0.0.1]:80");
    }

    #[test]
    fn missing_tcp6_is_fine_but_missing_tcp_or_bad_rows_are_errors() {
        let host = FakeHost::new().file("/proc/net/tcp", TCP);
        assert_eq!(listening_sockets(&host).unwrap().len(), 2);
        let e = listening_sockets(&FakeHost::new()).unwrap_err();
        assert!(
            e.to_string().starts_with("cannot read `/proc/net/tcp`"),
            "{e}"
        );
        let host = FakeHost::new().file("/proc/net/tcp", "header\n   0: XYZ:1F90 0:0 0A\n");
        assert_eq!(
            listening_sockets(&host).unwrap_err().to_string(),
            "`/proc/net/tcp` is malformed: line 2: `XYZ:1F90` is not a hex `address:port`"
        );
        let host = FakeHost::new().file("/proc/net/tcp", "header\n   0: 0100007F:1F90\n");
        assert!(listening_sockets(&host)
            .unwrap_err()
            .to_string()
            .contains("fewer than 4 columns"));
    }
}
