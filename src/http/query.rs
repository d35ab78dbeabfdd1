//! Query strings: parsing, the allowed parameters of each endpoint, and report filters.

use crate::model::{slug, Gate, Kind, Severity, Status};
use crate::report::{ItemReport, Report};
use std::collections::BTreeSet;
use std::str::FromStr;

/// A parsed query string.
pub(super) struct Query {
    pairs: Vec<(String, String)>,
}

/// A query parameter or value that is not allowed; answered as a 400 with a JSON body.
#[derive(Debug)]
pub(super) struct QueryError {
    error: String,
    parameter: String,
    value: Option<String>,
    allowed: Vec<String>,
}

impl QueryError {
    pub(super) fn bad_value<S: ToString>(
        parameter: &str,
        value: &str,
        allowed: impl IntoIterator<Item = S>,
    ) -> Self {
        let allowed: Vec<String> = allowed.into_iter().map(|s| s.to_string()).collect();
        Self {
            error: format!(
                "`{value}` is not a valid value of `{parameter}`: expected one of {}",
                allowed.join(", ")
            ),
            parameter: parameter.to_owned(),
            value: Some(value.to_owned()),
            allowed,
        }
    }

    pub(super) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": self.error,
            "parameter": self.parameter,
            "value": self.value,
            "allowed": self.allowed,
        })
    }
}

impl Query {
    pub(super) fn parse(raw: Option<&str>) -> Result<Self, QueryError> {
        let pairs = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        Ok(Self { pairs })
    }

    /// Rejects any parameter not in `allowed`.
    pub(super) fn allow(&self, allowed: &[&str]) -> Result<(), QueryError> {
        match self
            .pairs
            .iter()
            .find(|(k, _)| !allowed.contains(&k.as_str()))
        {
            None => Ok(()),
            Some((k, _)) => Err(QueryError {
                error: format!(
                    "unknown query parameter `{k}`: expected one of {}",
                    allowed.join(", ")
                ),
                parameter: k.clone(),
                value: None,
                allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
            }),
        }
    }

    /// Every value of `key`, repeated parameters and comma-separated values alike.
    pub(super) fn values(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Every value of a filter `key`, as [`Query::values`]; an error for an empty one (`?gate=`,
    /// `?status=pass,`), which names nothing to filter by.
    pub(super) fn filter_values(&self, key: &str) -> Result<Vec<&str>, QueryError> {
        let empty = self
            .pairs
            .iter()
            .filter(|(k, _)| k == key)
            .any(|(_, v)| v.split(',').any(|v| v.trim().is_empty()));
        if empty {
            return Err(QueryError {
                error: format!("`{key}` is given an empty value: name what to filter by"),
                parameter: key.to_owned(),
                value: Some(String::new()),
                allowed: Vec::new(),
            });
        }
        Ok(self.values(key))
    }

    /// The one value of `key`; an error if it is given twice.
    pub(super) fn single(&self, key: &str) -> Result<Option<&str>, QueryError> {
        let mut values = self
            .pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        match values.next() {
            None => Ok(first),
            Some(second) => Err(QueryError {
                error: format!("`{key}` is given twice: give it once"),
                parameter: key.to_owned(),
                value: Some(second.to_owned()),
                allowed: Vec::new(),
            }),
        }
    }

    /// No parameter at all.
    pub(super) fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Whether `key` is present, whatever its value (kube-apiserver's `verbose`).
    pub(super) fn has(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }
}

/// The `?section=` key of an item in `section`.
pub(super) fn section_keys(section: &str) -> Vec<String> {
    vec![slug(section)]
}

/// The `?group=` keys of an item in `section` and `group`: the group's slug alone and
/// qualified by its section's.
pub(super) fn group_keys(section: &str, group: Option<&str>) -> Vec<String> {
    match group {
        Some(g) => vec![slug(g), format!("{}.{}", slug(section), slug(g))],
        None => Vec::new(),
    }
}

/// The `?tag=` keys of an item with `tags`.
pub(super) fn tag_keys(tags: &[String]) -> Vec<String> {
    tags.iter().map(|t| slug(t)).collect()
}

/// Applies `section`, `group`, `kind`, `status`, `severity` and `tag` to `report`.
pub(super) fn filter(report: &Report, query: &Query) -> Result<Report, QueryError> {
    let section_keys = |i: &ItemReport| section_keys(&i.section);
    let group_keys = |i: &ItemReport| group_keys(&i.section, i.group.as_deref());
    let tag_keys = |i: &ItemReport| tag_keys(&i.tags);
    let sections = names(report, "section", query, section_keys)?;
    let groups = names(report, "group", query, group_keys)?;
    let tags = names(report, "tag", query, tag_keys)?;
    let kinds: Vec<Kind> = parsed(query, "kind")?;
    let statuses: Vec<Status> = parsed(query, "status")?;
    let severities: Vec<Severity> = parsed(query, "severity")?;
    let gates: Vec<Gate> = parsed(query, "gate")?;
    if sections.is_none()
        && groups.is_none()
        && tags.is_none()
        && kinds.is_empty()
        && statuses.is_empty()
        && severities.is_empty()
        && gates.is_empty()
    {
        return Ok(report.clone());
    }
    let matches = |set: &Option<BTreeSet<String>>, keys: Vec<String>| {
        set.as_ref()
            .is_none_or(|s| keys.iter().any(|k| s.contains(k)))
    };
    Ok(report.retain(|i| {
        matches(&sections, section_keys(i))
            && matches(&groups, group_keys(i))
            && matches(&tags, tag_keys(i))
            && (kinds.is_empty() || kinds.contains(&i.kind))
            && (statuses.is_empty() || statuses.contains(&i.status))
            && (severities.is_empty() || severities.contains(&i.severity))
            && (gates.is_empty() || gates.contains(&i.gate))
    }))
}

/// The slugs asked for with `key` (titles or slugs both work), each required to name something
/// in the report; `None` when the parameter is absent.
fn names(
    report: &Report,
    key: &str,
    query: &Query,
    keys_of: impl Fn(&ItemReport) -> Vec<String>,
) -> Result<Option<BTreeSet<String>>, QueryError> {
    let values = query.filter_values(key)?;
    if values.is_empty() {
        return Ok(None);
    }
    let known: BTreeSet<String> = report.items.iter().flat_map(|i| keys_of(i)).collect();
    let mut wanted = BTreeSet::new();
    for v in values {
        let s = if v.contains('.') {
            v.split('.').map(slug).collect::<Vec<_>>().join(".")
        } else {
            slug(v)
        };
        if !known.contains(&s) {
            return Err(QueryError::bad_value(key, v, &known));
        }
        wanted.insert(s);
    }
    Ok(Some(wanted))
}

fn parsed<T: FromStr + ToString + AllValues>(
    query: &Query,
    key: &str,
) -> Result<Vec<T>, QueryError> {
    query
        .filter_values(key)?
        .into_iter()
        .map(|v| {
            v.parse().map_err(|_| {
                QueryError::bad_value(key, v, T::all().iter().map(ToString::to_string))
            })
        })
        .collect()
}

trait AllValues: Sized + 'static {
    fn all() -> &'static [Self];
}

impl AllValues for Kind {
    fn all() -> &'static [Self] {
        Kind::ALL
    }
}
impl AllValues for Status {
    fn all() -> &'static [Self] {
        Status::ALL
    }
}
impl AllValues for Gate {
    fn all() -> &'static [Self] {
        Gate::ALL
    }
}
impl AllValues for Severity {
    fn all() -> &'static [Self] {
        Severity::ALL
    }
}
