"""The documented CronJob is a valid manifest whose command line the report command accepts."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from advisor.commands.report import report

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_cronjob_manifest() -> None:
    doc = yaml.safe_load((DOCS / "cronjob.yaml").read_text(encoding="utf-8"))
    assert doc["apiVersion"] == "batch/v1" and doc["kind"] == "CronJob"
    assert len(doc["spec"]["schedule"].split()) == 5
    pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    script = "\n".join(container["args"])
    assert "advisor report" in script
    known = {opt for p in report.params for opt in p.opts}
    used = set(re.findall(r"(?<!\S)(--[a-z][a-z-]*)", script.split("advisor report", 1)[1]))
    assert used and used <= known, used - known
    env = {e["name"] for e in container["env"]}
    assert {"ADVISOR_STORE", "ADVISOR_SMTP_PASSWORD"} <= env
    mounts = {m["name"] for m in container["volumeMounts"]}
    assert mounts <= {v["name"] for v in pod["volumes"]}


def test_report_doc_names_real_options() -> None:
    text = (DOCS / "report.md").read_text(encoding="utf-8")
    known = {opt for p in report.params for opt in p.opts}
    for line in text.splitlines():
        if line.startswith("advisor report"):
            assert set(re.findall(r"(?<!\S)(--[a-z][a-z-]*)", line)) <= known, line
