//! The OpenAPI document covers every endpoint, and the JSON answers validate against its
//! schemas (checked with a validator of the keywords the document uses; CI validates the
//! example's report with a full JSON Schema 2020-12 validator too).

use super::*;
use serde_json::{json, Value};

/// Validates `value` against `schema` (keywords: `$ref`, `type`, `enum`, `const`, `required`,
/// `properties`, `additionalProperties`, `items`, `minimum`, `format: date-time`); the errors,
/// each with its JSON pointer.
fn validate(value: &Value, schema: &Value, root: &Value, at: &str, errors: &mut Vec<String>) {
    let known = [
        "$ref",
        "type",
        "enum",
        "const",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "minimum",
        "format",
        "description",
    ];
    for key in schema.as_object().unwrap().keys() {
        assert!(
            known.contains(&key.as_str()),
            "the validator does not know `{key}`"
        );
    }
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.strip_prefix("#/$defs/").unwrap();
        return validate(value, &root["$defs"][name], root, at, errors);
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().map(|t| t.as_str().unwrap()).collect(),
            _ => panic!("type {t}"),
        };
        let is = |t: &str| match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_u64() || value.is_i64(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            other => panic!("type {other}"),
        };
        if !types.iter().any(|t| is(t)) {
            errors.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let Some(e) = schema["enum"].as_array() {
        if !e.contains(value) {
            errors.push(format!("{at}: {value} not in {e:?}"));
        }
    }
    if let Some(c) = schema.get("const") {
        if c != value {
            errors.push(format!("{at}: {value} is not {c}"));
        }
    }
    if let Some(min) = schema["minimum"].as_f64() {
        if value.as_f64().is_some_and(|v| v < min) {
            errors.push(format!("{at}: {value} below {min}"));
        }
    }
    if schema["format"] == "date-time" {
        if let Some(s) = value.as_str() {
            if s.parse::<jiff::Timestamp>().is_err() {
                errors.push(format!("{at}: {s} is not a date-time"));
            }
        }
    }
    if let Some(obj) = value.as_object() {
        for r in schema["required"].as_array().into_iter().flatten() {
            if !obj.contains_key(r.as_str().unwrap()) {
                errors.push(format!("{at}: `{}` is missing", r.as_str().unwrap()));
            }
        }
        for (k, v) in obj {
            let here = format!("{at}/{k}");
            match (
                schema["properties"].get(k),
                schema.get("additionalProperties"),
            ) {
                (Some(s), _) => validate(v, s, root, &here, errors),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{here}: not in the schema"))
                }
                (None, Some(s)) if s.is_object() => validate(v, s, root, &here, errors),
                _ => {}
            }
        }
    }
    if let (Some(items), Some(schema)) = (value.as_array(), schema.get("items")) {
        for (n, v) in items.iter().enumerate() {
            validate(v, schema, root, &format!("{at}/{n}"), errors);
        }
    }
}

fn errors_against(value: &Value, def: &str) -> Vec<String> {
    let root = prodready::http::report_schema();
    let mut errors = Vec::new();
    validate(
        value,
        &json!({ "$ref": format!("#/$defs/{def}") }),
        &root,
        "",
        &mut errors,
    );
    errors
}

#[tokio::test]
async fn the_json_answers_validate_against_the_schema() {
    for strict in [false, true] {
        let r = readiness(strict);
        r.evaluate().await;
        let (_, _, body) = get(&r, "/readiness-checklist", None).await;
        let report: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(errors_against(&report, "Report"), Vec::<String>::new());
        let (_, _, body) = get(&r, &format!("/readiness-checklist/{LINT}"), None).await;
        let item: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(errors_against(&item, "ItemReport"), Vec::<String>::new());
        let (code, _, body) = get(&r, "/readiness-checklist/nope", None).await;
        assert_eq!(code, 404);
        assert_eq!(
            errors_against(&serde_json::from_str(&body).unwrap(), "UnknownItem"),
            Vec::<String>::new()
        );
        for bad in [
            "/readiness-checklist?bogus=1",
            "/readiness-checklist?status=green",
        ] {
            let (code, _, body) = get(&r, bad, None).await;
            assert_eq!(code, 400);
            assert_eq!(
                errors_against(&serde_json::from_str(&body).unwrap(), "QueryError"),
                Vec::<String>::new(),
                "{bad}"
            );
        }
        let (_, _, body) = get(&r, "/readiness-checklist?format=health+json", None).await;
        assert_eq!(
            errors_against(&serde_json::from_str(&body).unwrap(), "HealthResponse"),
            Vec::<String>::new()
        );
    }
    let standard = Readiness::builder()
        .checklist(prodready::standard::production_deployment())
        .host(FakeHost::new())
        .build()
        .unwrap()
        .evaluate_fresh()
        .await;
    let report = serde_json::to_value(&*standard).unwrap();
    assert_eq!(errors_against(&report, "Report"), Vec::<String>::new());
}

#[tokio::test]
async fn the_validator_rejects_what_the_schema_does_not_describe() {
    let mut report = serde_json::to_value(&*report(false).await).unwrap();
    report["items"][0]["surprise"] = json!(1);
    report["items"][1]["status"] = json!("green");
    report["summary"].as_object_mut().unwrap().remove("total");
    report["evaluated_at"] = json!("yesterday");
    let errors = errors_against(&report, "Report");
    assert_eq!(errors.len(), 4, "{errors:?}");
}

#[test]
fn the_document_covers_every_endpoint_and_answer() {
    let doc = prodready::http::openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        prodready::http::CHECKLIST_PATH,
        "/readiness-checklist/{id}",
        prodready::http::LIVEZ_PATH,
        "/livez/{id}",
        prodready::http::READYZ_PATH,
        "/readyz/{id}",
        prodready::http::STARTUPZ_PATH,
        prodready::http::ROLLOUTZ_PATH,
        prodready::http::METRICS_PATH,
    ] {
        let get = &paths[path]["get"];
        assert!(get["responses"]["200"].is_object(), "{path}");
        assert!(get["responses"]["405"].is_object(), "{path}");
    }
    assert!(paths["/rolloutz"]["post"]["responses"]["503"].is_object());
    let formats = &paths["/readiness-checklist"]["get"]["parameters"][0];
    assert_eq!(formats["name"], "format");
    let names: Vec<&str> = prodready::Format::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(formats["schema"]["enum"], json!(names));
    let content = paths["/readiness-checklist"]["get"]["responses"]["503"]["content"]
        .as_object()
        .unwrap();
    for f in prodready::Format::ALL {
        let media = f.content_type().split(';').next().unwrap();
        assert!(content.contains_key(media), "{media}");
    }
    // The report answers are tagged and may be compressed; a matching tag is a 304.
    for path in [prodready::http::CHECKLIST_PATH, "/readiness-checklist/{id}"] {
        let responses = &paths[path]["get"]["responses"];
        for header in ["ETag", "Vary", "Content-Encoding"] {
            assert!(
                responses["200"]["headers"][header].is_object(),
                "{path} {header}"
            );
        }
        assert!(responses["304"]["headers"]["ETag"].is_object(), "{path}");
        let params = paths[path]["get"]["parameters"].as_array().unwrap();
        assert!(params
            .iter()
            .any(|p| p["name"] == "If-None-Match" && p["in"] == "header"));
    }
    // Every reference resolves.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &r[..r.find('"').unwrap()];
        assert!(doc["components"]["schemas"][name].is_object(), "{name}");
    }
}

#[tokio::test]
async fn a_services_document_allows_exactly_its_checklists_values() {
    let r = crate::common::warm(
        checklist().item(
            Item::new("Infrastructure", Some("Database"), "Cache reachable")
                .tags(["Data Stores"])
                .gate(prodready::Gate::Readiness)
                .check(pass()),
        ),
    )
    .await;
    let doc = r.openapi();
    let param = |path: &str, name: &str| {
        let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        let p = params.iter().find(|p| p["name"] == name).unwrap();
        let schema = &p["schema"];
        let values = if schema["type"] == "array" {
            &schema["items"]["enum"]
        } else {
            &schema["enum"]
        };
        values.clone()
    };
    let ids: Vec<&str> = r.checklist().items().iter().map(|i| i.id()).collect();
    assert_eq!(param("/readiness-checklist/{id}", "id"), json!(ids));
    // Only the readiness gate's blocking checks have a /readyz/{id} (not the warning-severity
    // dashboards and alerts, nor the info-severity style); nothing gates liveness.
    assert_eq!(
        param("/readyz/{id}", "id"),
        json!([
            ROOT,
            LINT,
            "ops.sign-off",
            "ops.post-mortem",
            SMOKE,
            IMAGE,
            DATABASE,
            "infrastructure.database.cache-reachable",
            NAMESPACE
        ])
    );
    assert_eq!(param("/livez/{id}", "id"), json!([]));
    assert_eq!(
        param("/readiness-checklist", "section"),
        json!(["build", "infrastructure", "ops", "security"])
    );
    assert_eq!(
        param("/readiness-checklist", "group"),
        json!([
            "build.quality",
            "container-security",
            "database",
            "infrastructure.database",
            "infrastructure.kubernetes",
            "kubernetes",
            "quality",
            "security.container-security"
        ])
    );
    assert_eq!(param("/readiness-checklist", "tag"), json!(["data-stores"]));
    // Each allowed value is one the endpoint accepts, and the probes' `exclude` stays open.
    for group in param("/readiness-checklist", "group").as_array().unwrap() {
        let uri = format!("/readiness-checklist?group={}", group.as_str().unwrap());
        let (status, _, body) = get(&r, &uri, None).await;
        assert_ne!(status, 400, "{uri}: {body}");
    }
    assert!(param("/readyz", "exclude")["enum"].is_null());
    // The library's own document leaves them open.
    assert!(
        prodready::http::openapi()["paths"]["/readyz/{id}"]["get"]["parameters"][0]["schema"]
            ["enum"]
            .is_null()
    );
}
