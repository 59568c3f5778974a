"""Run a CI definition's shell steps as the CI service would: GitHub Actions composite steps
(expressions in env/if, outputs through $GITHUB_OUTPUT, `bash -eo pipefail`) and GitLab CI
script lines (each line must succeed). Steps that call other actions (`uses:`) are recorded,
not run."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class StepResult:
    name: str
    ran: bool
    code: int = 0
    uses: str = ""
    output: str = ""


@dataclass
class Context:
    inputs: dict[str, str]
    github: dict[str, str]
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    failed: bool = False

    def value(self, path: str) -> str:
        parts = path.split(".")
        if parts[0] == "inputs":
            return self.inputs.get(parts[1], "")
        if parts[0] == "github":
            return self.github.get(parts[1], "")
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"unsupported expression {path}")

    def evaluate(self, expression: str) -> Any:
        """The subset of GitHub's expression syntax the action uses: always(), success(),
        failure(), context values, '...' strings, ==, !=, &&, || and parentheses."""
        tokens = re.findall(r"'[^']*'|always\(\)|success\(\)|failure\(\)|[A-Za-z_][\w.-]*|==|!="
                            r"|&&|\|\||[()]", expression)
        out = []
        for tok in tokens:
            if tok.startswith("'"):
                out.append(repr(tok[1:-1]))
            elif tok == "always()":
                out.append("True")
            elif tok == "success()":
                out.append(repr(not self.failed))
            elif tok == "failure()":
                out.append(repr(self.failed))
            elif tok in ("==", "!=", "(", ")"):
                out.append(tok)
            elif tok == "&&":
                out.append("and")
            elif tok == "||":
                out.append("or")
            else:
                out.append(repr(self.value(tok)))
        return eval(" ".join(out), {"__builtins__": {}})

    def substitute(self, text: str) -> str:
        return EXPR.sub(lambda m: str(self.evaluate(m.group(1))), text)


@dataclass
class FakeGitHub:
    url: str
    token: str
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)


def run_action(action: dict[str, Any], ctx: Context, env: dict[str, str], cwd: Path,
               tmp: Path) -> list[StepResult]:
    results = []
    for i, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", f"step {i}")
        cond = step.get("if", "success()")
        cond = EXPR.sub(lambda m: m.group(1), str(cond))
        if "always()" not in cond and "success()" not in cond and "failure()" not in cond:
            cond = f"success() && ({cond})"
        if not ctx.evaluate(cond):
            results.append(StepResult(name, ran=False))
            continue
        if "uses" in step:
            results.append(StepResult(name, ran=True, uses=step["uses"]))
            continue
        output = tmp / f"output-{i}"
        output.write_text("")
        step_env = {**env, **{k: ctx.substitute(str(v)) for k, v in step.get("env", {}).items()},
                    "GITHUB_OUTPUT": str(output)}
        script = tmp / f"step-{i}.sh"
        script.write_text(step["run"])
        assert step["shell"] == "bash"
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=cwd, env=step_env, capture_output=True, text=True,
                              timeout=600)
        if "id" in step:
            ctx.steps[step["id"]] = dict(line.split("=", 1) for line in
                                         output.read_text().splitlines() if "=" in line)
        results.append(StepResult(name, True, done.returncode, output=done.stdout + done.stderr))
        if done.returncode:
            ctx.failed = True
    return results


def run_gitlab_script(lines: list[str], env: dict[str, str], cwd: Path) -> list[
        tuple[str, int, str]]:
    """Each script line in its own `bash -e` (GitLab stops the job at the first failing line)."""
    results = []
    for line in lines:
        done = subprocess.run(["bash", "-e", "-c", line], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=600)
        results.append((line, done.returncode, done.stdout + done.stderr))
        if done.returncode:
            break
    return results


def base_env(venv: Path) -> dict[str, str]:
    """The runner's environment: the fresh venv first on PATH, no variables of this session's
    own Python or CI settings leaking in."""
    keep = {k: v for k, v in os.environ.items()
            if k in ("HOME", "LANG", "LC_ALL", "TMPDIR", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL",
                     "PIP_FIND_LINKS", "PIP_CONFIG_FILE", "XDG_CACHE_HOME")}
    keep["PATH"] = f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin"
    return keep
