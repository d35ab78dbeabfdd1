//! The OpenAPI 3.1 document of the endpoints (`src/http/openapi.json`) and the JSON Schema of
//! the JSON report, for a service to merge into its own API documentation.

use serde_json::{json, Value};

const DOCUMENT: &str = include_str!("openapi.json");

/// The OpenAPI 3.1 document of every endpoint the library serves (`/readiness-checklist`,
/// `/readiness-checklist/{id}`, `/livez`, `/readyz`, `/startupz`, `/metrics`): parameters,
/// formats, status codes, and the schemas of the JSON answers under `components.schemas`.
///
/// ```
/// let doc = prodready::http::openapi();
/// assert_eq!(doc["openapi"], "3.1.0");
/// assert!(doc["paths"]["/readiness-checklist"]["get"].is_object());
/// ```
pub fn openapi() -> Value {
    // The document is part of this crate and parsed in its tests.
    let mut doc: Value = serde_json::from_str(DOCUMENT).unwrap_or_default();
    doc["info"]["version"] = Value::String(env!("CARGO_PKG_VERSION").to_owned());
    doc
}

/// The JSON Schema (draft 2020-12) of the JSON report (`/readiness-checklist?format=json`,
/// `prodready verify --format json`): the document's `components.schemas` as `$defs`.
///
/// ```
/// let schema = prodready::http::report_schema();
/// assert_eq!(schema["$ref"], "#/$defs/Report");
/// assert!(schema["$defs"]["ItemReport"]["properties"]["status"].is_object());
/// ```
pub fn report_schema() -> Value {
    let defs = openapi()["components"]["schemas"].to_string();
    let defs: Value = serde_json::from_str(&defs.replace("#/components/schemas/", "#/$defs/"))
        .unwrap_or_default();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/prodready/prodready/report.schema.json",
        "title": "prodready report",
        "$ref": "#/$defs/Report",
        "$defs": defs,
    })
}
