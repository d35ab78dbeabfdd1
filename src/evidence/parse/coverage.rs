//! Coverage reports: lcov tracefiles and Cobertura XML.

#[cfg(feature = "digest")]
use super::ParseError;
#[cfg(feature = "digest")]
use quick_xml::events::Event;
#[cfg(feature = "digest")]
use quick_xml::Reader;

/// Line coverage of a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineCoverage {
    /// Lines with at least one hit.
    pub covered: u64,
    /// Instrumented lines.
    pub valid: u64,
}

impl LineCoverage {
    /// Covered lines in percent (0 when nothing is instrumented).
    pub fn percent(&self) -> f64 {
        if self.valid == 0 {
            0.0
        } else {
            self.covered as f64 * 100.0 / self.valid as f64
        }
    }
}

/// Parses an lcov tracefile: `LH:`/`LF:` per record, or counted from `DA:` lines when a record
/// has no summary.
#[cfg(feature = "digest")]
pub fn lcov(file: &str, text: &str) -> Result<LineCoverage, ParseError> {
    let mut total = LineCoverage::default();
    let (mut da_hit, mut da_all, mut lh, mut lf) = (0u64, 0u64, None, None);
    let mut records = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let num = |v: &str| {
            v.trim()
                .parse::<u64>()
                .map_err(|e| ParseError::new(file, i + 1, 1, format!("`{line}`: not a count: {e}")))
        };
        if let Some(v) = line.strip_prefix("DA:") {
            let mut parts = v.split(',');
            let (Some(_), Some(hits)) = (parts.next(), parts.next()) else {
                return Err(ParseError::new(
                    file,
                    i + 1,
                    1,
                    format!("`{line}`: expected DA:<line>,<hits>"),
                ));
            };
            da_all += 1;
            if num(hits)? > 0 {
                da_hit += 1;
            }
        } else if let Some(v) = line.strip_prefix("LH:") {
            lh = Some(num(v)?);
        } else if let Some(v) = line.strip_prefix("LF:") {
            lf = Some(num(v)?);
        } else if line == "end_of_record" {
            records += 1;
            total.covered += lh.unwrap_or(da_hit);
            total.valid += lf.unwrap_or(da_all);
            (da_hit, da_all, lh, lf) = (0, 0, None, None);
        } else if !line.is_empty()
            && !line
                .split(':')
                .next()
                .is_some_and(|k| k.chars().all(|c| c.is_ascii_uppercase()))
        {
            return Err(ParseError::new(
                file,
                i + 1,
                1,
                format!("`{line}` is not an lcov line"),
            ));
        }
    }
    if records == 0 {
        return Err(ParseError::new(
            file,
            0,
            0,
            "no `end_of_record`: not an lcov tracefile",
        ));
    }
    Ok(total)
}

/// Parses a Cobertura XML report: `lines-covered`/`lines-valid` of `<coverage>`, or its
/// `line-rate` when the counts are absent.
#[cfg(feature = "digest")]
pub fn cobertura(file: &str, text: &str) -> Result<LineCoverage, ParseError> {
    let mut reader = Reader::from_str(text);
    loop {
        let pos = reader.buffer_position() as usize;
        match reader
            .read_event()
            .map_err(|e| ParseError::at_offset(file, text, pos, e.to_string()))?
        {
            Event::Start(e) | Event::Empty(e) => {
                if e.local_name().as_ref() != b"coverage" {
                    return Err(ParseError::at_offset(
                        file,
                        text,
                        pos,
                        "the root element is not <coverage>",
                    ));
                }
                let attr = |key: &[u8]| {
                    e.try_get_attribute(key)
                        .ok()
                        .flatten()
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                };
                let bad = |k: &str| {
                    ParseError::at_offset(file, text, pos, format!("<coverage> has no valid `{k}`"))
                };
                if let (Some(c), Some(v)) = (attr(b"lines-covered"), attr(b"lines-valid")) {
                    return Ok(LineCoverage {
                        covered: c.parse().map_err(|_| bad("lines-covered"))?,
                        valid: v.parse().map_err(|_| bad("lines-valid"))?,
                    });
                }
                let rate: f64 = attr(b"line-rate")
                    .and_then(|r| r.parse().ok())
                    .ok_or_else(|| bad("line-rate"))?;
                if !(0.0..=1.0).contains(&rate) {
                    return Err(bad("line-rate"));
                }
                return Ok(LineCoverage {
                    covered: (rate * 1_000_000.0).round() as u64,
                    valid: 1_000_000,
                });
            }
            Event::Eof => return Err(ParseError::new(file, 0, 0, "no <coverage> element")),
            _ => {}
        }
    }
}

/// Parses either format, chosen by content.
#[cfg(feature = "digest")]
pub fn any(file: &str, text: &str) -> Result<LineCoverage, ParseError> {
    if text.trim_start().starts_with('<') {
        cobertura(file, text)
    } else {
        lcov(file, text)
    }
}
