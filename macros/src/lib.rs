//! Procedural macros for prodready: `#[check]` and `checklist!`. Use them through `prodready`.

use proc_macro::TokenStream;

/// See `prodready::check`.
#[proc_macro_attribute]
pub fn check(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// See `prodready::checklist`.
#[proc_macro]
pub fn checklist(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
