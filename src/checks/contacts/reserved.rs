//! Contacts that are well-formed but reach no one: names and numbers reserved for examples,
//! documentation and fiction.
//!
//! - Domains (RFC 2606, RFC 6761): `example.com`, `example.net`, `example.org` and their
//!   subdomains; the top-level domains `.example`, `.test`, `.invalid` and `.localhost`.
//! - IP addresses in a URL: the documentation ranges `192.0.2.0/24`, `198.51.100.0/24`,
//!   `203.0.113.0/24` (RFC 5737) and `2001:db8::/32` (RFC 3849), and loopback addresses.
//! - Phone numbers: NANP `555-0100` to `555-0199` in any area code (reserved for fiction), and
//!   the UK numbers Ofcom keeps for drama (`020 7946 0xxx`, `07700 900xxx`, `01632 960xxx`,
//!   `0113 496 0xxx` and the other city blocks, freephone, premium rate and UK-wide ranges).

use super::format::{address, classify, Kind};
use std::net::IpAddr;

/// Why `contact` (already well-formed) reaches no one, or `None` when nothing says so.
pub(crate) fn reserved(contact: &str) -> Option<String> {
    let contact = address(contact);
    let lower = contact.to_ascii_lowercase();
    match classify(contact).ok()? {
        Kind::Email => {
            let address = lower.strip_prefix("mailto:").unwrap_or(&lower);
            let address = address.split('?').next().unwrap_or(address);
            let (_, domain) = address.rsplit_once('@')?;
            reserved_domain(domain)
        }
        Kind::Url => {
            let url = crate::url::Url::parse(contact).ok()?;
            match url.host()? {
                crate::url::Host::Domain(domain) => reserved_domain(&domain.to_ascii_lowercase()),
                crate::url::Host::Ipv4(ip) => reserved_ip(IpAddr::V4(ip)),
                crate::url::Host::Ipv6(ip) => reserved_ip(IpAddr::V6(ip)),
            }
        }
        Kind::Phone => {
            let number = lower.strip_prefix("tel:").unwrap_or(&lower);
            let number = number.split(';').next().unwrap_or(number);
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            fictional_number(&digits)
        }
    }
}

fn reserved_domain(domain: &str) -> Option<String> {
    let domain = domain.trim_end_matches('.');
    for second_level in ["example.com", "example.net", "example.org"] {
        if domain == second_level || domain.ends_with(&format!(".{second_level}")) {
            return Some(format!(
                "`{second_level}` is reserved for documentation (RFC 2606): no one receives mail or requests there"
            ));
        }
    }
    let tld = domain.rsplit('.').next()?;
    let why = match tld {
        "example" => "is reserved for documentation",
        "test" => "is reserved for testing",
        "invalid" => "is reserved to be invalid",
        "localhost" => "names the local machine",
        _ => return None,
    };
    Some(format!(
        "the top-level domain `.{tld}` {why} (RFC 2606, RFC 6761): it never reaches anyone"
    ))
}

fn reserved_ip(ip: IpAddr) -> Option<String> {
    let documentation = match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            matches!((a, b, c), (192, 0, 2) | (198, 51, 100) | (203, 0, 113))
        }
        IpAddr::V6(v6) => v6.segments()[..2] == [0x2001, 0x0db8],
    };
    if documentation {
        Some(format!(
            "{ip} is in a range reserved for documentation (RFC 5737, RFC 3849): no host answers there"
        ))
    } else if ip.is_loopback() {
        Some(format!(
            "{ip} is a loopback address: it reaches only the machine that opens it"
        ))
    } else {
        None
    }
}

/// UK national numbers (without the leading 0) kept for drama: each prefix is followed by
/// three more digits.
const OFCOM_DRAMA: &[(&str, &str)] = &[
    ("1134960", "Leeds 0113 496 0xxx"),
    ("1144960", "Sheffield 0114 496 0xxx"),
    ("1154960", "Nottingham 0115 496 0xxx"),
    ("1164960", "Leicester 0116 496 0xxx"),
    ("1174960", "Bristol 0117 496 0xxx"),
    ("1184960", "Reading 0118 496 0xxx"),
    ("1214960", "Birmingham 0121 496 0xxx"),
    ("1314960", "Edinburgh 0131 496 0xxx"),
    ("1414960", "Glasgow 0141 496 0xxx"),
    ("1514960", "Liverpool 0151 496 0xxx"),
    ("1614960", "Manchester 0161 496 0xxx"),
    ("1914980", "Tyneside 0191 498 0xxx"),
    ("1632960", "the fictional area 01632 960xxx"),
    ("2079460", "London 020 7946 0xxx"),
    ("2896496", "Northern Ireland 028 9649 6xxx"),
    ("2920180", "Cardiff 029 2018 0xxx"),
    ("3069990", "UK-wide 03069 990xxx"),
    ("7700900", "mobile 07700 900xxx"),
    ("8081570", "freephone 08081 570xxx"),
    ("9098790", "premium rate 0909 879 0xxx"),
];

fn fictional_number(digits: &str) -> Option<String> {
    if let Some(national) = digits.strip_prefix('1').filter(|n| n.len() == 10) {
        // NPA-NXX-XXXX: 555-0100 to 555-0199 are reserved for fiction in every area code.
        if &national[3..6] == "555" && &national[6..8] == "01" {
            return Some(
                "555-0100 to 555-0199 are reserved for fictional use in the North American Numbering Plan: the number rings nowhere"
                    .to_owned(),
            );
        }
    }
    if let Some(national) = digits.strip_prefix("44").filter(|n| n.len() == 10) {
        if let Some((_, block)) = OFCOM_DRAMA.iter().find(|(p, _)| national.starts_with(p)) {
            return Some(format!(
                "{block} is a UK range Ofcom keeps for drama: it is never assigned to anyone"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_and_numbers_are_recognised() {
        let cases = [
            ("oncall@example.com", "`example.com` is reserved"),
            ("Jane <jane@ops.EXAMPLE.org>", "`example.org` is reserved"),
            (
                "mailto:dba@example.net?subject=x",
                "`example.net` is reserved",
            ),
            ("https://wiki.example.com/dba", "`example.com` is reserved"),
            (
                "https://pager.example/oncall",
                "`.example` is reserved for documentation",
            ),
            ("sec@team.test", "`.test` is reserved for testing"),
            (
                "https://status.invalid",
                "`.invalid` is reserved to be invalid",
            ),
            ("ops@app.localhost", "`.localhost` names the local machine"),
            (
                "https://192.0.2.10/pager",
                "reserved for documentation (RFC 5737",
            ),
            ("https://198.51.100.7", "reserved for documentation"),
            ("https://203.0.113.255:8443/", "reserved for documentation"),
            ("https://[2001:db8::1]/", "reserved for documentation"),
            ("https://127.0.0.1:9000/", "loopback"),
            ("+1-202-555-0143", "555-0100 to 555-0199"),
            ("tel:+1 (415) 555-0100", "555-0100 to 555-0199"),
            ("+1 212 555 0199", "555-0100 to 555-0199"),
            ("+44 20 7946 0958", "London 020 7946 0xxx"),
            ("+44 7700 900461", "mobile 07700 900xxx"),
            ("+44 1632 960123", "01632 960xxx"),
            ("+44 113 496 0000", "Leeds"),
            ("+44 28 9649 6999", "Northern Ireland"),
            ("+44 29 2018 0500", "Cardiff"),
            ("+44 808 157 0001", "freephone"),
            ("+44 909 879 0999", "premium rate"),
            ("+44 3069 990000", "UK-wide"),
        ];
        for (contact, why) in cases {
            let found = reserved(contact).unwrap_or_else(|| panic!("{contact} is reserved"));
            assert!(found.contains(why), "{contact}: {found}");
        }
    }

    #[test]
    fn real_looking_contacts_are_not_flagged() {
        for contact in [
            "oncall@acme.io",
            "ops@myexample.com",
            "ops@example.com.au",
            "https://acme.pagerduty.com/schedules#P123",
            "https://example-corp.atlassian.net/wiki",
            "https://10.0.0.1/pager",
            "https://sub.testing.io",
            "+1 202 555 0200",  // 555 outside the fictional 01xx block
            "+1 202 555 1212",  // directory assistance, real
            "+1 555 010 1234",  // 555 as the area code, not the exchange
            "+44 20 7946 1000", // next to the London block
            "+44 7700 901000",
            "+44 113 496 1000",
            "+44 20 7946 09581", // too long to be UK
            "+49 30 1234567",
        ] {
            assert_eq!(reserved(contact), None, "{contact}");
        }
    }
}
