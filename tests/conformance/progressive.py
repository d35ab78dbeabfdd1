"""The progressive-delivery files evaluated against the running example, as their controllers
do: Argo Rollouts' AnalysisTemplate (deploy/argo), each web metric's jsonPath applied to the
body its URL answers and its successCondition to the result; Flagger's Canary
(deploy/flagger), each webhook POSTed Flagger's payload and passing on 2xx.
Usage: progressive.py BASE_URL pass|rollback"""
import json
import re
import sys
import types
import urllib.request

import yaml

base, state = sys.argv[1], sys.argv[2]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def json_path(doc, path):
    """Kubernetes JSONPath of the form `{$.a.b}` (what the template uses)."""
    m = re.fullmatch(r"\{\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\}", path)
    assert m, f"jsonPath {path!r} is not of the form {{$.a.b}}"
    for key in m.group(1).strip(".").split("."):
        doc = doc[key]
    return doc


def ns(value):
    if isinstance(value, dict):
        return types.SimpleNamespace(**{k: ns(v) for k, v in value.items()})
    if isinstance(value, list):
        return [ns(v) for v in value]
    return value


def condition(expr, result):
    """The expr-lang subset the template uses: `result`, fields, ==, !=, true, false, and, or."""
    tokens = re.findall(r"result(?:\.[A-Za-z_][A-Za-z0-9_]*)*|==|!=|&&|\|\||\btrue\b|\bfalse\b|\band\b|\bor\b|\bnot\b|\d+(?:\.\d+)?|\S", expr)
    py = []
    for t in tokens:
        if t.startswith("result") or t in ("==", "!=", "and", "or", "not") or re.fullmatch(r"\d+(?:\.\d+)?", t):
            py.append(t)
        elif t in ("true", "false"):
            py.append(t.capitalize())
        elif t in ("&&", "||"):
            py.append({"&&": "and", "||": "or"}[t])
        else:
            raise ValueError(f"successCondition {expr!r}: {t!r} is outside the evaluated subset")
    return bool(eval(" ".join(py), {"__builtins__": {}}, {"result": ns(result)}))


template = yaml.safe_load(open("deploy/argo/analysis-template.yaml"))
assert template["kind"] == "AnalysisTemplate"
readyz = urllib.request.Request(f"{base}/readyz")
try:
    ready_now = urllib.request.urlopen(readyz, timeout=5).status == 200
except urllib.error.HTTPError:
    ready_now = False
verdict = {}
for metric in template["spec"]["metrics"]:
    web = metric["provider"]["web"]
    url = web["url"].replace("http://{{args.service}}", base)
    status, body = fetch(url)
    if not 200 <= status < 300:
        # Argo: a non-2xx answer is an error of the measurement; its body is never read.
        sys.exit(f"argo: FAIL: {metric['name']}: {url} answered {status}: a measurement error, not a verdict")
    result = json_path(body, web["jsonPath"])
    verdict[metric["name"]] = condition(metric["successCondition"], result)
    print(f"argo: {metric['name']}: {'successful' if verdict[metric['name']] else 'failed'} (result {json.dumps(result)[:80]})")

want = {"prodready-rollback": state == "pass", "prodready-ready": ready_now}
if state == "pass":
    assert ready_now, "the passing state should be ready"
if verdict != want:
    sys.exit(f"argo: FAIL: {verdict}, expected {want}")
print(f"argo: the analysis {'passes' if all(verdict.values()) else 'fails'} in the {state} state, as it should")

canary = next(d for d in yaml.safe_load_all(open("deploy/flagger/canary.yaml")) if d["kind"] == "Canary")
hooks = {}
for hook in canary["spec"]["analysis"]["webhooks"]:
    url = re.sub(r"^http://[^/]+", base, hook["url"])
    payload = json.dumps({"name": canary["metadata"]["name"], "namespace": canary["metadata"]["namespace"],
                          "phase": "Progressing", "checksum": "0", "metadata": hook.get("metadata", {})}).encode()
    req = urllib.request.Request(url, data=payload, method="POST", headers={"Content-Type": "application/json"})
    try:
        status = urllib.request.urlopen(req, timeout=5).status
    except urllib.error.HTTPError as e:
        status = e.code
    hooks[hook["name"]] = 200 <= status < 300
    print(f"flagger: {hook['name']} ({hook['type']}): {status}, {'passes' if hooks[hook['name']] else 'fails'}")
if set(hooks.values()) != {state == "pass"}:
    sys.exit(f"flagger: FAIL: {hooks} in the {state} state")
print(f"flagger: every webhook {'passes' if state == 'pass' else 'fails'} in the {state} state, as it should")
