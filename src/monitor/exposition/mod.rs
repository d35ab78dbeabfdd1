//! Judges a metrics exposition by the rules its consumers apply: the Prometheus text-format and
//! OpenMetrics parsers (what a scrape rejects) and `promtool check metrics` (what its linter
//! reports).
//!
//! - **errors** (a scrape fails or loses samples): invalid metric or label names, reserved
//!   (`__`) label names, a label twice in one sample, bad escapes, values or timestamps; a second
//!   HELP or TYPE for a family, or one after its samples; a family's lines not in one group; the
//!   same series twice; a histogram whose `_bucket`s lack `le` or `le="+Inf"`, are not cumulative,
//!   or come without `_sum` and `_count` (equal to the `+Inf` bucket); a summary sample without a
//!   `quantile` in 0..1; a negative counter; in OpenMetrics, counter samples not named `_total`
//!   and a missing `# EOF`.
//! - **lints** (what `promtool check metrics` prints): no HELP, counters without `_total`,
//!   `_total` on other types, `_bucket`/`_count`/`_sum` suffixes and `le`/`quantile` labels on
//!   types that do not own them, the type in the name, `:` in names, camelCase, non-base or
//!   abbreviated units.
//!
//! ```
//! use prodready::monitor::exposition::{judge, Syntax};
//! let text = "# HELP up Whether the target is up.\n# TYPE up gauge\nup 1\n";
//! assert!(judge(text, Syntax::Prometheus).is_clean());
//! let j = judge("# TYPE latency gauge\nlatency{quantile=\"0.99\"} 0.2\n", Syntax::Prometheus);
//! assert_eq!(j.errors().count(), 0);
//! assert!(j.lints().any(|p| p.text.contains("\"quantile\" label")));
//! ```

mod family;
mod parse;
mod rules;

use family::{Family, Problems, Type};
pub use parse::Sample;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Which text format an exposition is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// The Prometheus text format (`text/plain; version=0.0.4`).
    Prometheus,
    /// OpenMetrics 1.0 text (`application/openmetrics-text`).
    OpenMetrics,
}

impl Syntax {
    /// The syntax a scraper picks for a `Content-Type` (Prometheus text when unsure).
    pub fn from_content_type(content_type: Option<&str>) -> Syntax {
        match content_type {
            Some(ct)
                if ct
                    .to_ascii_lowercase()
                    .contains("application/openmetrics-text") =>
            {
                Syntax::OpenMetrics
            }
            _ => Syntax::Prometheus,
        }
    }
}

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A consumer rejects the scrape or loses samples.
    Error,
    /// `promtool check metrics` reports it (and exits non-zero); a scrape still succeeds.
    Lint,
}

/// One thing a consumer would object to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or lint.
    pub severity: Severity,
    /// The 1-based line, when the problem is on one line.
    pub line: Option<usize>,
    /// The metric (family) name, when known.
    pub metric: String,
    /// What is wrong.
    pub text: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if !self.metric.is_empty() {
            write!(f, "{}: ", self.metric)?;
        }
        f.write_str(&self.text)
    }
}

/// What [`judge`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// The syntax judged.
    pub syntax: Syntax,
    /// Metric families seen.
    pub families: usize,
    /// Samples seen.
    pub samples: usize,
    /// Every problem, errors first, in line order.
    pub problems: Vec<Problem>,
}

impl Judgement {
    /// The problems a consumer rejects.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    /// The problems `promtool check metrics` reports that a scrape survives.
    pub fn lints(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Lint)
    }

    /// No error and no lint.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// The first `max` problems of `severity`, joined for a message.
    pub fn describe(&self, severity: Severity, max: usize) -> String {
        let all: Vec<String> = self
            .problems
            .iter()
            .filter(|p| p.severity == severity)
            .map(Problem::to_string)
            .collect();
        let mut text = all.iter().take(max).cloned().collect::<Vec<_>>().join("; ");
        if all.len() > max {
            text.push_str(&format!("; and {} more", all.len() - max));
        }
        text
    }
}

/// Why an exposition does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {problem}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

/// The samples of `text`, read line by line with the parser [`judge`] uses: the first line a
/// scrape in `syntax` would reject is the error. Metadata (`# HELP`, `# TYPE`, `# UNIT`) is
/// skipped, other comments too in the Prometheus syntax; in OpenMetrics nothing may follow
/// `# EOF`. The family rules (histograms, duplicate series, lints) are [`judge`]'s.
///
/// ```
/// use prodready::monitor::exposition::{samples, Syntax};
/// let s = samples("# TYPE up gauge\nup{job=\"api\"} 1\n", Syntax::Prometheus).unwrap();
/// assert_eq!((s[0].name.as_str(), s[0].value), ("up", 1.0));
/// assert!(samples("up one\n", Syntax::Prometheus).is_err());
/// ```
pub fn samples(text: &str, syntax: Syntax) -> Result<Vec<Sample>, ParseError> {
    let mut out = Vec::new();
    let mut eof = false;
    for (n, line) in text.lines().enumerate() {
        let err = |problem: String| ParseError {
            line: n + 1,
            problem,
        };
        if eof && syntax == Syntax::OpenMetrics {
            return Err(err("content after `# EOF`".to_owned()));
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let keyword = comment.split_whitespace().next().unwrap_or("");
            if keyword == "EOF" && comment.trim() == "EOF" {
                eof = true;
            } else if syntax == Syntax::OpenMetrics && !matches!(keyword, "HELP" | "TYPE" | "UNIT")
            {
                return Err(err(
                    "a comment that is not HELP, TYPE, UNIT or EOF".to_owned()
                ));
            }
            continue;
        }
        out.push(parse::sample(line, syntax).map_err(err)?);
    }
    Ok(out)
}

/// Judges `text` as a scrape in `syntax` would read it.
pub fn judge(text: &str, syntax: Syntax) -> Judgement {
    let mut problems = Problems::default();
    let mut families: Vec<Family> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut current: Option<usize> = None;
    let mut series: BTreeSet<(String, Vec<(String, String)>)> = BTreeSet::new();
    let mut eof = false;
    let mut samples = 0;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if eof && syntax == Syntax::OpenMetrics {
            problems.error(Some(n), "", "content after `# EOF`");
            break;
        }
        if line.trim().is_empty() {
            if syntax == Syntax::OpenMetrics {
                problems.error(Some(n), "", "an empty line (OpenMetrics allows none)");
            }
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut tokens = comment.split_whitespace();
            let keyword = tokens.next().unwrap_or("");
            if keyword == "EOF" && comment.trim() == "EOF" {
                eof = true;
                continue;
            }
            let meta = matches!(keyword, "HELP" | "TYPE")
                || (keyword == "UNIT" && syntax == Syntax::OpenMetrics);
            if !meta {
                if syntax == Syntax::OpenMetrics {
                    problems.error(
                        Some(n),
                        "",
                        "a comment that is not HELP, TYPE, UNIT or EOF (OpenMetrics allows none)",
                    );
                }
                continue;
            }
            let Some(name) = tokens.next() else {
                problems.error(Some(n), "", format!("`# {keyword}` without a metric name"));
                continue;
            };
            if !parse::is_metric_name(name) {
                problems.error(Some(n), name, "not a valid metric name");
                continue;
            }
            let i = match index.get(name) {
                Some(&i) if Some(i) == current => {
                    let f = &families[i];
                    if !f.samples.is_empty() {
                        problems.error(
                            Some(n),
                            name,
                            format!("`# {keyword}` after the family's samples"),
                        );
                    }
                    i
                }
                Some(&i) => {
                    problems.error(Some(n), name, "the family appears again after other families: its lines must be one group");
                    i
                }
                None => {
                    families.push(Family::new(name, Type::Untyped));
                    index.insert(name.to_owned(), families.len() - 1);
                    families.len() - 1
                }
            };
            current = Some(i);
            let f = &mut families[i];
            let rest = comment
                .trim_start()
                .trim_start_matches(keyword)
                .trim_start();
            let rest = rest.strip_prefix(name).unwrap_or("").trim_start();
            match keyword {
                "HELP" => {
                    if std::mem::replace(&mut f.help, true) {
                        problems.error(Some(n), name, "a second HELP line");
                    }
                    if let Err(e) = parse::unescape(rest, syntax == Syntax::OpenMetrics) {
                        problems.error(Some(n), name, format!("HELP: {e}"));
                    }
                }
                "TYPE" => {
                    if std::mem::replace(&mut f.typed, true) {
                        problems.error(Some(n), name, "a second TYPE line");
                    }
                    match Type::parse(rest.trim(), syntax) {
                        Some(t) => f.typ = t,
                        None => problems.error(
                            Some(n),
                            name,
                            format!("`{}` is not a metric type", rest.trim()),
                        ),
                    }
                }
                _ => {
                    let unit = rest.trim();
                    if !unit.is_empty() && !name.ends_with(&format!("_{unit}")) {
                        problems.error(
                            Some(n),
                            name,
                            format!("UNIT `{unit}`: the family's name must end in `_{unit}`"),
                        );
                    }
                }
            }
            continue;
        }
        let sample = match parse::sample(line, syntax) {
            Ok(s) => s,
            Err(e) => {
                problems.error(Some(n), "", e);
                continue;
            }
        };
        samples += 1;
        let i = match current.filter(|&i| families[i].owns(&sample.name)) {
            Some(i) => i,
            None => {
                let owner = families.iter().position(|f| f.owns(&sample.name));
                match owner {
                    Some(i) => {
                        problems.error(
                            Some(n),
                            &families[i].name.clone(),
                            "the family's samples are not together: its lines must be one group",
                        );
                        i
                    }
                    None => {
                        families.push(Family::new(&sample.name, Type::Untyped));
                        index.insert(sample.name.clone(), families.len() - 1);
                        families.len() - 1
                    }
                }
            }
        };
        current = Some(i);
        let mut key = sample.labels.clone();
        key.sort();
        if !series.insert((sample.name.clone(), key)) {
            problems.error(
                Some(n),
                &families[i].name,
                format!("the series `{}` appears twice", series_text(&sample)),
            );
        }
        rules::sample(&families[i], n, &sample, syntax, &mut problems);
        families[i].samples.push((n, sample));
    }
    if syntax == Syntax::OpenMetrics && !eof {
        problems.error(None, "", "no `# EOF` at the end (OpenMetrics requires it)");
    }
    for f in &families {
        rules::family(f, syntax, &mut problems);
    }
    let mut problems = problems.0;
    problems.sort_by_key(|p| (p.severity, p.line.unwrap_or(usize::MAX)));
    Judgement {
        syntax,
        families: families.len(),
        samples,
        problems,
    }
}

fn series_text(s: &Sample) -> String {
    if s.labels.is_empty() {
        return s.name.clone();
    }
    let labels: Vec<String> = s
        .labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.escape_default()))
        .collect();
    format!("{}{{{}}}", s.name, labels.join(","))
}

#[cfg(test)]
mod tests;
