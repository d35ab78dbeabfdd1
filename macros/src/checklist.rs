//! `prodready::checklist! { … }`: a checklist declared in place, its ids checked while
//! compiling, expanded to the public builder API.

mod parse;

use crate::args::{Errors, Options};
use crate::slug;
use parse::{Checklist, ItemDecl, WaiverDecl};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use std::collections::HashMap;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::LitStr;

/// Expands `checklist! { input }`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let parsed = Parser::parse2(
        |input: ParseStream<'_>| parse::checklist(input, &mut errors),
        input,
    );
    let checklist = match parsed {
        Ok(checklist) => checklist,
        Err(error) => {
            errors.push(error);
            return with_errors(errors, quote!(::prodready::Checklist::new("checklist")));
        }
    };
    check_ids(&checklist, &mut errors);
    // Even with errors, the expansion is valid code: the check expressions are still
    // type-checked and the expression still has the type `Checklist`.
    with_errors(errors, generate(&checklist))
}

/// `{ compile_error!(…) … expr }`, or `expr` when there is no error.
fn with_errors(errors: Errors, expr: TokenStream) -> TokenStream {
    match errors.finish() {
        Ok(()) => expr,
        Err(error) => {
            let error = error.into_compile_error();
            quote!({ #error #expr })
        }
    }
}

/// Duplicate ids, and `depends_on` or `waive` naming an id that is not declared here.
///
/// Only ids in a section this invocation declares are checked: a fragment merged into another
/// checklist (`standard::production_deployment().merge(checklist! { … })`) may name that
/// checklist's items, which `Checklist::validate` checks when the readiness is built.
fn check_ids(checklist: &Checklist, errors: &mut Errors) {
    let sections: Vec<String> = checklist
        .items
        .iter()
        .map(|i| slug::slug(&i.section.value()))
        .collect();
    let checkable = |id: &str| {
        let section = id.split('.').next().unwrap_or(id);
        sections.iter().any(|s| s == section)
    };
    let mut declared: HashMap<String, &LitStr> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for item in &checklist.items {
        let Some(id) = id_of(item) else { continue };
        match declared.get(&id) {
            Some(first) => errors.push(syn::Error::new(
                item.title.span(),
                format!(
                    "duplicate item id `{id}`: the item \"{}\" above has the same id; give one \
                     of them another title",
                    first.value()
                ),
            )),
            None => {
                declared.insert(id.clone(), &item.title);
                order.push(id);
            }
        }
    }
    let unknown = |lit: &LitStr, what: &str, own: Option<&str>| {
        let id = lit.value();
        let candidates = order.iter().map(String::as_str).filter(|c| Some(*c) != own);
        let suggestion = slug::closest(&id, candidates);
        syn::Error::new(
            lit.span(),
            format!(
                "{what} `{id}`, which is not an item of this checklist{}",
                slug::did_you_mean(suggestion)
            ),
        )
    };
    for item in &checklist.items {
        let own = id_of(item);
        for dep in &item.options.depends_on {
            let dep_id = dep.value();
            if own.as_ref() == Some(&dep_id) {
                let msg =
                    format!("`{dep_id}` is this item's own id: an item cannot depend on itself");
                errors.push(syn::Error::new(dep.span(), msg));
            } else if !declared.contains_key(&dep_id) && checkable(&dep_id) {
                errors.push(unknown(dep, "`depends_on` names", own.as_deref()));
            }
        }
    }
    let mut waived: Vec<String> = Vec::new();
    for waiver in &checklist.waivers {
        let id = waiver.id.value();
        if !declared.contains_key(&id) && checkable(&id) {
            errors.push(unknown(&waiver.id, "`waive` names", None));
        } else if waived.contains(&id) {
            errors.push(syn::Error::new(
                waiver.id.span(),
                format!("`{id}` is already waived above: keep one waiver"),
            ));
        } else {
            waived.push(id);
        }
    }
}

/// The item's id, or `None` when a title has no letters or digits (already reported).
fn id_of(item: &ItemDecl) -> Option<String> {
    let section = item.section.value();
    let group = item.group.as_ref().map(LitStr::value);
    let title = item.title.value();
    let parts = [Some(&section), group.as_ref(), Some(&title)];
    if parts
        .into_iter()
        .flatten()
        .any(|p| slug::slug(p).is_empty())
    {
        return None;
    }
    Some(slug::item_id(&section, group.as_deref(), &title))
}

/// `::prodready::Checklist::new(name).item(…)….waive(…)…`.
fn generate(checklist: &Checklist) -> TokenStream {
    let name = &checklist.name;
    let items = checklist.items.iter().map(item);
    let waivers = checklist.waivers.iter().map(waiver);
    quote! {
        ::prodready::Checklist::new(#name)
            #(.item(#items))*
            #(.waive(#waivers))*
    }
}

fn item(item: &ItemDecl) -> TokenStream {
    let ItemDecl {
        section,
        group,
        title,
        options,
        check,
    } = item;
    let group = match group {
        Some(group) => quote!(::core::option::Option::Some(#group)),
        None => quote!(::core::option::Option::None),
    };
    let options = builder_calls(options);
    // Spanned on the expression: one that is not a `Check` is reported there.
    let check = check
        .as_ref()
        .map(|expr| quote_spanned!(expr.span()=> .check(#expr)));
    quote! {
        ::prodready::Item::new(#section, #group, #title) #options #check
    }
}

fn waiver(waiver: &WaiverDecl) -> TokenStream {
    let WaiverDecl { id, reason, until } = waiver;
    let until = until.as_ref().map(|date| quote!(.until(#date)));
    quote!(::prodready::Waiver::new(#id, #reason) #until)
}

/// The `Item` builder calls for the options that were given.
fn builder_calls(o: &Options) -> TokenStream {
    let mut calls = TokenStream::new();
    if let Some(kind) = &o.kind {
        calls.extend(quote!(.kind(::prodready::Kind::#kind)));
    }
    if let Some(severity) = &o.severity {
        calls.extend(quote!(.severity(::prodready::Severity::#severity)));
    }
    if let Some(ms) = o.timeout_ms {
        calls.extend(quote!(.timeout(::prodready::__private::Duration::from_millis(#ms))));
    }
    if let Some(ms) = o.ttl_ms {
        calls.extend(quote!(.ttl(::prodready::__private::Duration::from_millis(#ms))));
    }
    if !o.depends_on.is_empty() {
        let ids = &o.depends_on;
        calls.extend(quote!(.depends_on([#(#ids),*])));
    }
    if !o.tags.is_empty() {
        let tags = &o.tags;
        calls.extend(quote!(.tags([#(#tags),*])));
    }
    if let Some(text) = &o.remediation {
        calls.extend(quote!(.remediation(#text)));
    }
    if let Some(url) = &o.docs {
        calls.extend(quote!(.docs(#url)));
    }
    if let Some(gate) = &o.gate {
        calls.extend(quote!(.gate(::prodready::Gate::#gate)));
    }
    calls
}
