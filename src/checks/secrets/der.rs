//! Just enough PEM and DER to tell what a key is — RSA and its size, which EC curve, Ed25519 —
//! without a crypto dependency. The JWT key check uses it in every build; the TLS check uses it
//! for the PKCS#1 and SEC1 keys its crypto backend cannot load.

/// One `-----BEGIN <label>-----` block, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PemBlock {
    pub(crate) label: String,
    pub(crate) der: Vec<u8>,
    /// RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) mark a legacy encrypted key.
    pub(crate) has_headers: bool,
}

/// Every PEM block of `text`, in order. The error names the block, never its contents.
pub(crate) fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(label) = line
            .trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let (mut body, mut closed, mut has_headers) = (String::new(), false, false);
        for line in lines.by_ref() {
            let line = line.trim();
            if line == end {
                closed = true;
                break;
            }
            if line.contains(':') {
                has_headers = true;
                continue;
            }
            body.push_str(line);
        }
        if !closed {
            return Err(format!("the `{label}` block has no END line"));
        }
        let der = base64_decode(&body)
            .filter(|d| !d.is_empty())
            .ok_or_else(|| format!("the `{label}` block is not valid base64"))?;
        blocks.push(PemBlock {
            label: label.to_owned(),
            der,
            has_headers,
        });
    }
    Ok(blocks)
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;
    // Lenient like most PEM readers: padding optional, stray trailing bits ignored; whether the
    // bytes are a valid key or certificate is the DER parser's call.
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    LENIENT.decode(text.trim_end_matches('=')).ok()
}

/// One DER element: its tag byte and contents.
#[derive(Debug, Clone, Copy)]
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;

fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |len, &b| (len << 8) | usize::from(b));
        rest = &rest[n..];
        len
    };
    (rest.len() >= len).then(|| {
        (
            Tlv {
                tag,
                content: &rest[..len],
            },
            &rest[len..],
        )
    })
}

/// The elements of a constructed value's contents.
fn children(mut content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (tlv, rest) = read_tlv(content)?;
        out.push(tlv);
        content = rest;
    }
    Some(out)
}

/// The elements of the SEQUENCE that is the whole of `der`.
fn sequence(der: &[u8]) -> Option<Vec<Tlv<'_>>> {
    match read_tlv(der)? {
        (
            Tlv {
                tag: SEQUENCE,
                content,
            },
            [],
        ) => children(content),
        _ => None,
    }
}

fn oid(tlv: &Tlv<'_>) -> Option<String> {
    if tlv.tag != OID || tlv.content.is_empty() {
        return None;
    }
    let mut arcs = Vec::new();
    let mut value = 0u64;
    for &b in tlv.content {
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            arcs.push(value);
            value = 0;
        }
    }
    let first = arcs.first().copied()?;
    let (a, b) = if first >= 80 {
        (2, first - 80)
    } else {
        (first / 40, first % 40)
    };
    let rest = arcs[1..]
        .iter()
        .map(|n| format!(".{n}"))
        .collect::<String>();
    Some(format!("{a}.{b}{rest}"))
}

/// An INTEGER's magnitude without leading zero bytes.
fn unsigned(tlv: &Tlv<'_>) -> Option<Vec<u8>> {
    (tlv.tag == INTEGER).then(|| {
        let start = tlv
            .content
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(tlv.content.len());
        tlv.content[start..].to_vec()
    })
}

/// What a key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyInfo {
    /// RSA: modulus and public exponent (big-endian, no leading zeros).
    Rsa { modulus: Vec<u8>, exponent: Vec<u8> },
    /// Elliptic curve: the curve's name (or OID) and the public point, when the file holds it.
    Ec {
        curve: Option<String>,
        public_key: Option<Vec<u8>>,
    },
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// An encrypted private key: nothing more can be read without its passphrase.
    Encrypted,
    /// Another algorithm, by OID.
    Other(String),
}

impl KeyInfo {
    /// The RSA modulus size in bits.
    pub(crate) fn rsa_bits(&self) -> Option<usize> {
        match self {
            KeyInfo::Rsa { modulus, .. } => modulus
                .first()
                .map(|&b| (modulus.len() - 1) * 8 + (8 - b.leading_zeros() as usize)),
            _ => None,
        }
    }
}

/// A key read from a PEM block, and whether it is the private half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedKey {
    pub(crate) info: KeyInfo,
    pub(crate) private: bool,
}

fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256".to_owned(),
        "1.3.132.0.34" => "P-384".to_owned(),
        "1.3.132.0.35" => "P-521".to_owned(),
        "1.3.132.0.10" => "secp256k1".to_owned(),
        other => other.to_owned(),
    }
}

/// Reads the key in `block` (PKCS#8, PKCS#1, SEC1, SubjectPublicKeyInfo). The error says what
/// was wrong, never the contents.
pub(crate) fn key_info(block: &PemBlock) -> Result<ParsedKey, String> {
    let malformed = || format!("the `{}` block is not a well-formed key", block.label);
    let private = |info| ParsedKey {
        info,
        private: true,
    };
    match block.label.as_str() {
        "ENCRYPTED PRIVATE KEY" => Ok(private(KeyInfo::Encrypted)),
        _ if block.has_headers => Ok(private(KeyInfo::Encrypted)),
        "PRIVATE KEY" => pkcs8(&block.der).map(private).ok_or_else(malformed),
        "RSA PRIVATE KEY" => rsa_private(&block.der).map(private).ok_or_else(malformed),
        "EC PRIVATE KEY" => ec_private(&block.der, None)
            .map(private)
            .ok_or_else(malformed),
        "PUBLIC KEY" => spki(&block.der)
            .map(|info| ParsedKey {
                info,
                private: false,
            })
            .ok_or_else(malformed),
        "RSA PUBLIC KEY" => rsa_public(&block.der)
            .map(|info| ParsedKey {
                info,
                private: false,
            })
            .ok_or_else(malformed),
        other => Err(format!("a `{other}` block is not a key")),
    }
}

fn pkcs8(der: &[u8]) -> Option<KeyInfo> {
    let fields = sequence(der)?;
    let algorithm = children(fields.get(1).filter(|t| t.tag == SEQUENCE)?.content)?;
    let key = fields.get(2).filter(|t| t.tag == OCTET_STRING)?.content;
    match oid(algorithm.first()?)?.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => rsa_private(key),
        "1.2.840.10045.2.1" => {
            let curve = algorithm.get(1).and_then(oid).map(|o| curve_name(&o));
            ec_private(key, curve)
        }
        "1.3.101.112" => Some(KeyInfo::Ed25519),
        "1.3.101.113" => Some(KeyInfo::Ed448),
        other => Some(KeyInfo::Other(other.to_owned())),
    }
}

fn rsa_private(der: &[u8]) -> Option<KeyInfo> {
    // RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent, … }
    let fields = sequence(der)?;
    Some(KeyInfo::Rsa {
        modulus: unsigned(fields.get(1)?)?,
        exponent: unsigned(fields.get(2)?)?,
    })
}

fn rsa_public(der: &[u8]) -> Option<KeyInfo> {
    let fields = sequence(der)?;
    Some(KeyInfo::Rsa {
        modulus: unsigned(fields.first()?)?,
        exponent: unsigned(fields.get(1)?)?,
    })
}

fn ec_private(der: &[u8], curve: Option<String>) -> Option<KeyInfo> {
    // ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING,
    //                             parameters [0] OID OPTIONAL, publicKey [1] BIT STRING OPTIONAL }
    let fields = sequence(der)?;
    fields.get(1).filter(|t| t.tag == OCTET_STRING)?;
    let mut curve = curve;
    let mut public_key = None;
    for field in &fields[2..] {
        let inner = children(field.content)?;
        match (field.tag, inner.first()) {
            (0xa0, Some(t)) => curve = curve.or_else(|| oid(t).map(|o| curve_name(&o))),
            (0xa1, Some(t)) if t.tag == BIT_STRING && !t.content.is_empty() => {
                public_key = Some(t.content[1..].to_vec());
            }
            _ => {}
        }
    }
    Some(KeyInfo::Ec { curve, public_key })
}

fn spki(der: &[u8]) -> Option<KeyInfo> {
    let fields = sequence(der)?;
    let algorithm = children(fields.first().filter(|t| t.tag == SEQUENCE)?.content)?;
    let bits = fields.get(1).filter(|t| t.tag == BIT_STRING)?.content;
    let key = bits.get(1..)?;
    match oid(algorithm.first()?)?.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => rsa_public(key),
        "1.2.840.10045.2.1" => Some(KeyInfo::Ec {
            curve: algorithm.get(1).and_then(oid).map(|o| curve_name(&o)),
            public_key: Some(key.to_vec()),
        }),
        "1.3.101.112" => Some(KeyInfo::Ed25519),
        "1.3.101.113" => Some(KeyInfo::Ed448),
        other => Some(KeyInfo::Other(other.to_owned())),
    }
}

/// The public half of a SubjectPublicKeyInfo (a certificate's key), to compare with a private
/// key read by [`key_info`].
#[cfg_attr(not(feature = "tls"), allow(dead_code))]
pub(crate) fn public_key_info(spki_der: &[u8]) -> Option<KeyInfo> {
    spki(spki_der)
}
