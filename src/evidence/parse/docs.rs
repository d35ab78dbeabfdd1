//! Documentation artifacts: keep-a-changelog Markdown and OpenAPI 3 documents.

use super::ParseError;
#[cfg(feature = "digest")]
use serde_json::Value;

/// One release section of a changelog (`## [1.5.0] - 2026-11-01`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Release {
    /// The version (`Unreleased` for that section).
    pub version: String,
    /// The date after the version, if any.
    pub date: Option<String>,
    /// `### Added`, `### Changed`… with their entries.
    pub sections: Vec<(String, Vec<String>)>,
}

impl Release {
    /// Whether it lists breaking changes: a `### Breaking…`/`### Removed` heading with entries,
    /// or an entry marked `BREAKING`.
    pub fn has_breaking_changes(&self) -> bool {
        self.sections.iter().any(|(h, entries)| {
            let h = h.to_ascii_lowercase();
            (h.contains("breaking") || h == "removed") && !entries.is_empty()
                || entries.iter().any(|e| e.contains("BREAKING"))
        })
    }

    /// Number of entries.
    pub fn entries(&self) -> usize {
        self.sections.iter().map(|(_, e)| e.len()).sum()
    }
}

/// Parses a keep-a-changelog file into its releases, newest first as written.
pub fn changelog(file: &str, text: &str) -> Result<Vec<Release>, ParseError> {
    let mut releases: Vec<Release> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(head) = line.strip_prefix("## ") {
            let head = head.trim();
            let (version, rest) = match head.strip_prefix('[') {
                Some(h) => match h.split_once(']') {
                    Some((v, rest)) => (v, rest),
                    None => {
                        return Err(ParseError::new(
                            file,
                            i + 1,
                            4,
                            format!("`{head}`: `[` without `]`"),
                        ))
                    }
                },
                None => head.split_once(' ').unwrap_or((head, "")),
            };
            let date = rest.trim().trim_start_matches(['-', '–']).trim();
            releases.push(Release {
                version: version.trim().trim_start_matches('v').to_owned(),
                date: (!date.is_empty()).then(|| date.to_owned()),
                sections: Vec::new(),
            });
        } else if let Some(head) = line.strip_prefix("### ") {
            match releases.last_mut() {
                Some(r) => r.sections.push((head.trim().to_owned(), Vec::new())),
                None => {
                    return Err(ParseError::new(
                        file,
                        i + 1,
                        1,
                        "`###` heading before any `## [version]` section",
                    ))
                }
            }
        } else if let Some(entry) = line
            .trim_start()
            .strip_prefix("- ")
            .or_else(|| line.trim_start().strip_prefix("* "))
        {
            if let Some(r) = releases.last_mut() {
                if r.sections.is_empty() {
                    r.sections.push((String::new(), Vec::new()));
                }
                if let Some((_, entries)) = r.sections.last_mut() {
                    entries.push(entry.trim().to_owned());
                }
            }
        }
    }
    if releases.is_empty() {
        return Err(ParseError::new(
            file,
            0,
            0,
            "no `## [version]` section: not a keep-a-changelog file",
        ));
    }
    Ok(releases)
}

/// What an OpenAPI document says.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpenApi {
    /// `openapi` (3.x).
    pub openapi: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// The `paths` keys.
    pub paths: Vec<String>,
}

/// Parses an OpenAPI 3 document, JSON or YAML.
#[cfg(feature = "digest")]
pub fn openapi(file: &str, text: &str) -> Result<OpenApi, ParseError> {
    let v: Value = if text.trim_start().starts_with('{') {
        super::json(file, text)?
    } else {
        serde_saphyr::from_str(text).map_err(|e| ParseError::yaml(file, &e))?
    };
    let field = |ptr: &str| v.pointer(ptr).and_then(Value::as_str).map(str::to_owned);
    let openapi = field("/openapi").ok_or_else(|| {
        ParseError::new(file, 1, 1, "no `openapi` field: not an OpenAPI 3 document")
    })?;
    if !openapi.starts_with("3.") {
        return Err(ParseError::new(
            file,
            1,
            1,
            format!("`openapi` is {openapi}, expected 3.x"),
        ));
    }
    let version =
        field("/info/version").ok_or_else(|| ParseError::new(file, 1, 1, "no `info.version`"))?;
    Ok(OpenApi {
        openapi,
        title: field("/info/title").unwrap_or_default(),
        version,
        paths: v["paths"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default(),
    })
}
