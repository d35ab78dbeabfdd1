//! The grammar of `checklist!`:
//!
//! ```text
//! "Name" {
//!     section "Title" {
//!         group "Title" { ITEM, … }
//!         ITEM, …
//!     }
//!     waive "id" because "reason" [until "YYYY-MM-DD"], …
//! }
//! ITEM = "Title" [ `[` key = value, … `]` ] [ => check_expression ]
//! ```
//!
//! Syntax errors stop the parse; other problems (bad options, empty titles, bad dates) are
//! collected in [`Errors`] so that they are all reported at once.

use crate::args::{self, Errors, Keys, Options};
use crate::slug;
use syn::ext::IdentExt;
use syn::parse::{ParseBuffer, ParseStream};
use syn::{token, Expr, Ident, LitStr, Token};

/// The options of an item: those of `#[check]` without the target keys.
const ITEM_KEYS: Keys = Keys {
    extra: &[],
    what: "item option",
    elsewhere: &[
        ("item", WHERE_WRITTEN),
        ("section", WHERE_WRITTEN),
        ("group", WHERE_WRITTEN),
        ("title", WHERE_WRITTEN),
    ],
};

const WHERE_WRITTEN: &str = "an item's section, group and title are where it is written in \
    the checklist";

const EXPECTED_TOP: &str =
    "expected `section \"Title\" { … }` or `waive \"item.id\" because \"reason\"`";

const EXPECTED_IN_SECTION: &str =
    "expected an item title (a string literal, e.g. `\"No root user\"`) or `group \"Title\" { … }`";

const EXPECTED_IN_GROUP: &str =
    "expected an item title (a string literal, e.g. `\"No root user\"`)";

/// A whole `checklist!` invocation.
pub(crate) struct Checklist {
    pub(crate) name: LitStr,
    /// Every item, in written order.
    pub(crate) items: Vec<ItemDecl>,
    pub(crate) waivers: Vec<WaiverDecl>,
}

/// `"Title" [options] => check`.
pub(crate) struct ItemDecl {
    pub(crate) section: LitStr,
    pub(crate) group: Option<LitStr>,
    pub(crate) title: LitStr,
    pub(crate) options: Options,
    pub(crate) check: Option<Expr>,
}

/// `waive "id" because "reason" until "date"`.
pub(crate) struct WaiverDecl {
    pub(crate) id: LitStr,
    pub(crate) reason: LitStr,
    pub(crate) until: Option<LitStr>,
}

/// Parses the whole input.
pub(crate) fn checklist(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<Checklist> {
    if !input.peek(LitStr) {
        return Err(input.error(
            "expected the checklist's name, a string literal: `checklist! { \"Name\" { section … } }`",
        ));
    }
    let name: LitStr = input.parse()?;
    let body = braces(input, "after the checklist's name")?;
    if !input.is_empty() {
        return Err(input.error(
            "unexpected tokens after the checklist: `checklist! { \"Name\" { … } }` declares one checklist",
        ));
    }
    let mut checklist = Checklist {
        name,
        items: Vec::new(),
        waivers: Vec::new(),
    };
    while !body.is_empty() {
        if body.peek(LitStr) {
            return Err(
                body.error("items go inside a section: `section \"Title\" { \"Item\", … }`")
            );
        }
        let Some(word) = peek_word(&body) else {
            return Err(unexpected(&body, EXPECTED_TOP, &[]));
        };
        match word.as_str() {
            "section" => {
                body.call(Ident::parse_any)?;
                let title = title(&body, "section", errors)?;
                let content = braces(&body, "after the section's title")?;
                section(&content, &title, errors, &mut checklist.items)?;
                separator(&body, true, "", errors)?;
            }
            "waive" => {
                body.call(Ident::parse_any)?;
                checklist.waivers.push(waiver(&body, errors)?);
            }
            "group" => return Err(body.error(
                "a `group` goes inside a section: `section \"Title\" { group \"Title\" { … } }`",
            )),
            _ => return Err(unexpected(&body, EXPECTED_TOP, &["section", "waive"])),
        }
    }
    Ok(checklist)
}

/// The body of `section "Title" { … }`.
fn section(
    input: ParseStream<'_>,
    section: &LitStr,
    errors: &mut Errors,
    items: &mut Vec<ItemDecl>,
) -> syn::Result<()> {
    while !input.is_empty() {
        if input.peek(LitStr) {
            items.push(item(input, section, None, errors)?);
            continue;
        }
        match peek_word(input).as_deref() {
            Some("group") => {
                input.call(Ident::parse_any)?;
                let group = title(input, "group", errors)?;
                let content = braces(input, "after the group's title")?;
                while !content.is_empty() {
                    if content.peek(LitStr) {
                        items.push(item(&content, section, Some(&group), errors)?);
                    } else if peek_word(&content).as_deref() == Some("group") {
                        return Err(content.error(
                            "groups cannot be nested: a `group` goes directly inside a `section`",
                        ));
                    } else {
                        return Err(unexpected(&content, EXPECTED_IN_GROUP, &[]));
                    }
                }
                separator(input, true, "", errors)?;
            }
            Some("section") => {
                return Err(input.error(
                    "sections cannot be nested: close this section before starting the next",
                ))
            }
            Some("waive") => {
                return Err(input
                    .error("`waive` goes at the top level of the checklist, after the sections"))
            }
            _ => return Err(unexpected(input, EXPECTED_IN_SECTION, &["group"])),
        }
    }
    Ok(())
}

/// `"Title" [options] => check` and the comma after it.
fn item(
    input: ParseStream<'_>,
    section: &LitStr,
    group: Option<&LitStr>,
    errors: &mut Errors,
) -> syn::Result<ItemDecl> {
    let title: LitStr = input.parse()?;
    if slug::slug(&title.value()).is_empty() {
        errors.push(slug::empty_title(&title));
    }
    let mut options = Options::default();
    let has_options = input.peek(token::Bracket);
    if has_options {
        let content;
        syn::bracketed!(content in input);
        let args = args::parse_args(&content, &ITEM_KEYS)?;
        options = Options::take(args, &ITEM_KEYS, errors).0;
    }
    let mut check = None;
    if input.peek(Token![=>]) {
        input.parse::<Token![=>]>()?;
        if input.is_empty() || input.peek(Token![,]) {
            return Err(input.error("expected the item's check after `=>`"));
        }
        check = Some(input.parse::<Expr>()?);
    }
    let expected = match (has_options, &check) {
        (_, Some(_)) => "expected `,` after the item's check",
        (true, None) => "expected `=> check` or `,` after the item's options",
        (false, None) => "expected `[options]`, `=> check` or `,` after the item's title",
    };
    separator(
        input,
        check.as_ref().is_some_and(is_block_like),
        expected,
        errors,
    )?;
    Ok(ItemDecl {
        section: section.clone(),
        group: group.cloned(),
        title,
        options,
        check,
    })
}

/// `"id" because "reason" until "date"` (after `waive`) and the comma after it.
fn waiver(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<WaiverDecl> {
    if !input.peek(LitStr) {
        return Err(input.error(
            "expected the waived item's id, a string literal: `waive \"item.id\" because \"reason\"`",
        ));
    }
    let id: LitStr = input.parse()?;
    if peek_word(input).as_deref() != Some("because") {
        let msg = "expected `because \"reason\"` after the waived item's id: every waiver says why";
        if input.is_empty() || input.peek(Token![,]) {
            return Err(syn::Error::new(id.span(), msg));
        }
        return Err(input.error(msg));
    }
    input.call(Ident::parse_any)?;
    if !input.peek(LitStr) {
        return Err(input.error("expected the reason, a string literal: `because \"…\"`"));
    }
    let reason: LitStr = input.parse()?;
    let mut until = None;
    if peek_word(input).as_deref() == Some("until") {
        input.call(Ident::parse_any)?;
        if !input.peek(LitStr) {
            return Err(input.error(
                "expected the waiver's last day, a string literal: `until \"YYYY-MM-DD\"`",
            ));
        }
        let date: LitStr = input.parse()?;
        if !slug::is_date(&date.value()) {
            errors.push(syn::Error::new(
                date.span(),
                format!(
                    "`{}` is not a date: expected a day of the calendar as YYYY-MM-DD, e.g. 2027-01-31",
                    date.value()
                ),
            ));
        }
        until = Some(date);
    }
    let expected = match until {
        Some(_) => "expected `,` after the waiver",
        None => "expected `until \"YYYY-MM-DD\"` or `,` after the waiver's reason",
    };
    separator(input, false, expected, errors)?;
    Ok(WaiverDecl { id, reason, until })
}

/// A section or group title; one without letters or digits is recorded as an error.
fn title(input: ParseStream<'_>, what: &str, errors: &mut Errors) -> syn::Result<LitStr> {
    if !input.peek(LitStr) {
        return Err(input.error(format!(
            "expected the {what}'s title, a string literal: `{what} \"Title\" {{ … }}`"
        )));
    }
    let title: LitStr = input.parse()?;
    if slug::slug(&title.value()).is_empty() {
        errors.push(slug::empty_title(&title));
    }
    Ok(title)
}

/// The contents of the `{ … }` that must come next.
fn braces<'a>(input: ParseStream<'a>, after: &str) -> syn::Result<ParseBuffer<'a>> {
    if !input.peek(token::Brace) {
        return Err(input.error(format!("expected `{{` {after}")));
    }
    let content;
    syn::braced!(content in input);
    Ok(content)
}

/// A `,` or the end of the block; the comma is optional when `optional`. A missing comma
/// before something that starts an entry is recorded, and parsing goes on.
fn separator(
    input: ParseStream<'_>,
    optional: bool,
    expected: &str,
    errors: &mut Errors,
) -> syn::Result<()> {
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    } else if !(input.is_empty() || optional) {
        let starts_entry = input.peek(LitStr)
            || matches!(
                peek_word(input).as_deref(),
                Some("section" | "group" | "waive")
            );
        if !starts_entry {
            return Err(input.error(expected));
        }
        errors.push(input.error(expected));
    }
    Ok(())
}

/// The error for an unexpected token, with a "did you mean" when it is a misspelled keyword.
fn unexpected(input: ParseStream<'_>, expected: &str, keywords: &[&str]) -> syn::Error {
    let hint = peek_word(input)
        .and_then(|word| slug::closest(&word, keywords.iter().copied()))
        .map(|keyword| format!("; did you mean `{keyword}`?"))
        .unwrap_or_default();
    input.error(format!("{expected}{hint}"))
}

/// The next token, when it is an identifier or a keyword.
fn peek_word(input: ParseStream<'_>) -> Option<String> {
    input
        .fork()
        .call(Ident::parse_any)
        .ok()
        .map(|ident| ident.unraw().to_string())
}

/// Whether `expr` ends with a block, so that, as in a `match` arm, no comma is needed after it.
fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Block(_)
            | Expr::Const(_)
            | Expr::ForLoop(_)
            | Expr::If(_)
            | Expr::Loop(_)
            | Expr::Match(_)
            | Expr::TryBlock(_)
            | Expr::Unsafe(_)
            | Expr::While(_)
    )
}
