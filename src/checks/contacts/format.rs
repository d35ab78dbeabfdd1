//! Whether a contact is a well-formed email address, phone number or URL.

use std::fmt;

/// What kind of contact a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Email,
    Phone,
    Url,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Url => "URL",
        })
    }
}

/// The address inside `Name <address>`, else the trimmed contact.
pub(crate) fn address(contact: &str) -> &str {
    let contact = contact.trim();
    match (contact.rfind('<'), contact.strip_suffix('>')) {
        (Some(open), Some(inner)) => inner[open + 1..].trim(),
        _ => contact,
    }
}

/// The kind of `contact`, or why it is malformed. `Name <contact>` is accepted.
pub(crate) fn classify(contact: &str) -> Result<Kind, String> {
    let contact = address(contact);
    if contact.is_empty() {
        return Err("it is empty".to_owned());
    }
    let lower = contact.to_ascii_lowercase();
    if let Some(number) = lower.strip_prefix("tel:") {
        // `tel:+49-30-1234567;ext=12`: parameters follow `;`.
        phone(number.split(';').next().unwrap_or(number)).map(|()| Kind::Phone)
    } else if lower.starts_with("mailto:") {
        let address = &contact["mailto:".len()..];
        email(address.split('?').next().unwrap_or(address)).map(|()| Kind::Email)
    } else if contact.contains("://") {
        url(contact).map(|()| Kind::Url)
    } else if contact.starts_with('+')
        || contact
            .chars()
            .all(|c| c.is_ascii_digit() || " -.()".contains(c))
    {
        phone(contact).map(|()| Kind::Phone)
    } else if contact.contains('@') {
        email(contact).map(|()| Kind::Email)
    } else {
        Err(
            "it is not an email address, a phone number (`+` and digits) or an https URL"
                .to_owned(),
        )
    }
}

fn phone(number: &str) -> Result<(), String> {
    let Some(rest) = number.trim().strip_prefix('+') else {
        return Err("a phone number must start with `+` and the country code (E.164)".to_owned());
    };
    if let Some(bad) = rest
        .chars()
        .find(|c| !c.is_ascii_digit() && !" -.()".contains(*c))
    {
        return Err(format!(
            "a phone number holds digits, spaces and dashes only, not `{bad}`"
        ));
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        n if n < 8 => Err(format!("a phone number has 8 to 15 digits, this one {n}")),
        n if n > 15 => Err(format!(
            "a phone number has at most 15 digits (E.164), this one {n}"
        )),
        _ if digits.starts_with('0') => Err("a country code never starts with 0".to_owned()),
        _ => Ok(()),
    }
}

fn email(address: &str) -> Result<(), String> {
    let Some((local, domain)) = address.split_once('@') else {
        return Err("an email address needs an `@`".to_owned());
    };
    if domain.contains('@') {
        return Err("an email address has one `@`".to_owned());
    }
    const SPECIAL: &str = "!#$%&'*+/=?^_`{|}~.-";
    if local.is_empty() || local.len() > 64 {
        return Err("the part before `@` must have 1 to 64 characters".to_owned());
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("the part before `@` has a misplaced `.`".to_owned());
    }
    if let Some(bad) = local
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !SPECIAL.contains(*c))
    {
        return Err(format!("the part before `@` may not contain `{bad}`"));
    }
    domain_name(domain)
}

fn domain_name(domain: &str) -> Result<(), String> {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(format!("the domain `{domain}` has no `.`"));
    }
    for label in &labels {
        let ok = (1..=63).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!("the domain `{domain}` is not a valid host name"));
        }
    }
    let tld = labels[labels.len() - 1];
    if tld.len() < 2 || !(tld.chars().all(|c| c.is_ascii_alphabetic()) || tld.starts_with("xn--")) {
        return Err(format!(
            "the domain `{domain}` has no valid top-level domain"
        ));
    }
    Ok(())
}

fn url(text: &str) -> Result<(), String> {
    let url = crate::url::Url::parse(text).map_err(|e| format!("the URL does not parse: {e}"))?;
    if url.scheme() != "https" {
        return Err(format!(
            "a contact URL must use `https`, `tel:` or `mailto:`, not `{}`",
            url.scheme()
        ));
    }
    match url.host_str() {
        Some(host) if !host.is_empty() => Ok(()),
        _ => Err("the URL has no host".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_contacts() {
        let cases = [
            ("oncall@example.com", Kind::Email),
            ("  First.Last+pager@ops.example.co.uk ", Kind::Email),
            ("Jane Doe <jane@example.com>", Kind::Email),
            ("mailto:dba@example.com?subject=Outage", Kind::Email),
            ("+49 30 1234567", Kind::Phone),
            ("+1-202-555-0143", Kind::Phone),
            ("+44 (20) 7946 0958", Kind::Phone),
            ("tel:+49-30-1234567;ext=12", Kind::Phone),
            ("https://example.pagerduty.com/schedules#P123", Kind::Url),
            ("https://chat.example.com/channels/incidents", Kind::Url),
            ("Security <https://security.example.com/report>", Kind::Url),
        ];
        for (contact, kind) in cases {
            assert_eq!(classify(contact), Ok(kind), "{contact}");
        }
    }

    #[test]
    fn malformed_contacts_say_why() {
        let cases = [
            ("", "empty"),
            ("Jane Doe", "not an email address, a phone number"),
            ("oncall@localhost", "has no `.`"),
            ("on call@example.com", "may not contain ` `"),
            ("a@@example.com", "one `@`"),
            ("@example.com", "1 to 64 characters"),
            ("a.@example.com", "misplaced `.`"),
            ("a@-ex.com", "not a valid host name"),
            ("a@example.c0m", "no valid top-level domain"),
            ("030 1234567", "must start with `+`"),
            ("+49 30 123x4567", "not `x`"),
            ("+49 123", "8 to 15 digits, this one 5"),
            ("+1234567890123456", "at most 15 digits"),
            ("+0049301234567", "never starts with 0"),
            ("tel:0301234567", "must start with `+`"),
            ("mailto:nobody", "needs an `@`"),
            ("http://status.example.com", "not `http`"),
            ("https://", "does not parse"),
        ];
        for (contact, why) in cases {
            let err = classify(contact).unwrap_err();
            assert!(err.contains(why), "{contact:?}: {err}");
        }
    }
}
