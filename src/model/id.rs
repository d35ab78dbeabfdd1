//! Item ids: `slug(section).slug(group).slug(title)`.

/// Lowercases `text` and turns every run of characters other than ASCII letters and digits into
/// one `-`, trimming dashes at both ends.
///
/// ```
/// assert_eq!(prodready::slug("Code coverage meets threshold (>80%)"), "code-coverage-meets-threshold-80");
/// assert_eq!(prodready::slug("Authentication & Authorization"), "authentication-authorization");
/// ```
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// The id of the item `title` in `section` and, when the section has groups, `group`.
///
/// ```
/// assert_eq!(
///     prodready::item_id("Security", Some("Container Security"), "No root user"),
///     "security.container-security.no-root-user",
/// );
/// assert_eq!(
///     prodready::item_id("Emergency Contacts", None, "On-call engineer contact"),
///     "emergency-contacts.on-call-engineer-contact",
/// );
/// ```
pub fn item_id(section: &str, group: Option<&str>, title: &str) -> String {
    match group {
        Some(group) => format!("{}.{}.{}", slug(section), slug(group), slug(title)),
        None => format!("{}.{}", slug(section), slug(title)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_collapses_runs_and_trims() {
        assert_eq!(slug("  README.md updated "), "readme-md-updated");
        assert_eq!(slug("Error rate > threshold"), "error-rate-threshold");
        assert_eq!(slug("TLS/SSL enabled"), "tls-ssl-enabled");
        assert_eq!(slug("Ünïcode—dash"), "n-code-dash");
        assert_eq!(slug("!!!"), "");
    }
}
