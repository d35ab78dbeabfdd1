//! `#[prodready::check(..)]`: registers an `async fn(&Context) -> Outcome` as the check of an
//! item, through `inventory`.

use crate::args::{self, Arg, Errors, Keys, Options};
use crate::slug;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{FnArg, GenericParam, ItemFn, LitStr};

const KEYS: Keys = Keys {
    extra: &["item", "section", "group", "title", "replaces_builtin"],
    what: "argument",
    elsewhere: &[],
};

const EITHER: &str = "expected either `item = \"id\"` (an existing item) or `section = \"…\"`, \
    optional `group = \"…\"`, and `title = \"…\"` (a new item)";

/// Which item the check verifies.
enum Target {
    Item(LitStr),
    New {
        section: LitStr,
        group: Option<LitStr>,
        title: LitStr,
    },
}

/// The parsed arguments.
struct Config {
    target: Target,
    options: Options,
    /// `replaces_builtin = true`: binding an item that has a built-in check is on purpose.
    replaces_builtin: bool,
}

/// Expands `#[check(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            let error = syn::Error::new(
                Span::call_site(),
                "#[prodready::check] goes on an `async fn name(ctx: &prodready::Context) -> prodready::Outcome`",
            );
            return to_output(item, error);
        }
    };
    let mut errors = Errors::default();
    let config = errors.ok(Parser::parse2(parse_config, args));
    check_signature(&func, &mut errors);
    match (config, errors.finish()) {
        (Some(config), Ok(())) => generate(&func, &config),
        (_, Err(error)) => to_output(func.into_token_stream(), error),
        (None, Ok(())) => func.into_token_stream(),
    }
}

/// The item unchanged, so that the rest of the crate still sees it, plus the errors.
fn to_output(item: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.into_compile_error();
    quote!(#item #error)
}

/// Parses the arguments; every problem that is not a syntax error is reported together.
fn parse_config(input: ParseStream<'_>) -> syn::Result<Config> {
    let mut errors = Errors::default();
    let args = args::parse_args(input, &KEYS)?;
    let (options, extra) = Options::take(args, &KEYS, &mut errors);
    for id in &options.depends_on {
        errors.ok(check_id(id));
    }
    let (replaces, target_args): (Vec<Arg>, Vec<Arg>) = extra
        .into_iter()
        .partition(|a| a.name() == "replaces_builtin");
    let replaces_builtin = replaces
        .first()
        .and_then(|a| errors.ok(args::boolean(&a.value, "replaces_builtin")));
    let target = target(target_args, &mut errors);
    if let (Some(flag), Some(Target::New { .. })) = (&replaces_builtin, &target) {
        errors.push(syn::Error::new(
            flag.span(),
            "`replaces_builtin` applies to `item = \"id\"` (an existing item); a new item has no built-in check",
        ));
    }
    errors.finish()?;
    let target = target.ok_or_else(|| syn::Error::new(Span::call_site(), EITHER))?;
    Ok(Config {
        target,
        options,
        replaces_builtin: replaces_builtin.is_some_and(|b| b.value),
    })
}

/// Resolves `item` / `section` / `group` / `title` into a target.
fn target(args: Vec<Arg>, errors: &mut Errors) -> Option<Target> {
    let mut item = None;
    let mut section = None;
    let mut group = None;
    let mut title = None;
    let mut failed = false;
    for arg in args {
        let Some(value) = errors.ok(args::string(&arg.value, &arg.name())) else {
            failed = true;
            continue;
        };
        let slot = match arg.name().as_str() {
            "item" => &mut item,
            "section" => &mut section,
            "group" => &mut group,
            _ => &mut title,
        };
        *slot = Some((arg.key, value));
    }
    if failed {
        return None;
    }
    match (item, section, group, title) {
        (Some((_, id)), None, None, None) => errors.ok(check_id(&id)).map(|()| Target::Item(id)),
        (Some((key, _)), ..) => {
            let msg = "expected either `item = \"id\"` (an existing item) or `section`/`title` \
                (a new item), not both";
            errors.push(syn::Error::new(key.span(), msg));
            None
        }
        (None, Some((_, section)), group, Some((_, title))) => {
            let group = group.map(|(_, group)| group);
            let parts = [Some(&section), group.as_ref(), Some(&title)];
            for part in parts.into_iter().flatten() {
                if slug::slug(&part.value()).is_empty() {
                    errors.push(slug::empty_title(part));
                }
            }
            Some(Target::New {
                section,
                group,
                title,
            })
        }
        (None, Some((key, _)), _, None) => {
            let msg = "`section` needs a `title` too: `section = \"…\", title = \"…\"`";
            errors.push(syn::Error::new(key.span(), msg));
            None
        }
        (None, None, Some((key, _)), _) => {
            let msg = "`group` needs a `section` and a `title` too: \
                `section = \"…\", group = \"…\", title = \"…\"`";
            errors.push(syn::Error::new(key.span(), msg));
            None
        }
        (None, None, None, Some((key, _))) => {
            let msg = "`title` needs a `section` too: `section = \"…\", title = \"…\"`";
            errors.push(syn::Error::new(key.span(), msg));
            None
        }
        (None, None, None, None) => {
            errors.push(syn::Error::new(Span::call_site(), EITHER));
            None
        }
    }
}

/// Errors unless `id` has the shape of an item id.
fn check_id(id: &LitStr) -> syn::Result<()> {
    let text = id.value();
    if slug::is_id(&text) {
        return Ok(());
    }
    let hint = match slug::as_id(&text) {
        Some(fixed) => format!("; did you mean `{fixed}`?"),
        None => String::new(),
    };
    Err(syn::Error::new(
        id.span(),
        format!("`{text}` is not an item id: {}{hint}", slug::ID_RULE),
    ))
}

/// `async`, one argument, no receiver, no type or const parameters.
fn check_signature(func: &ItemFn, errors: &mut Errors) {
    let sig = &func.sig;
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            "#[prodready::check] functions must be `async fn`",
        ));
    }
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        errors.push(syn::Error::new(
            unsafety.span,
            "#[prodready::check] functions cannot be `unsafe`",
        ));
    }
    for param in &sig.generics.params {
        if !matches!(param, GenericParam::Lifetime(_)) {
            errors.push(syn::Error::new_spanned(
                param,
                "#[prodready::check] functions cannot be generic: the check is registered \
                 as one function pointer",
            ));
        }
    }
    if let Some(receiver) = sig.receiver() {
        errors.push(syn::Error::new_spanned(
            receiver,
            "#[prodready::check] goes on a free function, not a method",
        ));
    } else if sig.inputs.len() != 1 || sig.variadic.is_some() {
        let found = sig.inputs.len();
        errors.push(syn::Error::new(
            sig.paren_token.span.join(),
            format!(
                "#[prodready::check] functions take exactly one argument, \
                 `ctx: &prodready::Context`, found {found}"
            ),
        ));
    } else if let Some(FnArg::Typed(arg)) = sig.inputs.first() {
        if !matches!(*arg.ty, syn::Type::Reference(_)) {
            errors.push(syn::Error::new_spanned(
                &arg.ty,
                "expected `&prodready::Context`: #[prodready::check] functions borrow the context",
            ));
        }
    }
}

/// The function unchanged, plus its registration.
fn generate(func: &ItemFn, config: &Config) -> TokenStream {
    let name = &func.sig.ident;
    let name_str = name.unraw().to_string();
    let some = |value: Option<TokenStream>| match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    };
    let target = match &config.target {
        Target::Item(id) => quote!(::prodready::__private::Target::Item(#id)),
        Target::New {
            section,
            group,
            title,
        } => {
            let group = some(group.as_ref().map(ToTokens::to_token_stream));
            quote! {
                ::prodready::__private::Target::New { section: #section, group: #group, title: #title }
            }
        }
    };
    let o = &config.options;
    let kind = some(o.kind.as_ref().map(|v| quote!(::prodready::Kind::#v)));
    let severity = some(
        o.severity
            .as_ref()
            .map(|v| quote!(::prodready::Severity::#v)),
    );
    let timeout_ms = some(o.timeout_ms.map(|ms| quote!(#ms)));
    let ttl_ms = some(o.ttl_ms.map(|ms| quote!(#ms)));
    let depends_on = &o.depends_on;
    let tags = &o.tags;
    let remediation = some(o.remediation.as_ref().map(ToTokens::to_token_stream));
    let docs = some(o.docs.as_ref().map(ToTokens::to_token_stream));
    let gate = some(o.gate.as_ref().map(|v| quote!(::prodready::Gate::#v)));
    let replaces_builtin = config.replaces_builtin;
    // Spanned on the return type: a function returning something else than `Outcome`, or a
    // future that is not `Send`, is reported there.
    let output_span = match &func.sig.output {
        syn::ReturnType::Default => func.sig.ident.span(),
        syn::ReturnType::Type(_, ty) => ty.span(),
    };
    let call = quote_spanned!(output_span=> ::prodready::__private::Box::pin(#name(ctx)));
    quote! {
        #func

        const _: () = {
            fn __prodready_run<'a>(
                ctx: &'a ::prodready::Context,
            ) -> ::prodready::__private::BoxFuture<'a, ::prodready::Outcome> {
                #call
            }

            ::prodready::__private::inventory::submit! {
                ::prodready::__private::CheckRegistration {
                    target: #target,
                    function: ::core::concat!(::core::module_path!(), "::", #name_str),
                    kind: #kind,
                    severity: #severity,
                    timeout_ms: #timeout_ms,
                    ttl_ms: #ttl_ms,
                    depends_on: &[#(#depends_on),*],
                    tags: &[#(#tags),*],
                    remediation: #remediation,
                    docs: #docs,
                    gate: #gate,
                    replaces_builtin: #replaces_builtin,
                    run: __prodready_run,
                }
            }
        };
    }
}
