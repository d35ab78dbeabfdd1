//! JUnit that the Jenkins xUnit `junit-10.xsd` accepts and whose counts are the report's: a
//! blocking `pending` item is a failing gate under strict mode, never a green `<skipped>`.

use super::*;
use prodready::report::RenderOptions;
use prodready::Format;
use prodready::Status;
use quick_xml::events::Event;
use std::collections::BTreeMap;

/// Every element with its attributes, in document order.
fn elements(xml: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        (
                            String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                            a.unescape_value().unwrap().into_owned(),
                        )
                    })
                    .collect();
                out.push((name, attrs));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The attributes `junit-10.xsd` allows on each element this renderer writes.
fn allowed(element: &str) -> &'static [&'static str] {
    match element {
        "testsuites" => &["name", "time", "tests", "failures", "errors"],
        "testsuite" => &[
            "name",
            "tests",
            "failures",
            "errors",
            "group",
            "time",
            "skipped",
            "timestamp",
            "hostname",
            "id",
            "package",
            "file",
            "log",
            "url",
            "version",
        ],
        "testcase" => &["name", "time", "classname", "group"],
        "failure" | "error" | "skipped" => &["type", "message"],
        "system-out" | "system-err" => &[],
        other => panic!("junit-10.xsd has no element `{other}` here"),
    }
}

fn count(attrs: &BTreeMap<String, String>, key: &str) -> usize {
    attrs[key].parse().unwrap()
}

#[tokio::test]
async fn only_attributes_the_xsd_allows() {
    for strict in [false, true] {
        let xml = Format::Junit.render_with(
            &*report(strict).await,
            &RenderOptions::new().pending_blocks(strict),
        );
        let els = elements(&xml);
        assert_eq!(els[0].0, "testsuites");
        for (name, attrs) in &els {
            for key in attrs.keys() {
                assert!(
                    allowed(name).contains(&key.as_str()),
                    "`{key}` on <{name}>: {xml}"
                );
            }
        }
        // SUREFIRE_TIME: digits, an optional fraction of at most three digits.
        for (_, attrs) in els.iter().filter(|(n, _)| n.starts_with("testsuite")) {
            let t = &attrs["time"];
            let (int, frac) = t.split_once('.').unwrap_or((t, ""));
            assert!(
                int.chars().all(|c| c.is_ascii_digit()) && frac.len() <= 3,
                "{t}"
            );
        }
    }
}

#[tokio::test]
async fn a_strict_gate_failing_on_pending_items_is_not_green() {
    let report = report(true).await;
    assert!(!report.ready);
    let xml = Format::Junit.render_with(&report, &RenderOptions::new().pending_blocks(true));
    let els = elements(&xml);
    let root = &els[0].1;
    // The pending blocking item is an <error>: the gate failed because nothing verified it.
    let case = els
        .iter()
        .position(|(n, a)| n == "testcase" && a["name"] == SIGN_OFF)
        .unwrap();
    assert_eq!(els[case + 1].0, "error", "{xml}");
    assert_eq!(count(root, "errors"), 1);
    assert_eq!(count(root, "failures"), report.summary.fail);
    // Read back by the library's own JUnit consumer: the gate's failures are visible.
    let read = prodready::evidence::parse::tests::junit("report.xml", &xml).unwrap();
    assert_eq!(read.failures + read.errors, report.summary.fail + 1);
}

#[tokio::test]
async fn counts_equal_the_json_summary() {
    for strict in [false, true] {
        let report = report(strict).await;
        let xml = Format::Junit.render_with(&report, &RenderOptions::new().pending_blocks(strict));
        let els = elements(&xml);
        let root = &els[0].1;
        let s = report.summary;
        assert_eq!(count(root, "tests"), s.total);
        assert_eq!(count(root, "failures"), s.fail);
        let blocking_pending = report
            .items
            .iter()
            .filter(|i| i.status == Status::Pending && i.blocks_readiness(strict))
            .count();
        assert_eq!(count(root, "errors"), blocking_pending);
        let suites: Vec<_> = els.iter().filter(|(n, _)| n == "testsuite").collect();
        let sum = |k: &str| suites.iter().map(|(_, a)| count(a, k)).sum::<usize>();
        assert_eq!(sum("tests"), s.total);
        assert_eq!(sum("failures"), s.fail);
        assert_eq!(sum("errors"), blocking_pending);
        assert_eq!(
            sum("skipped"),
            s.pending - blocking_pending + s.skipped + s.not_applicable + s.waived
        );
        let cases = |child: &str| {
            els.windows(2)
                .filter(|w| w[0].0 == "testcase" && w[1].0 == child)
                .count()
        };
        assert_eq!(cases("failure"), s.fail);
        assert_eq!(cases("error"), blocking_pending);
    }
}

#[tokio::test]
async fn render_sees_a_gate_failed_by_pending_items_alone() {
    let checklist = Checklist::new("c")
        .item(Item::new("Ops", None, "Runbook").check(pass()))
        .item(Item::new("Ops", None, "Sign-off"));
    let strict = Readiness::builder()
        .checklist(checklist.clone())
        .host(FakeHost::new())
        .registered_checks(false)
        .pending_blocks(true)
        .build()
        .unwrap()
        .evaluate_fresh()
        .await;
    assert!(!strict.ready);
    let xml = Format::Junit.render(&strict);
    assert!(xml.contains("errors=\"1\""), "{xml}");
    assert!(xml.contains("<error message=\"pending: "), "{xml}");
    let lenient = Readiness::builder()
        .checklist(checklist)
        .host(FakeHost::new())
        .registered_checks(false)
        .build()
        .unwrap()
        .evaluate_fresh()
        .await;
    let xml = Format::Junit.render(&lenient);
    assert!(
        xml.contains("errors=\"0\"") && xml.contains("<skipped message=\"pending: "),
        "{xml}"
    );
}
