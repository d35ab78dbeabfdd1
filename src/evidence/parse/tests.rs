//! Test reports: JUnit XML (cargo-nextest, surefire, pytest…) and libtest / nextest JSON lines.

#[cfg(feature = "digest")]
use super::ParseError;
#[cfg(feature = "digest")]
use quick_xml::events::Event;
#[cfg(feature = "digest")]
use quick_xml::Reader;

/// Counts of a test report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TestCounts {
    /// Test cases that ran or were skipped.
    pub tests: usize,
    /// Failed assertions.
    pub failures: usize,
    /// Errors (crashes, panics outside assertions).
    pub errors: usize,
    /// Skipped or ignored.
    pub skipped: usize,
    /// Names of failed or errored cases (first 20).
    pub failed_names: Vec<String>,
}

impl TestCounts {
    /// Tests that ran.
    pub fn ran(&self) -> usize {
        self.tests.saturating_sub(self.skipped)
    }
}

/// Parses a JUnit XML report, counting `<testcase>` elements and their `<failure>`, `<error>`
/// and `<skipped>` children.
#[cfg(feature = "digest")]
pub fn junit(file: &str, text: &str) -> Result<TestCounts, ParseError> {
    let mut reader = Reader::from_str(text);
    let mut counts = TestCounts::default();
    let mut case: Option<String> = None;
    let mut depth = 0usize;
    let mut saw_root = false;
    loop {
        let pos = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| ParseError::at_offset(file, text, pos, e.to_string()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.local_name();
                let name = name.as_ref();
                if depth == 0 {
                    if name != b"testsuites" && name != b"testsuite" {
                        return Err(ParseError::at_offset(
                            file,
                            text,
                            pos,
                            "the root element is not <testsuites> or <testsuite>",
                        ));
                    }
                    saw_root = true;
                }
                match name {
                    b"testcase" => {
                        counts.tests += 1;
                        let attr = |key: &[u8]| {
                            e.try_get_attribute(key)
                                .ok()
                                .flatten()
                                .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                        };
                        let name = attr(b"name").unwrap_or_default();
                        let full = match attr(b"classname") {
                            Some(c) if !c.is_empty() => format!("{c}::{name}"),
                            _ => name,
                        };
                        if !empty {
                            case = Some(full);
                        }
                    }
                    b"failure" | b"error" | b"skipped" if case.is_some() => {
                        match name {
                            b"failure" => counts.failures += 1,
                            b"error" => counts.errors += 1,
                            _ => counts.skipped += 1,
                        }
                        if name != b"skipped" && counts.failed_names.len() < 20 {
                            counts.failed_names.extend(case.clone());
                        }
                    }
                    _ => {}
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::End(e) => {
                if e.local_name().as_ref() == b"testcase" {
                    case = None;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(ParseError::new(
            file,
            1,
            1,
            "no <testsuites> or <testsuite> element",
        ));
    }
    Ok(counts)
}

/// Parses libtest JSON (`cargo test -- -Z unstable-options --format json`) or nextest's
/// libtest-json output: one JSON object per line, `"type": "test"` events counted.
#[cfg(feature = "digest")]
pub fn libtest_json(file: &str, text: &str) -> Result<TestCounts, ParseError> {
    let mut counts = TestCounts::default();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || !line.starts_with('{') {
            // cargo interleaves human lines ("running 3 tests") on some setups.
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| ParseError::new(file, i + 1, e.column(), e.to_string()))?;
        if v["type"] != "test" {
            continue;
        }
        let name = v["name"].as_str().unwrap_or_default().to_owned();
        match v["event"].as_str() {
            Some("ok") => counts.tests += 1,
            Some("failed") | Some("timeout") => {
                counts.tests += 1;
                counts.failures += 1;
                if counts.failed_names.len() < 20 {
                    counts.failed_names.push(name);
                }
            }
            Some("ignored") => {
                counts.tests += 1;
                counts.skipped += 1;
            }
            _ => {}
        }
    }
    Ok(counts)
}

/// Parses either format, chosen by content (XML starts with `<`).
#[cfg(feature = "digest")]
pub fn any(file: &str, text: &str) -> Result<TestCounts, ParseError> {
    if text.trim_start().starts_with('<') {
        junit(file, text)
    } else {
        libtest_json(file, text)
    }
}
