#!/usr/bin/env python3
"""The checks of `.ci/consumers` that are not a tool's own command line.

Each subcommand reads files written by `.ci/consumers`, prints one verdict line and exits
non-zero when the output breaks what its consumer requires.

  sarif-schema FILE SCHEMA        the OASIS SARIF 2.1.0 schema, and §3.27.9-10 (kind / level)
  sarif-multitool FILE            the multitool's own SARIF log: no error or warning result
  junit FILE JSON STRICT [EXIT]   junitparser's counts equal the JSON report's summary, every
                                  item failing a gate (STRICT=1: pending ones too) is a failure
                                  or an error; with EXIT (the command's exit code), a failed
                                  gate is not green
  health DIR                      draft-inadarei-api-health-check-06 on every answer in DIR
  markdown IMPORTED JSON          `prodready import --json` gives back every id and title
  openmetrics FILE                the Prometheus client's strict OpenMetrics parser
  prometheus-api URL              a Prometheus server scraping the example: the target is up,
                                  the series are there, with the types of the exposition
  report-schema OPENAPI JSON...   each JSON report against the report schema of the OpenAPI
                                  document (JSON Schema 2020-12, `prodready::http::report_schema`)
"""

import json
import os
import re
import sys


def fail(what, problems):
    print(f"{what}: FAIL ({len(problems)} problems)")
    # The kinds of problem, most frequent first, each with an example.
    kinds = {}
    for p in problems:
        rule = re.match(r"(GH|SARIF)[0-9]+ ", p)
        kind = (rule.group(0) if rule else "") + re.sub(r"[0-9]+", "N", p.rsplit(": ", 1)[-1])
        kinds.setdefault(kind, []).append(p)
    for kind, examples in sorted(kinds.items(), key=lambda k: -len(k[1]))[:12]:
        print(f"  - {len(examples)}x {examples[0][:220]}")
    sys.exit(1)


def ok(what, detail=""):
    print(f"{what}: ok{(' (' + detail + ')') if detail else ''}")


def sarif_schema(path, schema_path):
    import jsonschema

    log = json.load(open(path))
    schema = json.load(open(schema_path))
    validator = jsonschema.Draft4Validator(schema)
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
    results = [r for run in log.get("runs", []) for r in run.get("results", [])]
    for n, r in enumerate(results):
        kind = r.get("kind", "fail")
        level = r.get("level")
        # §3.27.10: if kind is present with a value other than "fail", level SHALL be "none".
        if kind != "fail" and level not in (None, "none"):
            problems.append(f"results[{n}] ({r.get('ruleId')}): kind {kind} with level {level}")
        if kind == "fail" and level == "none":
            problems.append(f"results[{n}] ({r.get('ruleId')}): kind fail with level none")
    if problems:
        fail("SARIF schema and §3.27.9-10", problems)
    ok("SARIF schema and §3.27.9-10", f"{len(results)} results")


def sarif_multitool(path):
    log = json.load(open(path))
    results = [r for run in log.get("runs", []) for r in run.get("results", [])]
    def shown(r):
        m = r.get("message", {})
        text = m.get("text") or " ".join([m.get("id", "")] + m.get("arguments", []))
        return f"{r.get('ruleId')} {r.get('level', 'warning')}: {text[:160]}"

    bad = [shown(r) for r in results if r.get("level", "warning") in ("error", "warning")]
    if bad:
        fail("SARIF multitool (GitHub and SARIF rules)", bad)
    notes = len(results)
    ok("SARIF multitool (GitHub and SARIF rules)", f"{notes} notes")


def blocks(item, strict):
    """Whether the JSON report's item fails its gate."""
    gate = item.get("gate")
    gated = item.get("gates_readiness", gate not in (None, "none"))
    failing = item["status"] == "fail" or (strict and item["status"] == "pending")
    return item["severity"] == "blocking" and gated and failing


def junit(path, json_path, strict, exit_code=None):
    import junitparser

    xml = junitparser.JUnitXml.fromfile(path)
    suites = [xml] if isinstance(xml, junitparser.TestSuite) else list(xml)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    red = set()
    for suite in suites:
        for case in suite:
            counts["tests"] += 1
            kinds = {type(r).__name__ for r in case.result}
            if kinds & {"Failure", "Error"}:
                red.add(case.name)
            if "Failure" in kinds:
                counts["failures"] += 1
            elif "Error" in kinds:
                counts["errors"] += 1
            elif "Skipped" in kinds:
                counts["skipped"] += 1
    report = json.load(open(json_path))
    summary = report["summary"]
    problems = []
    for item in report["items"]:
        if blocks(item, strict == "1") and item["id"] not in red:
            problems.append(f"{item['id']} ({item['status']}) fails the gate but is not a failure or error")
    if counts["tests"] != summary["total"]:
        problems.append(f"{counts['tests']} test cases for {summary['total']} items")
    if counts["failures"] != summary["fail"]:
        problems.append(f"{counts['failures']} failures for {summary['fail']} failing items")
    compliant_or_skipped = summary["pending"] + summary["skipped"] + summary["not_applicable"] + summary["waived"]
    if counts["errors"] + counts["skipped"] != compliant_or_skipped:
        problems.append(f"{counts['errors']} errors + {counts['skipped']} skipped for {compliant_or_skipped} items not run or pending")
    for attr in ("tests", "failures", "errors"):
        value = getattr(xml, attr, None)
        if value is not None and int(value) != counts[attr]:
            problems.append(f"<testsuites {attr}=\"{value}\"> but {counts[attr]} cases")
    if exit_code is not None and int(exit_code) != 0 and counts["failures"] + counts["errors"] == 0:
        problems.append(f"the command exited {exit_code} (gate failed) but the report has no failure or error")
    if problems:
        fail(f"junitparser {os.path.basename(path)}", problems)
    ok(f"junitparser {os.path.basename(path)}", ", ".join(f"{k} {v}" for k, v in counts.items()))


def health_answer(name, code, body, problems):
    status = body.get("status")
    if status not in ("pass", "warn", "fail"):
        problems.append(f"{name}: status {status!r}")
        return
    # §3.1: pass and warn MUST answer 2xx-3xx, fail MUST answer 4xx-5xx.
    if status in ("pass", "warn") and not 200 <= code < 400:
        problems.append(f"{name}: HTTP {code} with status {status}")
    if status == "fail" and not 400 <= code < 600:
        problems.append(f"{name}: HTTP {code} with status fail")
    if status == "pass" and "output" in body:
        problems.append(f"{name}: output on pass")
    links = body.get("links")
    if not isinstance(links, dict) or not links:
        problems.append(f"{name}: no links")
    for key, entries in body.get("checks", {}).items():
        parts = key.split(":")
        if len(parts) > 2 or any(not p for p in parts):
            problems.append(f"{name}: check key {key!r}")
        for e in entries:
            if e.get("status") not in ("pass", "warn", "fail"):
                problems.append(f"{name}: {key}: status {e.get('status')!r}")
            if e.get("componentType") not in ("component", "datastore", "system"):
                problems.append(f"{name}: {key}: componentType {e.get('componentType')!r}")
            if e.get("status") == "pass" and "output" in e:
                problems.append(f"{name}: {key}: output on pass")
            if "observedValue" in e:
                if isinstance(e["observedValue"], (dict, list)):
                    problems.append(f"{name}: {key}: observedValue is not one measurement")
                if "observedUnit" not in e:
                    problems.append(f"{name}: {key}: observedValue without observedUnit")
            for rel, uri in (e.get("links") or {}).items():
                if not isinstance(uri, str) or " " in uri:
                    problems.append(f"{name}: {key}: link {rel} is not a URI")


def health(directory):
    problems = []
    answers = 0
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith(".json"):
            continue
        path = os.path.join(directory, entry)
        code = int(open(path + ".code").read().strip())
        try:
            body = json.load(open(path))
        except ValueError:
            problems.append(f"{entry}: HTTP {code}, not JSON")
            continue
        answers += 1
        health_answer(entry, code, body, problems)
    if answers == 0:
        problems.append("no answers")
    if problems:
        fail("health+json (draft-inadarei-api-health-check-06)", problems)
    ok("health+json (draft-inadarei-api-health-check-06)", f"{answers} answers")


def markdown(imported_path, json_path):
    try:
        imported = json.load(open(imported_path))
    except ValueError:
        fail("Markdown round trip (prodready import)", ["the import printed no JSON"])
    report = json.load(open(json_path))
    want = [(i["id"], i["title"]) for i in report["items"]]
    got = [(i["id"], i["title"]) for i in imported]
    same = len(set(want) & set(got))
    if got != want:
        missing = [w for w in want if w not in got]
        fail(
            "Markdown round trip (prodready import)",
            [f"{same} of {len(want)} ids and titles reproduced"] + [f"missing {m}" for m in missing],
        )
    ok("Markdown round trip (prodready import)", f"{same} of {len(want)} ids and titles")


def openmetrics(path):
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    try:
        families = list(text_string_to_metric_families(open(path).read()))
    except ValueError as e:
        fail("OpenMetrics parser (prometheus_client)", [str(e)])
    ok("OpenMetrics parser (prometheus_client)", f"{len(families)} families")


def report_schema(openapi_path, *reports):
    import jsonschema

    doc = json.load(open(openapi_path))
    defs = json.loads(json.dumps(doc["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/"))
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "#/$defs/Report", "$defs": defs}
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    problems = []
    for path in reports:
        for e in validator.iter_errors(json.load(open(path))):
            problems.append(f"{os.path.basename(path)}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
    if problems:
        fail("JSON report against the OpenAPI report schema", problems)
    ok("JSON report against the OpenAPI report schema", f"{len(reports)} reports")


def prometheus_api(url):
    import time
    import urllib.parse
    import urllib.request

    def api(path, **params):
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{url}/api/v1/{path}?{query}", timeout=5) as r:
            return json.load(r)["data"]

    problems = []
    deadline = time.time() + 60
    target = None
    while time.time() < deadline:
        try:
            targets = api("targets")["activeTargets"]
            target = next((t for t in targets if t["labels"].get("job") == "example"), None)
            if target and target["health"] == "up" and api("query", query='prodready_ready{job="example"}')["result"]:
                break
        except OSError:
            pass
        time.sleep(1)
    if not target or target["health"] != "up":
        fail("Prometheus server", [f"the example's target is not up: {target and target.get('lastError')}"])
    count = api("query", query='prodready_request_duration_seconds_count{job="example"}')["result"]
    if not count or float(count[0]["value"][1]) < 1:
        problems.append(f"prodready_request_duration_seconds_count after traffic: {count}")
    items = api("query", query='count(prodready_item_status{job="example"} == 1)')["result"]
    if not items or int(float(items[0]["value"][1])) < 100:
        problems.append(f"prodready_item_status: {items}")
    time.sleep(2)  # metadata is collected with the scrapes
    metadata = api("metadata")
    want = {
        "prodready_request_latency_seconds": "summary",
        "prodready_request_duration_seconds": "histogram",
        "prodready_item_status": "gauge",
    }
    for name, kind in want.items():
        got = [m["type"] for m in metadata.get(name, [])]
        if got != [kind]:
            problems.append(f"{name}: type {got}, expected {kind}")
    if problems:
        fail("Prometheus server (scrape, HTTP API)", problems)
    ok("Prometheus server (scrape, HTTP API)", f"target up, {int(float(count[0]['value'][1]))} requests in the histogram")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {
        "sarif-schema": sarif_schema,
        "sarif-multitool": sarif_multitool,
        "junit": junit,
        "health": health,
        "markdown": markdown,
        "openmetrics": openmetrics,
        "report-schema": report_schema,
        "prometheus-api": prometheus_api,
    }[cmd](*args)


if __name__ == "__main__":
    main()
