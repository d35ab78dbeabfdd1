//! The two text expositions Prometheus scrapes: OpenMetrics 1.0 and the classic text format
//! 0.0.4, from one list of metric families.

use std::fmt::Write;

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Type {
    Gauge,
    Histogram,
    Summary,
}

impl Type {
    fn as_str(self) -> &'static str {
        match self {
            Type::Gauge => "gauge",
            Type::Histogram => "histogram",
            Type::Summary => "summary",
        }
    }
}

/// Which exposition to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    /// `application/openmetrics-text; version=1.0.0`: `# UNIT` lines and a final `# EOF`.
    OpenMetrics,
    /// `text/plain; version=0.0.4`.
    Text,
}

/// One sample: the suffix of the family name (`""`, `_bucket`, `_sum`, `_count`), its labels
/// and its value.
#[derive(Debug, Clone)]
pub(super) struct Point {
    pub(super) suffix: &'static str,
    pub(super) labels: Vec<(&'static str, String)>,
    pub(super) value: f64,
}

/// A metric family: every sample of one metric name.
#[derive(Debug, Clone)]
pub(super) struct Family {
    pub(super) name: &'static str,
    pub(super) help: &'static str,
    pub(super) kind: Type,
    /// The unit the name ends with (`seconds`), announced in OpenMetrics.
    pub(super) unit: Option<&'static str>,
    pub(super) points: Vec<Point>,
}

impl Family {
    pub(super) fn new(name: &'static str, kind: Type, help: &'static str) -> Self {
        let unit = name.ends_with("_seconds").then_some("seconds");
        Self {
            name,
            help,
            kind,
            unit,
            points: Vec::new(),
        }
    }

    /// Adds the sample `name{labels} value`.
    pub(super) fn push(&mut self, labels: &[(&'static str, &str)], value: f64) {
        self.push_suffixed("", labels, value);
    }

    /// Adds the sample `name{suffix}{labels} value`.
    pub(super) fn push_suffixed(
        &mut self,
        suffix: &'static str,
        labels: &[(&'static str, &str)],
        value: f64,
    ) {
        self.points.push(Point {
            suffix,
            labels: labels.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
            value,
        });
    }
}

fn escape_label(v: &str) -> String {
    v.replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
}

fn escape_help(v: &str, dialect: Dialect) -> String {
    let s = v.replace('\\', r"\\").replace('\n', r"\n");
    match dialect {
        Dialect::OpenMetrics => s.replace('"', "\\\""),
        Dialect::Text => s,
    }
}

/// A sample value: `NaN`, `+Inf`, `-Inf`, or the shortest decimal that reads back the same.
pub(super) fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v == f64::INFINITY {
        "+Inf".to_owned()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        format!("{v}")
    }
}

/// The exposition of `families`, in order; families without samples are left out.
pub(super) fn encode(families: &[Family], dialect: Dialect) -> String {
    let mut out = String::new();
    for f in families.iter().filter(|f| !f.points.is_empty()) {
        let _ = writeln!(out, "# HELP {} {}", f.name, escape_help(f.help, dialect));
        let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind.as_str());
        if let (Dialect::OpenMetrics, Some(unit)) = (dialect, f.unit) {
            let _ = writeln!(out, "# UNIT {} {unit}", f.name);
        }
        for p in &f.points {
            out.push_str(f.name);
            out.push_str(p.suffix);
            if !p.labels.is_empty() {
                let labels: Vec<String> = p
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                    .collect();
                let _ = write!(out, "{{{}}}", labels.join(","));
            }
            let _ = writeln!(out, " {}", number(p.value));
        }
    }
    if dialect == Dialect::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dialects() {
        let mut g = Family::new("a_seconds", Type::Gauge, "A \"b\"\nc");
        g.push(&[("id", "x\"y\\z")], 1.5);
        let mut empty = Family::new("b", Type::Gauge, "B");
        empty.points.clear();
        let om = encode(&[g.clone(), empty.clone()], Dialect::OpenMetrics);
        assert_eq!(
            om,
            "# HELP a_seconds A \\\"b\\\"\\nc\n# TYPE a_seconds gauge\n# UNIT a_seconds seconds\na_seconds{id=\"x\\\"y\\\\z\"} 1.5\n# EOF\n"
        );
        let text = encode(&[g, empty], Dialect::Text);
        assert_eq!(
            text,
            "# HELP a_seconds A \"b\"\\nc\n# TYPE a_seconds gauge\na_seconds{id=\"x\\\"y\\\\z\"} 1.5\n"
        );
        assert_eq!(number(f64::INFINITY), "+Inf");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.001023), "0.001023");
    }
}
