"""The layout keeps its promises (docs/architecture.md): imports point one way, the core never
talks to the network or the terminal, and nothing imports the top-level folder names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EDGE = ("commands", "connectors", "policies")  # advisor/<EDGE>/ may talk to the outside world


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
            out.extend(f"{node.module}.{a.name}" for a in node.names)
    return out


CORE = [p for p in _modules(ROOT / "advisor")
        if p.relative_to(ROOT / "advisor").parts[0] not in EDGE and p.name != "__main__.py"]


@pytest.mark.parametrize("path", CORE, ids=[str(p.relative_to(ROOT)) for p in CORE])
def test_core_never_imports_a_connector_the_cli_or_a_renderer(path: Path) -> None:
    stage = path.relative_to(ROOT / "advisor").parts[0]
    for name in _imports(path):
        assert not name.startswith(("advisor.connectors", "advisor.commands", "click")), \
            f"{path.relative_to(ROOT)} imports {name}"
        if stage != "outputs":
            assert not name.startswith("advisor.outputs"), \
                f"{path.relative_to(ROOT)} (a pipeline stage) imports the renderer {name}"


def test_nothing_imports_the_top_level_folder_names() -> None:
    bad = []
    for folder in ("advisor", "connectors", "tests", "benchmarks"):
        for path in _modules(ROOT / folder):
            if path.is_relative_to(ROOT / "advisor" / "connectors"):
                continue  # the same files as connectors/, through the symlink
            for name in _imports(path):
                if name.split(".")[0] in ("connectors", "policies"):
                    bad.append(f"{path.relative_to(ROOT)}: {name}")
    assert not bad, "import advisor.connectors / advisor.policies instead:\n" + "\n".join(bad)


def test_connectors_return_data_and_know_only_the_estate_and_the_ledger_files() -> None:
    allowed = ("advisor.connectors", "advisor.errors", "advisor.estate", "advisor.ledger.focus",
               "advisor.month", "advisor.redact", "advisor.atomic")  # the last two: leaf helpers
    for path in _modules(ROOT / "connectors"):
        for name in _imports(path):
            if name.startswith("advisor."):
                where = path.relative_to(ROOT)
                assert name.startswith(allowed), f"{where} imports {name}"


def test_connectors_never_use_the_terminal() -> None:
    for path in _modules(ROOT / "connectors"):
        text = path.read_text(encoding="utf-8")
        text = "\n".join(line.split("#")[0] for line in text.splitlines())
        names = _imports(path)
        assert "click" not in {n.split(".")[0] for n in names}, path.name
        assert "print(" not in text and "sys.stderr" not in text and "sys.stdout" not in text, \
            f"connectors/{path.name} writes to the terminal; report through Progress or return"


def test_connectors_and_policies_install_inside_the_advisor_namespace() -> None:
    for name in ("connectors", "policies"):
        link = ROOT / "advisor" / name
        assert link.is_symlink() and link.resolve() == (ROOT / name).resolve(), name
    import advisor.connectors.base
    import advisor.policies

    assert Path(advisor.connectors.base.__file__).resolve().parent == (ROOT / "connectors")
    assert Path(advisor.policies.__file__).resolve().parent == (ROOT / "policies")
