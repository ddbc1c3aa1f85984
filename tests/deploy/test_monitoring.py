"""The alert rules and the Grafana dashboard in deploy/k8s/monitoring — checked offline.

- The PrometheusRule's `spec` (the plain rule groups a Prometheus without the operator loads) passes
  ``promtool check rules`` and the unit tests in ``porchlight-rules.test.yaml`` pass under
  ``promtool test rules``; every alert has a case there. The first dead letter fires (issue 16: the
  counter's series appears at 1, which ``increase()`` alone never sees), and the same unit tests
  fail on that old expression.
- Every series an alert or a dashboard query names is one the code exports (prometheus_client's
  registry after importing the modules that define Porchlight's metrics), so a renamed metric
  cannot silently leave an alert that never fires or an empty panel.

promtool is Debian's, unpacked into .venv/bin by ``make install`` (the Makefile's ``promtool``
target). A missing promtool is a failure, not a skip: an alert test that silently does not run is
worse than none.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import prometheus_client
import promql_parser
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "deploy" / "k8s" / "monitoring"
RULES = MONITORING / "porchlight-rules.yaml"
DASHBOARD = MONITORING / "porchlight-dashboard.json"
RULE_TESTS = Path(__file__).with_name("porchlight-rules.test.yaml")

#: The dead-letter alert as docs/operations.md had it before issue 16.
OLD_DEAD_LETTER_EXPR = "increase(porchlight_events_dead_lettered_total[15m]) > 0"

#: Grafana's variables, replaced by what they stand for when the query is sent.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "6h", "$service": ".*"}


def find_promtool() -> Path:
    """``.venv/bin/promtool`` (``make install``), or ``PORCHLIGHT_PROMTOOL``; never a skip."""
    if override := os.environ.get("PORCHLIGHT_PROMTOOL"):
        if Path(override).is_file() and os.access(override, os.X_OK):
            return Path(override)
        pytest.fail(f"PORCHLIGHT_PROMTOOL={override} is not an executable file")
    for directory in (Path(sysconfig.get_path("scripts")), Path(sys.executable).parent):
        candidate = directory / "promtool"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail("promtool not found in .venv/bin: run `make install` (it unpacks Debian's prometheus package)")


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(find_promtool()), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def load_rule_object() -> dict[str, Any]:
    obj = yaml.safe_load(RULES.read_text())
    assert isinstance(obj, dict)
    return obj


def rule_groups(*, annotations: bool = True) -> dict[str, Any]:
    """The plain rule-group file: the PrometheusRule's ``spec``, with or without the annotations."""
    spec = copy.deepcopy(load_rule_object()["spec"])
    if not annotations:
        for group in spec["groups"]:
            for rule in group["rules"]:
                rule.pop("annotations", None)
    return dict(spec)


def alerts() -> dict[str, dict[str, Any]]:
    return {r["alert"]: r for g in rule_groups()["groups"] for r in g["rules"] if "alert" in r}


def run_rule_tests(groups: dict[str, Any], workdir: Path) -> subprocess.CompletedProcess[str]:
    """``promtool test rules`` on the test file with ``groups`` as the rule file it names."""
    (workdir / "porchlight.rules.yml").write_text(yaml.safe_dump(groups, sort_keys=False))
    shutil.copy(RULE_TESTS, workdir / RULE_TESTS.name)
    return promtool("test", "rules", RULE_TESTS.name, cwd=workdir)


# ------------------------------------------------------------------ what the code exports


def exported_series() -> set[str]:
    """Every series name the code's metrics expose (``_total``, ``_bucket``, ... included)."""
    # The modules that define Porchlight's metrics; importing them registers the metrics.
    import porchlight.events.metrics
    import porchlight.kit.groupcommit
    import porchlight.kit.httpmetrics
    import porchlight.kit.shedding
    import porchlight.synthesis.analysis.service  # noqa: F401

    suffixes = {
        "counter": ("_total", "_created"),
        "gauge": ("",),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "summary": ("", "_sum", "_count", "_created"),
        "info": ("_info",),
    }
    names: set[str] = set()
    for family in prometheus_client.REGISTRY.collect():
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
    return names


def series_in(expr: str) -> set[str]:
    """The metric names an expression selects, by PromQL's own grammar (promql-parser)."""
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            assert node.name, f"a selector without a metric name in {expr!r}"
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def dashboard_queries() -> Iterator[tuple[str, str]]:
    """(panel title, PromQL) for every query of the dashboard, variables' queries included."""
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            # label_values(SELECTOR, LABEL) is Grafana's, not PromQL: its selector is.
            found = re.fullmatch(r"label_values\((.+),\s*\w+\)", variable["definition"])
            assert found, variable["definition"]
            yield f"variable {variable['name']}", found.group(1)


# ------------------------------------------------------------------ the rules


def test_the_rule_object_is_a_prometheus_rule() -> None:
    obj = load_rule_object()
    assert obj["apiVersion"] == "monitoring.coreos.com/v1"
    assert obj["kind"] == "PrometheusRule"
    assert obj["metadata"]["name"] == "porchlight"
    assert set(obj["spec"]) == {"groups"}
    for group in obj["spec"]["groups"]:
        assert group["name"].startswith("porchlight.")
        for rule in group["rules"]:
            assert rule["alert"].startswith("Porchlight"), rule
            assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
            assert {"summary", "description", "runbook"} <= set(rule["annotations"]), rule["alert"]


def test_the_rules_pass_promtool_check(tmp_path: Path) -> None:
    (tmp_path / "porchlight.rules.yml").write_text(yaml.safe_dump(rule_groups(), sort_keys=False))
    proc = promtool("check", "rules", "porchlight.rules.yml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"SUCCESS: {len(alerts())} rules found" in proc.stdout


def test_the_rules_unit_tests_pass(tmp_path: Path) -> None:
    proc = run_rule_tests(rule_groups(annotations=False), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_every_alert_has_a_case_that_fires_and_one_that_does_not() -> None:
    fires: set[str] = set()
    silent: set[str] = set()
    for case in yaml.safe_load(RULE_TESTS.read_text())["tests"]:
        for check in case["alert_rule_test"]:
            (fires if check["exp_alerts"] else silent).add(check["alertname"])
    assert fires == set(alerts()), "alerts without a unit test that makes them fire"
    assert silent == set(alerts()), "alerts without a unit test where they must stay quiet"


def test_the_first_dead_letter_fires_and_the_old_expression_missed_it(tmp_path: Path) -> None:
    """The issue-16 finding, both ways: the unit tests fail on the old expression, naming the case."""
    groups = rule_groups(annotations=False)
    (rule,) = [r for g in groups["groups"] for r in g["rules"] if r.get("alert") == "PorchlightEventDeadLettered"]
    assert rule["expr"] != OLD_DEAD_LETTER_EXPR
    rule["expr"] = OLD_DEAD_LETTER_EXPR
    proc = run_rule_tests(groups, tmp_path)
    assert proc.returncode != 0, "the unit tests pass on the expression that misses the first dead letter"
    report = proc.stdout + proc.stderr
    failed = re.findall(r"name: (.+),\n\s+alertname: (\w+), time: (\w+)", report)
    first = ("the first dead letter fires, at once, and clears after the window", "PorchlightEventDeadLettered", "6m")
    assert first in failed, report
    assert {alert for _, alert, _ in failed} == {"PorchlightEventDeadLettered"}, report


def test_every_series_an_alert_names_is_exported_by_the_code() -> None:
    exported = exported_series()
    assert "porchlight_events_dead_lettered_total" in exported  # the registry lookup itself works
    for name, rule in alerts().items():
        named = series_in(rule["expr"])
        assert named, f"{name} selects no series"
        assert named <= exported, f"{name} names series no code exports: {sorted(named - exported)}"


def test_the_metric_name_check_catches_a_misspelled_series() -> None:
    assert series_in("max by (service) (porchlight_outbox_backlogg) > 1") == {"porchlight_outbox_backlogg"}
    assert "porchlight_outbox_backlogg" not in exported_series()
    assert "porchlight_outbox_backlog" in exported_series()


# ------------------------------------------------------------------ the dashboard


def test_every_dashboard_query_names_exported_series() -> None:
    exported = exported_series()
    queries = list(dashboard_queries())
    assert len(queries) >= 15
    for title, expr in queries:
        named = series_in(expr)
        assert named, f"{title}: selects no series"
        assert named <= exported, f"{title}: names series no code exports: {sorted(named - exported)}"


def test_the_dashboard_covers_the_platform_key_series() -> None:
    named = set().union(*(series_in(expr) for _, expr in dashboard_queries()))
    assert {
        "porchlight_events_consumed_total",
        "porchlight_events_dead_lettered_total",
        "porchlight_events_failed_total",
        "porchlight_consumer_lag",
        "porchlight_event_apply_latency_seconds_bucket",
        "porchlight_outbox_backlog",
        "porchlight_outbox_oldest_age_seconds",
        "porchlight_outbox_errors_total",
        "porchlight_http_requests_total",
        "porchlight_http_request_duration_seconds_bucket",
        "porchlight_http_shed_total",
        "porchlight_model_batch_seconds_bucket",  # the model's latency (issue 16)
        "porchlight_model_notes_total",
    } <= named


def test_every_dashboard_query_passes_promtool(tmp_path: Path) -> None:
    """Prometheus' own parser, through a recording rule per query (the rule checker parses each)."""
    rules = []
    for i, (_, expr) in enumerate(dashboard_queries()):
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        rules.append({"record": f"porchlight:dashboard_query_{i}", "expr": expr})
    (tmp_path / "dashboard.rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    proc = promtool("check", "rules", "dashboard.rules.yml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"SUCCESS: {len(rules)} rules found" in proc.stdout


def test_the_dashboard_is_grafana_json_with_unique_panels() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "porchlight-platform"
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
            refs = [t["refId"] for t in panel["targets"]]
            assert len(refs) == len(set(refs)), panel["title"]
