//! Built-in checks: tls.

use crate::Check;
use std::sync::Arc;

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    Vec::new()
}
