//! Reading the certificate chain and key, and what can be said about them: does the key match
//! the leaf, which names the leaf covers, is the chain in order.

use crate::checks::secrets::{key_info, pem_blocks, public_key_info, KeyInfo};
use std::net::IpAddr;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

/// The DER certificates of a PEM chain, leaf first. The error names the block, never the text.
pub(super) fn chain_ders(pem: &str) -> Result<Vec<Vec<u8>>, String> {
    let blocks = pem_blocks(pem)?;
    let ders: Vec<Vec<u8>> = blocks
        .into_iter()
        .filter(|b| b.label == "CERTIFICATE")
        .map(|b| b.der)
        .collect();
    if ders.is_empty() {
        return Err("holds no `CERTIFICATE` PEM block".to_owned());
    }
    Ok(ders)
}

/// Parses each DER certificate; the error says which one (1-based) and why.
pub(super) fn parse_chain(ders: &[Vec<u8>]) -> Result<Vec<X509Certificate<'_>>, String> {
    ders.iter()
        .enumerate()
        .map(|(i, der)| match x509_parser::parse_x509_certificate(der) {
            Ok((_, cert)) => Ok(cert),
            Err(e) => Err(format!("certificate #{} does not parse: {e}", i + 1)),
        })
        .collect()
}

/// Whether a private key matches a certificate.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum KeyMatch {
    Matches,
    Differs,
    /// The key could be read but not compared (encrypted, or holds no public half).
    Unknown(String),
}

/// Compares the private key in `key_pem` with the certificate's SubjectPublicKeyInfo. The
/// error says why the key cannot be read, never quoting it.
pub(super) fn key_matches(key_pem: &str, leaf: &X509Certificate<'_>) -> Result<KeyMatch, String> {
    let spki = leaf.public_key();
    // One PEM reader for keys and certificates: the crate's own (`secrets::der`).
    let blocks = pem_blocks(key_pem)?;
    let block = blocks
        .iter()
        .find(|b| b.label.contains("PRIVATE KEY"))
        .ok_or_else(|| "holds no `PRIVATE KEY` PEM block".to_owned())?;
    // PKCS#8 keys: the crypto backend derives the public key, proving the key usable too.
    if block.label == "PRIVATE KEY" {
        if let Ok(pair) = rcgen::KeyPair::try_from(block.der.as_slice()) {
            let same = pair.public_key_der() == spki.raw
                || pair.public_key_raw() == spki.subject_public_key.data.as_ref();
            return Ok(if same {
                KeyMatch::Matches
            } else {
                KeyMatch::Differs
            });
        }
    }
    // PKCS#1 and SEC1 keys (and PKCS#8 ones the backend refuses) hold their public half.
    let key = key_info(block)?;
    let cert_key = public_key_info(spki.raw);
    Ok(match (key.info, cert_key) {
        (KeyInfo::Encrypted, _) => KeyMatch::Unknown("the key is encrypted".to_owned()),
        (rsa @ KeyInfo::Rsa { .. }, Some(cert @ KeyInfo::Rsa { .. })) => {
            if rsa == cert {
                KeyMatch::Matches
            } else {
                KeyMatch::Differs
            }
        }
        (
            KeyInfo::Ec {
                public_key: Some(point),
                ..
            },
            Some(KeyInfo::Ec {
                public_key: Some(cert_point),
                ..
            }),
        ) => {
            if point == cert_point {
                KeyMatch::Matches
            } else {
                KeyMatch::Differs
            }
        }
        (
            KeyInfo::Ec {
                public_key: None, ..
            },
            Some(KeyInfo::Ec { .. }),
        ) => KeyMatch::Unknown("the EC key holds no public point to compare".to_owned()),
        (KeyInfo::Other(oid), _) => {
            return Err(format!("is a key of an unsupported algorithm ({oid})"));
        }
        // Different algorithms cannot be the same key.
        _ => KeyMatch::Differs,
    })
}

/// The names a certificate covers: DNS names and IP addresses of its subjectAltName.
#[derive(Debug, Default)]
pub(super) struct Names {
    pub(super) dns: Vec<String>,
    pub(super) ips: Vec<IpAddr>,
}

impl Names {
    pub(super) fn of(cert: &X509Certificate<'_>) -> Result<Option<Names>, String> {
        let ext = cert
            .subject_alternative_name()
            .map_err(|e| format!("its subjectAltName does not parse: {e}"))?;
        let Some(ext) = ext else { return Ok(None) };
        let mut names = Names::default();
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(dns) => names.dns.push(dns.to_ascii_lowercase()),
                GeneralName::IPAddress(bytes) => {
                    if let Ok(v4) = <[u8; 4]>::try_from(*bytes) {
                        names.ips.push(IpAddr::from(v4));
                    } else if let Ok(v6) = <[u8; 16]>::try_from(*bytes) {
                        names.ips.push(IpAddr::from(v6));
                    }
                }
                _ => {}
            }
        }
        Ok(Some(names))
    }

    /// Whether `host` (a DNS name or an IP address) is covered.
    pub(super) fn covers(&self, host: &str) -> bool {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return self.ips.contains(&ip);
        }
        self.dns.iter().any(|pattern| dns_matches(pattern, &host))
    }

    /// Every name, as reports show them.
    pub(super) fn all(&self) -> Vec<String> {
        let ips = self.ips.iter().map(|ip| format!("IP:{ip}"));
        self.dns.iter().cloned().chain(ips).collect()
    }
}

/// RFC 6125 matching: exact, or `*.example.com` matching exactly one leftmost label.
fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.');
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => pattern == host,
    }
}

/// The first place the chain is out of order: certificate `i` (1-based) not issued by `i + 1`.
pub(super) fn out_of_order(chain: &[X509Certificate<'_>]) -> Option<usize> {
    chain
        .windows(2)
        .position(|pair| pair[0].issuer().as_raw() != pair[1].subject().as_raw())
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_label() {
        assert!(dns_matches("*.example.com", "api.example.com"));
        assert!(!dns_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(dns_matches("api.example.com", "api.example.com"));
        assert!(!dns_matches("api.example.com", "www.example.com"));
    }
}
