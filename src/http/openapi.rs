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

impl crate::Readiness {
    /// The OpenAPI document of this service's endpoints: [`openapi`] with the checklist's own
    /// values as the only ones allowed: the item ids of `/readiness-checklist/{id}` and the checks
    /// of `/livez/{id}` and `/readyz/{id}` (any other answers 404), and the `section`, `group` and
    /// `tag` slugs of `/readiness-checklist` (any other answers 400). A probe's `exclude` stays
    /// open, as in kube-apiserver: an id it does not answer from is named in a warning line. This is the document to serve
    /// (the example serves it at `GET /openapi.json`) and to test the service's answers with.
    ///
    /// ```
    /// use prodready::{Checklist, Item, Readiness};
    ///
    /// let checklist = Checklist::new("orders").item(Item::new("Orders", None, "Table writable"));
    /// let readiness = Readiness::builder()
    ///     .service("orders", "1.0.0")
    ///     .checklist(checklist)
    ///     .host(prodready::testing::FakeHost::new())
    ///     .build()?;
    /// let doc = readiness.openapi();
    /// let id = &doc["paths"]["/readiness-checklist/{id}"]["get"]["parameters"][0];
    /// assert_eq!(id["schema"]["enum"][0], "orders.table-writable");
    /// # Ok::<(), prodready::BuildError>(())
    /// ```
    pub fn openapi(&self) -> Value {
        use super::query::{group_keys, section_keys, tag_keys};
        use crate::model::{Gate, Severity};
        use std::collections::BTreeSet;
        let items = self.checklist().items();
        let ids = |gate: Option<Gate>| -> Value {
            items
                .iter()
                .filter(|i| {
                    gate.is_none_or(|g| i.get_gate() == g && i.get_severity() == Severity::Blocking)
                })
                .map(|i| Value::String(i.id().to_owned()))
                .collect()
        };
        let slugs = |keys: &dyn Fn(&crate::Item) -> Vec<String>| -> Value {
            let set: BTreeSet<String> = items.iter().flat_map(keys).collect();
            set.into_iter().map(Value::String).collect()
        };
        // The keys the filters accept, by the filters' own rule.
        let sections = slugs(&|i| section_keys(i.section()));
        let groups = slugs(&|i| group_keys(i.section(), i.group()));
        let tags = slugs(&|i| tag_keys(i.get_tags()));
        let mut doc = openapi();
        let paths = &mut doc["paths"];
        for (path, values) in [
            ("/readiness-checklist/{id}", ids(None)),
            ("/livez/{id}", ids(Some(Gate::Liveness))),
            ("/readyz/{id}", ids(Some(Gate::Readiness))),
        ] {
            set_enum(&mut paths[path], "id", values);
        }
        for (name, values) in [("section", sections), ("group", groups), ("tag", tags)] {
            set_enum(&mut paths["/readiness-checklist"], name, values);
        }
        doc
    }
}

/// Restricts parameter `name` of `operation`'s GET to `values` (the items of an array parameter).
fn set_enum(operation: &mut Value, name: &str, values: Value) {
    let Some(params) = operation["get"]["parameters"].as_array_mut() else {
        return;
    };
    for p in params.iter_mut().filter(|p| p["name"] == name) {
        let schema = &mut p["schema"];
        if schema["type"] == "array" {
            schema["items"]["enum"] = values.clone();
        } else {
            schema["enum"] = values.clone();
        }
    }
}
