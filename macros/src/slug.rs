//! Item ids and waiver dates, checked while compiling. [`slug`], [`item_id`] and [`closest`] come
//! from `src/model/id_rule.rs` of `prodready`, included word for word through the symbolic link
//! `macros/src/id_rule.rs` (which `cargo package` stores as the file itself, so the published
//! crate builds alone): the macros promise the same ids the runtime computes.

use syn::LitStr;

mod rule {
    #![allow(unreachable_pub, dead_code)]
    include!("id_rule.rs");
}

pub(crate) use rule::{closest, item_id, slug};

/// How ids are made, for error messages.
pub(crate) const ID_RULE: &str = "ids are `slug(section).slug(group).slug(title)` (the group \
    only in sections with groups), lowercase, with `-` between words, e.g. \
    `security.container-security.no-root-user`";

/// The error for a section, group or item title without letters or digits.
pub(crate) fn empty_title(title: &LitStr) -> syn::Error {
    syn::Error::new(
        title.span(),
        format!(
            "`{}` has no ASCII letters or digits to make an id from: {}",
            title.value(),
            ID_RULE
        ),
    )
}

/// Whether `id` has the shape of an item id: two or three non-empty slugs joined by `.`.
pub(crate) fn is_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('.').collect();
    (2..=3).contains(&parts.len()) && parts.iter().all(|p| !p.is_empty() && slug(p) == *p)
}

/// The id that `text` was probably meant to be, when slugging each of its parts gives one.
pub(crate) fn as_id(text: &str) -> Option<String> {
    let parts: Vec<String> = text.split('.').map(slug).collect();
    let id = parts.join(".");
    is_id(&id).then_some(id)
}

/// `; did you mean `x`?` or nothing.
pub(crate) fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// Whether `date` is a day of the calendar written `YYYY-MM-DD` (as `prodready::Date` parses).
pub(crate) fn is_date(date: &str) -> bool {
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return false;
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>())
    else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_matches_the_runtime_rule() {
        assert_eq!(slug("  README.md updated "), "readme-md-updated");
        assert_eq!(slug("Error rate > threshold"), "error-rate-threshold");
        assert_eq!(slug("TLS/SSL enabled"), "tls-ssl-enabled");
        assert_eq!(slug("Ünïcode—dash"), "n-code-dash");
        assert_eq!(slug("!!!"), "");
        assert_eq!(
            slug("Code coverage meets threshold (>80%)"),
            "code-coverage-meets-threshold-80"
        );
        assert_eq!(
            slug("Authentication & Authorization"),
            "authentication-authorization"
        );
    }

    #[test]
    fn item_ids() {
        assert_eq!(
            item_id("Security", Some("Container Security"), "No root user"),
            "security.container-security.no-root-user"
        );
        assert_eq!(
            item_id("Emergency Contacts", None, "On-call engineer contact"),
            "emergency-contacts.on-call-engineer-contact"
        );
    }

    #[test]
    fn id_shape() {
        assert!(is_id("security.container-security.no-root-user"));
        assert!(is_id("emergency-contacts.on-call"));
        assert!(is_id("a1.b2"));
        assert!(!is_id("security"));
        assert!(!is_id("a.b.c.d"));
        assert!(!is_id("Security.No root"));
        assert!(!is_id("a..b"));
        assert!(!is_id("a.b-"));
        assert!(!is_id("a.b_c"));
        assert_eq!(
            as_id("Security.No root").as_deref(),
            Some("security.no-root")
        );
        assert_eq!(as_id("security"), None);
    }

    #[test]
    fn closest_ids() {
        let ids = ["s.g.alpha", "s.g.beta"];
        assert_eq!(closest("s.g.alhpa", ids), Some("s.g.alpha"));
        assert_eq!(closest("x.y.zzzzzz", ids), None);
        assert_eq!(did_you_mean(Some("a.b")), "; did you mean `a.b`?");
        assert_eq!(did_you_mean(None), "");
    }

    #[test]
    fn dates() {
        assert!(is_date("2027-01-31"));
        assert!(is_date("2028-02-29"));
        assert!(is_date("2000-02-29"));
        assert!(!is_date("1900-02-29"));
        assert!(!is_date("2027-02-29"));
        assert!(!is_date("2027-13-01"));
        assert!(!is_date("2027-00-10"));
        assert!(!is_date("2027-1-31"));
        assert!(!is_date("27-01-31"));
        assert!(!is_date("2027/01/31"));
        assert!(!is_date("2027-01-31-01"));
        assert!(!is_date("+027-01-31"));
        assert!(!is_date(""));
    }
}
