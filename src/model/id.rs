//! Item ids: `slug(section).slug(group).slug(title)`.

mod rule {
    #![allow(unreachable_pub)]
    include!("id_rule.rs");
}

pub(crate) use rule::closest;

/// Lowercases `text` and turns every run of characters other than ASCII letters and digits into
/// one `-`, trimming dashes at both ends. The `#[check]` and `checklist!` macros apply the same
/// rule while compiling (they include the same source file).
///
/// ```
/// assert_eq!(prodready::slug("Code coverage meets threshold (>80%)"), "code-coverage-meets-threshold-80");
/// assert_eq!(prodready::slug("Authentication & Authorization"), "authentication-authorization");
/// ```
pub fn slug(text: &str) -> String {
    rule::slug(text)
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
    rule::item_id(section, group, title)
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

    #[test]
    fn closest_suggests_only_likely_typos() {
        let ids = ["s.g.alpha", "s.g.beta"];
        assert_eq!(closest("s.g.alhpa", ids), Some("s.g.alpha"));
        assert_eq!(closest("x.y.zzzzzz", ids), None);
    }
}
