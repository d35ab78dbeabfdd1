//! Procedural macros for prodready: `#[check]` and `checklist!`. Use them through `prodready`,
//! whose documentation describes them; the generated code reaches `::prodready::__private`.

mod args;
mod check;
mod checklist;
mod slug;

use proc_macro::TokenStream;

/// See `prodready::check`.
#[proc_macro_attribute]
pub fn check(args: TokenStream, item: TokenStream) -> TokenStream {
    check::expand(args.into(), item.into()).into()
}

/// See `prodready::checklist`.
#[proc_macro]
pub fn checklist(input: TokenStream) -> TokenStream {
    checklist::expand(input.into()).into()
}
