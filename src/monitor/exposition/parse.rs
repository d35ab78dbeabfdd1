//! One line of a text exposition: a sample (name, label set, value, timestamp) or a metadata
//! comment, with the escapes and number forms each syntax allows.

use super::Syntax;

/// Label pairs, in the order written.
pub(super) type Labels = Vec<(String, String)>;

/// One sample of an exposition: its metric name, labels and value (a timestamp or exemplar
/// after the value is checked, not kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The metric name.
    pub name: String,
    /// Label pairs, in the order written.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`
pub(super) fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`
pub(super) fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A float as the Prometheus parsers read it (`+Inf`, `-Inf`, `NaN` included).
pub(super) fn number(token: &str) -> Option<f64> {
    match token {
        "" => None,
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        t if t
            .chars()
            .any(|c| c.is_ascii_alphabetic() && !matches!(c, 'e' | 'E')) =>
        {
            None
        }
        t => t.parse().ok(),
    }
}

/// Undoes the escapes of a HELP text or label value; `quote` says whether `\"` is allowed.
pub(super) fn unescape(text: &str, quote: bool) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('"') if quote => out.push('"'),
            Some(other) => return Err(format!("invalid escape sequence `\\{other}`")),
            None => return Err("a `\\` at the end of the text".to_owned()),
        }
    }
    Ok(out)
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Parses a sample line (not a comment, not empty).
pub(super) fn sample(line: &str, syntax: Syntax) -> Result<Sample, String> {
    let name_end = line
        .find(|c: char| c == '{' || is_blank(c))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if !is_metric_name(name) {
        return Err(format!("`{name}` is not a valid metric name"));
    }
    if name_end == line.len() {
        return Err("a sample without a value".to_owned());
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(r) = rest.strip_prefix('{') {
        let (parsed, after) = label_set(r)?;
        labels = parsed;
        rest = after;
    }
    // The text parser takes `a{b="c"}1`; OpenMetrics wants the space.
    if syntax == Syntax::OpenMetrics && !rest.starts_with(' ') {
        return Err("no space between the label set and the value".to_owned());
    }
    let rest = rest.trim_start_matches(is_blank);
    // OpenMetrics: an exemplar may follow ` # `.
    let rest = match syntax {
        Syntax::OpenMetrics => rest.split(" # ").next().unwrap_or(rest),
        Syntax::Prometheus => rest,
    };
    let mut tokens = rest.split(is_blank).filter(|t| !t.is_empty());
    let value = tokens.next().ok_or("a sample without a value")?;
    let value = number(value).ok_or_else(|| format!("`{value}` is not a sample value"))?;
    if let Some(ts) = tokens.next() {
        let ok = match syntax {
            Syntax::Prometheus => ts.parse::<i64>().is_ok(),
            Syntax::OpenMetrics => number(ts).is_some_and(f64::is_finite),
        };
        if !ok {
            let want = match syntax {
                Syntax::Prometheus => "an integer of milliseconds",
                Syntax::OpenMetrics => "a number of seconds",
            };
            return Err(format!("`{ts}` is not a timestamp ({want})"));
        }
    }
    if let Some(extra) = tokens.next() {
        return Err(format!("unexpected `{extra}` after the timestamp"));
    }
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// Parses `name="value",…}` (after the `{`); returns the pairs and what follows the `}`.
fn label_set(mut s: &str) -> Result<(Labels, &str), String> {
    let mut labels: Labels = Vec::new();
    loop {
        s = s.trim_start_matches(is_blank);
        if let Some(after) = s.strip_prefix('}') {
            return Ok((labels, after));
        }
        let eq = s.find('=').ok_or("a label without `=`")?;
        let name = s[..eq].trim_matches(is_blank);
        if !is_label_name(name) {
            return Err(format!("`{name}` is not a valid label name"));
        }
        if labels.iter().any(|(n, _)| n == name) {
            return Err(format!("label `{name}` appears twice in one sample"));
        }
        s = s[eq + 1..].trim_start_matches(is_blank);
        let body = s
            .strip_prefix('"')
            .ok_or_else(|| format!("the value of label `{name}` is not quoted"))?;
        let mut end = None;
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or_else(|| format!("the value of label `{name}` is not closed"))?;
        let value = unescape(&body[..end], true).map_err(|e| format!("label `{name}`: {e}"))?;
        labels.push((name.to_owned(), value));
        s = body[end + 1..].trim_start_matches(is_blank);
        if let Some(after) = s.strip_prefix(',') {
            s = after;
        } else if !s.starts_with('}') {
            return Err("the label set is not closed with `}`".to_owned());
        }
    }
}
