//! `key = value` lists: the arguments of `#[check(..)]` and the `[..]` options of a checklist
//! item. Both share the item options (`kind`, `severity`, `timeout`, …), parsed here.

use crate::slug;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Expr, ExprLit, Ident, Lit, LitBool, LitStr, Token};

/// Collects errors so that one expansion reports every problem at once.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Records `error`.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Records the error of `result`, if any, and returns its value.
    pub(crate) fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// `Ok` when nothing was recorded, else every recorded error.
    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// The options of an item, shared by `#[check]` and checklist items.
pub(crate) const OPTION_KEYS: &[&str] = &[
    "kind",
    "severity",
    "timeout",
    "ttl",
    "depends_on",
    "tags",
    "remediation",
    "docs",
    "gate",
];

const KINDS: &[(&str, &str)] = &[
    ("probe", "Probe"),
    ("evidence", "Evidence"),
    ("attestation", "Attestation"),
    ("monitor", "Monitor"),
];

const GATES: &[(&str, &str)] = &[
    ("liveness", "Liveness"),
    ("readiness", "Readiness"),
    ("startup", "Startup"),
    ("none", "None"),
];

const SEVERITIES: &[(&str, &str)] = &[
    ("blocking", "Blocking"),
    ("warning", "Warning"),
    ("info", "Info"),
];

/// Which keys a list accepts besides [`OPTION_KEYS`], for parsing and error messages.
pub(crate) struct Keys {
    /// Extra keys accepted (handled by the caller), listed first in messages.
    pub(crate) extra: &'static [&'static str],
    /// What the list is called in messages: "argument", "item option".
    pub(crate) what: &'static str,
    /// Keys that are not accepted here but exist elsewhere, with why.
    pub(crate) elsewhere: &'static [(&'static str, &'static str)],
}

impl Keys {
    fn allows(&self, key: &str) -> bool {
        self.extra.contains(&key) || OPTION_KEYS.contains(&key)
    }

    fn unknown(&self, key: &Ident) -> syn::Error {
        let name = key.unraw().to_string();
        if let Some((_, why)) = self.elsewhere.iter().find(|(k, _)| *k == name) {
            return syn::Error::new(
                key.span(),
                format!("`{name}` is not an {}: {why}", self.what),
            );
        }
        let keys = || self.extra.iter().chain(OPTION_KEYS).copied();
        let allowed: Vec<String> = keys().map(|k| format!("`{k}`")).collect();
        // A likely typo gets its fix first, as an unknown id does (`timout` → `timeout`).
        let hint = slug::did_you_mean(slug::closest(&name, keys()));
        syn::Error::new(
            key.span(),
            format!(
                "unknown {} `{name}`: expected one of {}{hint}",
                self.what,
                allowed.join(", ")
            ),
        )
    }
}

/// One `key = value`.
pub(crate) struct Arg {
    pub(crate) key: Ident,
    pub(crate) value: Expr,
}

impl Arg {
    /// The key as written, without `r#`.
    pub(crate) fn name(&self) -> String {
        self.key.unraw().to_string()
    }
}

/// Parses `key = value, …` (trailing comma allowed) up to the end of `input`.
pub(crate) fn parse_args(input: ParseStream<'_>, keys: &Keys) -> syn::Result<Vec<Arg>> {
    let mut args = Vec::new();
    while !input.is_empty() {
        if !input.peek(Ident::peek_any) {
            return Err(input.error(format!("expected an {}: `key = value`", keys.what)));
        }
        let key = input.call(Ident::parse_any)?;
        if !input.peek(Token![=]) {
            let name = key.unraw().to_string();
            if !keys.allows(&name) {
                return Err(keys.unknown(&key));
            }
            return Err(syn::Error::new(
                key.span(),
                format!("expected `{name} = …`: every {} has a value", keys.what),
            ));
        }
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        args.push(Arg { key, value });
        if input.is_empty() {
            break;
        }
        if !input.peek(Token![,]) {
            return Err(input.error(format!("expected `,` between {}s", keys.what)));
        }
        input.parse::<Token![,]>()?;
    }
    Ok(args)
}

/// The item options of a `key = value` list.
#[derive(Default)]
pub(crate) struct Options {
    /// The `Kind` variant, spanned on the value.
    pub(crate) kind: Option<Ident>,
    /// The `Severity` variant, spanned on the value.
    pub(crate) severity: Option<Ident>,
    pub(crate) timeout_ms: Option<u64>,
    pub(crate) ttl_ms: Option<u64>,
    pub(crate) depends_on: Vec<LitStr>,
    pub(crate) tags: Vec<LitStr>,
    pub(crate) remediation: Option<LitStr>,
    pub(crate) docs: Option<LitStr>,
    /// The `Gate` variant, spanned on the value.
    pub(crate) gate: Option<Ident>,
}

impl Options {
    /// Reads the item options out of `args`, recording bad values, unknown keys and repeated
    /// keys in `errors`. Returns the options and the arguments with one of `keys.extra`.
    pub(crate) fn take(args: Vec<Arg>, keys: &Keys, errors: &mut Errors) -> (Options, Vec<Arg>) {
        let mut options = Options::default();
        let mut extra = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for arg in args {
            let name = arg.name();
            if !keys.allows(&name) {
                errors.push(keys.unknown(&arg.key));
                continue;
            }
            if seen.contains(&name) {
                errors.push(syn::Error::new(
                    arg.key.span(),
                    format!("duplicate {} `{name}`: give it once", keys.what),
                ));
                continue;
            }
            seen.push(name.clone());
            if keys.extra.contains(&name.as_str()) {
                extra.push(arg);
                continue;
            }
            let value = &arg.value;
            match name.as_str() {
                "kind" => options.kind = errors.ok(variant(value, "kind", KINDS)),
                "severity" => options.severity = errors.ok(variant(value, "severity", SEVERITIES)),
                "timeout" => options.timeout_ms = errors.ok(duration_ms(value, "timeout", false)),
                "ttl" => options.ttl_ms = errors.ok(duration_ms(value, "ttl", true)),
                "depends_on" => {
                    options.depends_on = errors
                        .ok(str_array(value, "depends_on"))
                        .unwrap_or_default();
                }
                "tags" => options.tags = errors.ok(str_array(value, "tags")).unwrap_or_default(),
                "remediation" => options.remediation = errors.ok(string(value, "remediation")),
                "docs" => options.docs = errors.ok(string(value, "docs")),
                _ => options.gate = errors.ok(variant(value, "gate", GATES)),
            }
        }
        (options, extra)
    }
}

/// A string literal value: `key = "…"`.
pub(crate) fn string(value: &Expr, key: &str) -> syn::Result<LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.clone()),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("expected a string literal: `{key} = \"…\"`"),
        )),
    }
}

pub(crate) fn boolean(value: &Expr, key: &str) -> syn::Result<LitBool> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.clone()),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("expected `true` or `false`: `{key} = true`"),
        )),
    }
}

fn str_array(value: &Expr, key: &str) -> syn::Result<Vec<LitStr>> {
    let Expr::Array(array) = value else {
        return Err(syn::Error::new_spanned(
            value,
            format!("expected an array of string literals: `{key} = [\"…\", \"…\"]`"),
        ));
    };
    let mut errors = Errors::default();
    let strings = array
        .elems
        .iter()
        .filter_map(|elem| match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.clone()),
            _ => {
                let msg = format!("expected a string literal: `{key} = [\"…\", \"…\"]`");
                errors.push(syn::Error::new_spanned(elem, msg));
                None
            }
        })
        .collect();
    errors.finish().map(|()| strings)
}

/// A bare identifier among `allowed` (`(written, variant)`), as the variant's ident.
fn variant(value: &Expr, key: &str, allowed: &[(&str, &str)]) -> syn::Result<Ident> {
    let list = allowed
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let ident = match value {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => path.path.get_ident(),
        _ => None,
    };
    let Some(ident) = ident else {
        let example = allowed.first().map_or("", |(name, _)| name);
        return Err(syn::Error::new_spanned(
            value,
            format!("expected a bare identifier, one of {list}: `{key} = {example}`"),
        ));
    };
    let written = ident.unraw().to_string();
    match allowed.iter().find(|(name, _)| *name == written) {
        Some((_, variant)) => Ok(Ident::new(variant, ident.span())),
        None => Err(syn::Error::new(
            ident.span(),
            format!("unknown {key} `{written}`: expected one of {list}"),
        )),
    }
}

/// A duration written as a string literal (`"2s"`, `"500ms"`), in whole milliseconds.
fn duration_ms(value: &Expr, key: &str, zero_ok: bool) -> syn::Result<u64> {
    let lit = match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => s,
        _ => {
            return Err(syn::Error::new_spanned(
                value,
                format!(
                    "expected a duration string literal: `{key} = \"2s\"` (or \"500ms\", \"1m\")"
                ),
            ))
        }
    };
    parse_millis(&lit.value(), key, zero_ok).map_err(|msg| syn::Error::new(lit.span(), msg))
}

/// Parses a humantime duration into whole milliseconds, or says what is wrong.
pub(crate) fn parse_millis(text: &str, key: &str, zero_ok: bool) -> Result<u64, String> {
    let duration = humantime::parse_duration(text).map_err(|e| {
        format!(
            "invalid duration `{text}` for `{key}`: {e}; write e.g. \"500ms\", \"2s\", \"1m 30s\""
        )
    })?;
    if !duration.subsec_nanos().is_multiple_of(1_000_000) {
        return Err(format!(
            "`{key}` is counted in whole milliseconds, and `{text}` is not a whole number of them"
        ));
    }
    let millis = u64::try_from(duration.as_millis())
        .map_err(|_| format!("`{text}` is too long for `{key}`"))?;
    if millis == 0 && !zero_ok {
        return Err(format!("`{key}` must be longer than zero"));
    }
    Ok(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_millis("2s", "timeout", false), Ok(2000));
        assert_eq!(parse_millis("500ms", "timeout", false), Ok(500));
        assert_eq!(parse_millis("1m 30s", "ttl", true), Ok(90_000));
        assert_eq!(parse_millis("1h", "ttl", true), Ok(3_600_000));
        assert_eq!(parse_millis("0s", "ttl", true), Ok(0));
        let zero = parse_millis("0s", "timeout", false).expect_err("an error");
        assert!(zero.contains("must be longer than zero"), "{zero}");
        let bad = parse_millis("2 parsecs", "timeout", false).expect_err("an error");
        assert!(
            bad.starts_with("invalid duration `2 parsecs` for `timeout`"),
            "{bad}"
        );
        let empty = parse_millis("", "ttl", true).expect_err("an error");
        assert!(empty.contains("invalid duration"), "{empty}");
        let fraction = parse_millis("1500us", "timeout", false).expect_err("an error");
        assert!(fraction.contains("whole milliseconds"), "{fraction}");
        let long = parse_millis("600000000 years", "ttl", true).expect_err("an error");
        assert!(
            long.contains("too long") || long.contains("invalid"),
            "{long}"
        );
    }

    fn options(src: &str) -> (Options, syn::Result<()>) {
        let keys = Keys {
            extra: &[],
            what: "option",
            elsewhere: &[],
        };
        let args =
            syn::parse::Parser::parse_str(|input: ParseStream<'_>| parse_args(input, &keys), src)
                .unwrap_or_default();
        let mut errors = Errors::default();
        let (options, _) = Options::take(args, &keys, &mut errors);
        (options, errors.finish())
    }

    #[test]
    fn parses_every_option() {
        let (o, result) = options(
            r#"kind = evidence, severity = warning, timeout = "2s", ttl = "1m",
               depends_on = ["a.b", "c.d"], tags = ["x"], remediation = "fix", docs = "https://x",
               gate = liveness,"#,
        );
        assert!(result.is_ok());
        assert_eq!(o.kind.map(|k| k.to_string()).as_deref(), Some("Evidence"));
        assert_eq!(
            o.severity.map(|k| k.to_string()).as_deref(),
            Some("Warning")
        );
        assert_eq!((o.timeout_ms, o.ttl_ms), (Some(2000), Some(60_000)));
        assert_eq!(o.depends_on.len(), 2);
        assert_eq!(o.tags.len(), 1);
        assert_eq!(o.remediation.map(|s| s.value()).as_deref(), Some("fix"));
        assert_eq!(o.docs.map(|s| s.value()).as_deref(), Some("https://x"));
        assert_eq!(o.gate.map(|g| g.to_string()).as_deref(), Some("Liveness"));
    }

    #[test]
    fn collects_every_error() {
        let (_, result) = options(r#"kind = fast, severity = "info", colour = 1, kind = probe"#);
        let messages: Vec<String> = result
            .err()
            .into_iter()
            .flat_map(|e| e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>())
            .collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].starts_with("unknown kind `fast`"));
        assert!(messages[1].starts_with("expected a bare identifier"));
        assert!(messages[2].starts_with("unknown option `colour`"));
        assert!(messages[3].starts_with("duplicate option `kind`"));
    }

    #[test]
    fn a_misspelled_key_gets_its_fix() {
        let keys = Keys {
            extra: &["item"],
            what: "argument",
            elsewhere: &[],
        };
        let message = |key: &str| {
            keys.unknown(&Ident::new(key, proc_macro2::Span::call_site()))
                .to_string()
        };
        assert!(
            message("timout").ends_with("; did you mean `timeout`?"),
            "{}",
            message("timout")
        );
        assert!(message("iten").ends_with("; did you mean `item`?"));
        assert!(!message("colour").contains("did you mean"));
    }
}
