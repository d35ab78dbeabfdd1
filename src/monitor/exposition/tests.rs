use super::*;

fn prom(text: &str) -> Judgement {
    judge(text, Syntax::Prometheus)
}

fn has(j: &Judgement, severity: Severity, needle: &str) -> bool {
    j.problems
        .iter()
        .any(|p| p.severity == severity && p.to_string().contains(needle))
}

#[track_caller]
fn error(text: &str, needle: &str) {
    let j = prom(text);
    assert!(
        has(&j, Severity::Error, needle),
        "{needle:?} not in {:#?}",
        j.problems
    );
}

#[track_caller]
fn lint(text: &str, needle: &str) {
    let j = prom(text);
    assert_eq!(j.errors().count(), 0, "{:#?}", j.problems);
    assert!(
        has(&j, Severity::Lint, needle),
        "{needle:?} not in {:#?}",
        j.problems
    );
}

#[test]
fn a_well_formed_exposition_is_clean() {
    let text = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\",code=\"200\"} 1027 1395066363000\nhttp_requests_total{method=\"POST\",code=\"200\"} 3\n# HELP rpc_duration_seconds RPC latency.\n# TYPE rpc_duration_seconds summary\nrpc_duration_seconds{quantile=\"0.5\"} 0.1\nrpc_duration_seconds{quantile=\"0.99\"} 0.3\nrpc_duration_seconds_sum 17\nrpc_duration_seconds_count 100\n# HELP req_duration_seconds Request latency.\n# TYPE req_duration_seconds histogram\nreq_duration_seconds_bucket{le=\"0.1\"} 3\nreq_duration_seconds_bucket{le=\"1\"} 5\nreq_duration_seconds_bucket{le=\"+Inf\"} 6\nreq_duration_seconds_sum 2.5\nreq_duration_seconds_count 6\n# HELP up Whether up.\n# TYPE up gauge\nup{job=\"a\\\"b\\\\c\\n\"} 1\n";
    let j = prom(text);
    assert!(j.is_clean(), "{:#?}", j.problems);
    assert_eq!((j.families, j.samples), (4, 12));
}

#[test]
fn names_labels_values_and_timestamps_are_checked() {
    error("9lives 1\n", "not a valid metric name");
    error(
        "# HELP a x\n# TYPE a gauge\na{1x=\"v\"} 1\n",
        "not a valid label name",
    );
    error(
        "# HELP a x\n# TYPE a gauge\na{__meta=\"v\"} 1\n",
        "reserved",
    );
    error(
        "# HELP a x\n# TYPE a gauge\na{b=\"1\",b=\"2\"} 1\n",
        "appears twice in one sample",
    );
    error(
        "# HELP a x\n# TYPE a gauge\na{b=\"\\q\"} 1\n",
        "invalid escape",
    );
    error("# HELP a x\n# TYPE a gauge\na{b=v} 1\n", "not quoted");
    error("# HELP a x\n# TYPE a gauge\na{b=\"v\" 1\n", "not closed");
    error(
        "# HELP a x\n# TYPE a gauge\na one\n",
        "`one` is not a sample value",
    );
    error("# HELP a x\n# TYPE a gauge\na 1 1.5\n", "not a timestamp");
    error("# HELP a x\n# TYPE a gauge\na 1 2 3\n", "unexpected `3`");
    error("<html>\n", "not a valid metric name");
}

#[test]
fn metadata_comes_once_per_family_and_before_its_samples() {
    error("# HELP a x\n# HELP a y\na 1\n", "a second HELP line");
    error(
        "# TYPE a gauge\n# TYPE a counter\na 1\n",
        "a second TYPE line",
    );
    error(
        "# HELP a x\na 1\n# TYPE a gauge\n",
        "`# TYPE` after the family's samples",
    );
    error(
        "# TYPE a gauge\n# HELP a x\na 1\n# TYPE b gauge\n# HELP b y\nb 1\na{x=\"1\"} 2\n",
        "not together",
    );
    error("# TYPE a wobble\na 1\n", "not a metric type");
    error(
        "# HELP a x\n# TYPE a gauge\na 1\na 2\n",
        "the series `a` appears twice",
    );
    error(
        "# HELP a x\n# TYPE a gauge\na{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\n",
        "appears twice",
    );
}

#[test]
fn histograms_need_le_inf_cumulative_buckets_sum_and_count() {
    let head = "# HELP h_seconds x\n# TYPE h_seconds histogram\n";
    error(&format!("{head}h_seconds_bucket 1\nh_seconds_bucket{{le=\"+Inf\"}} 1\nh_seconds_sum 1\nh_seconds_count 1\n"), "without an `le` label");
    error(
        &format!("{head}h_seconds_bucket{{le=\"1\"}} 1\nh_seconds_sum 1\nh_seconds_count 1\n"),
        "no `le=\"+Inf\"` bucket",
    );
    error(&format!("{head}h_seconds_bucket{{le=\"1\"}} 5\nh_seconds_bucket{{le=\"+Inf\"}} 3\nh_seconds_sum 1\nh_seconds_count 3\n"), "not cumulative");
    error(
        &format!("{head}h_seconds_bucket{{le=\"+Inf\"}} 3\nh_seconds_count 3\n"),
        "no `h_seconds_sum`",
    );
    error(
        &format!("{head}h_seconds_bucket{{le=\"+Inf\"}} 3\nh_seconds_sum 3\n"),
        "no `h_seconds_count`",
    );
    error(
        &format!("{head}h_seconds_bucket{{le=\"+Inf\"}} 3\nh_seconds_sum 3\nh_seconds_count 4\n"),
        "`h_seconds_count` is 4, the `+Inf` bucket 3",
    );
    error(
        &format!("{head}h_seconds_bucket{{le=\"x\"}} 3\n"),
        "`le=\"x\"` is not a number",
    );
    // One series per label set, judged apart.
    let two = format!("{head}h_seconds_bucket{{path=\"/a\",le=\"+Inf\"}} 1\nh_seconds_sum{{path=\"/a\"}} 1\nh_seconds_count{{path=\"/a\"}} 1\nh_seconds_bucket{{path=\"/b\",le=\"1\"}} 1\nh_seconds_sum{{path=\"/b\"}} 1\nh_seconds_count{{path=\"/b\"}} 1\n");
    error(&two, "histogram series {path=\"/b\"} has no `le=\"+Inf\"`");
    assert!(!prom(&two).to_string_list().iter().any(|p| p.contains("/a")));
}

#[test]
fn summaries_counters_and_openmetrics_rules() {
    error(
        "# HELP s x\n# TYPE s summary\ns 1\n",
        "without a `quantile` label",
    );
    error(
        "# HELP s x\n# TYPE s summary\ns{quantile=\"2\"} 1\n",
        "between 0 and 1",
    );
    error(
        "# HELP c_total x\n# TYPE c_total counter\nc_total -1\n",
        "never negative",
    );
    let om = |t: &str| judge(t, Syntax::OpenMetrics);
    let ok = "# HELP c x\n# TYPE c counter\nc_total 1\n# EOF\n";
    assert!(om(ok).is_clean(), "{:#?}", om(ok).problems);
    assert!(has(
        &om("# HELP c x\n# TYPE c counter\nc 1\n# EOF\n"),
        Severity::Error,
        "must be named `c_total`"
    ));
    assert!(has(
        &om("# HELP g x\n# TYPE g gauge\ng 1\n"),
        Severity::Error,
        "no `# EOF`"
    ));
    assert!(has(
        &om("# HELP g x\n# TYPE g gauge\ng 1\n# EOF\ng 2\n"),
        Severity::Error,
        "after `# EOF`"
    ));
    assert!(has(
        &om("# random\n# EOF\n"),
        Severity::Error,
        "a comment that is not"
    ));
    assert!(has(
        &om("# TYPE g_seconds gauge\n# UNIT g_seconds bytes\ng_seconds 1\n# EOF\n"),
        Severity::Error,
        "must end in `_bytes`"
    ));
    // A plain comment is fine in the Prometheus text format.
    assert!(prom("# a comment\n# HELP g x\n# TYPE g gauge\ng 1\n").is_clean());
}

#[test]
fn the_linter_rules_of_promtool() {
    lint("# TYPE a gauge\na 1\n", "no help text");
    lint(
        "# HELP a x\n# TYPE a counter\na 1\n",
        "counter metrics should have \"_total\" suffix",
    );
    lint(
        "# HELP a_total x\n# TYPE a_total gauge\na_total 1\n",
        "non-counter metrics should not have \"_total\"",
    );
    lint(
        "# HELP a_bucket x\n# TYPE a_bucket gauge\na_bucket 1\n",
        "should not have \"_bucket\" suffix",
    );
    lint(
        "# HELP a_count x\n# TYPE a_count gauge\na_count 1\n",
        "should not have \"_count\" suffix",
    );
    lint(
        "# HELP a_sum x\n# TYPE a_sum gauge\na_sum 1\n",
        "should not have \"_sum\" suffix",
    );
    lint(
        "# HELP a x\n# TYPE a gauge\na{le=\"1\"} 1\n",
        "should not have \"le\" label",
    );
    lint(
        "# HELP a x\n# TYPE a gauge\na{quantile=\"0.5\"} 1\n",
        "should not have \"quantile\" label",
    );
    lint(
        "# HELP a_gauge x\n# TYPE a_gauge gauge\na_gauge 1\n",
        "should not include type 'gauge'",
    );
    lint(
        "# HELP a:b x\n# TYPE a:b gauge\na:b 1\n",
        "should not contain ':'",
    );
    lint(
        "# HELP aB x\n# TYPE aB gauge\naB 1\n",
        "'snake_case' not 'camelCase'",
    );
    lint(
        "# HELP a x\n# TYPE a gauge\na{fooBar=\"1\"} 1\n",
        "label names should be written",
    );
    lint(
        "# HELP a_milliseconds x\n# TYPE a_milliseconds gauge\na_milliseconds 1\n",
        "use base unit \"seconds\" instead of \"milliseconds\"",
    );
    lint(
        "# HELP a_hours x\n# TYPE a_hours gauge\na_hours 1\n",
        "instead of \"hours\"",
    );
    lint(
        "# HELP a_ms x\n# TYPE a_ms gauge\na_ms 1\n",
        "abbreviated units",
    );
    // Untyped metrics are spared the type rules, as promtool spares them.
    let j = prom("# HELP a_count x\na_count{quantile=\"1\"} 1\n");
    assert!(j.is_clean(), "{:#?}", j.problems);
}

#[test]
fn the_syntax_follows_the_content_type() {
    assert_eq!(
        Syntax::from_content_type(Some(
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        )),
        Syntax::OpenMetrics
    );
    assert_eq!(
        Syntax::from_content_type(Some("text/plain; version=0.0.4")),
        Syntax::Prometheus
    );
    assert_eq!(Syntax::from_content_type(None), Syntax::Prometheus);
}

impl Judgement {
    fn to_string_list(&self) -> Vec<String> {
        self.problems.iter().map(Problem::to_string).collect()
    }
}
