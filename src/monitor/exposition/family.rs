//! The families an exposition declares, the types they may have, and the problems found while
//! reading them.

use super::parse::Sample;
use super::{Problem, Severity, Syntax};

/// A metric type, as a TYPE line names it (untyped samples are [`Type::Untyped`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Type {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    Untyped,
}

impl Type {
    pub(super) fn parse(name: &str, syntax: Syntax) -> Option<Type> {
        Some(match (name, syntax) {
            ("counter", _) => Type::Counter,
            ("gauge", _) => Type::Gauge,
            ("histogram", _) => Type::Histogram,
            ("summary", _) => Type::Summary,
            ("untyped", Syntax::Prometheus) | ("unknown", Syntax::OpenMetrics) => Type::Untyped,
            ("gaugehistogram", Syntax::OpenMetrics) => Type::GaugeHistogram,
            ("info", Syntax::OpenMetrics) => Type::Info,
            ("stateset", Syntax::OpenMetrics) => Type::StateSet,
            _ => return None,
        })
    }

    /// The suffixes a sample of a family of this type may add to the family's name.
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Type::Counter => &["", "_total", "_created"],
            Type::Histogram => &["_bucket", "_sum", "_count", "_created"],
            Type::GaugeHistogram => &["_bucket", "_gsum", "_gcount"],
            Type::Summary => &["", "_sum", "_count", "_created"],
            Type::Info => &["_info"],
            Type::Gauge | Type::StateSet | Type::Untyped => &[""],
        }
    }
}

/// A family and the samples read into it.
#[derive(Debug)]
pub(super) struct Family {
    pub(super) name: String,
    pub(super) typ: Type,
    pub(super) typed: bool,
    pub(super) help: bool,
    pub(super) samples: Vec<(usize, Sample)>,
}

impl Family {
    pub(super) fn new(name: &str, typ: Type) -> Self {
        Self {
            name: name.to_owned(),
            typ,
            typed: false,
            help: false,
            samples: Vec::new(),
        }
    }

    pub(super) fn owns(&self, sample: &str) -> bool {
        self.typ
            .suffixes()
            .iter()
            .any(|s| sample.strip_suffix(s) == Some(self.name.as_str()))
    }
}

/// Collects problems while reading.
#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<Problem>);

impl Problems {
    pub(super) fn error(&mut self, line: Option<usize>, metric: &str, text: impl Into<String>) {
        self.push(Severity::Error, line, metric, text.into());
    }

    pub(super) fn lint(&mut self, metric: &str, text: impl Into<String>) {
        self.push(Severity::Lint, None, metric, text.into());
    }

    fn push(&mut self, severity: Severity, line: Option<usize>, metric: &str, text: String) {
        let p = Problem {
            severity,
            line,
            metric: metric.to_owned(),
            text,
        };
        if !self.0.contains(&p) {
            self.0.push(p);
        }
    }
}
