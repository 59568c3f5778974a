"""The CLI's safety nets (issue 12): an unexpected exception is exit 70 with one line and a hint
(the traceback only with --debug), outputs are replaced atomically, secrets never reach a
message, and the escaping functions every writer uses."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click
import pytest
import yaml

from advisor.atomic import open_atomic
from advisor.commands.main import cli, main
from advisor.outputs.escape import (
    csv_cell,
    markdown_link,
    markdown_text,
    terminal_text,
    xml_chars,
)
from advisor.redact import redact, redact_url

DATA = Path(__file__).parent / "data"


@pytest.fixture
def broken_command():
    """A command that fails the way a bug would (registered on the real CLI for one test)."""
    @click.command("explode")
    def explode() -> None:
        raise KeyError("\x1b]0;title\x07boom")

    cli.add_command(explode)
    yield
    cli.commands.pop("explode")


def test_an_internal_error_is_exit_70_with_a_hint(broken_command, capsys) -> None:
    assert main(["explode"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("advisor: internal error: KeyError: ")
    assert "please report it" in err and "--debug" in err
    assert "Traceback" not in err and "\x1b" not in err
    assert main(["--debug", "explode"]) == 70
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "raise KeyError" in err


def test_output_is_replaced_atomically(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("the previous good report\n")
    keep = tmp_path / "link-to-previous"
    os.link(out, keep)  # a hard link still sees the old file after a rename over it
    code, _, err = run_cli("analyze", "-c", str(DATA / "check"), "--format", "json",
                           "-o", str(out))
    assert code == 0, err
    assert out.read_text().startswith("{")
    assert keep.read_text() == "the previous good report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link-to-previous", "plan.json"]


def test_an_interrupted_write_leaves_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous")
    with pytest.raises(KeyboardInterrupt), open_atomic(target) as fh:
        fh.write("half a rep")
        raise KeyboardInterrupt
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_usage_above_the_request_is_said(run_cli, tmp_path: Path) -> None:
    estate = tmp_path / "estate"
    shutil.copytree(DATA / "check", estate)
    doc = yaml.safe_load((estate / "workloads.yaml").read_text())
    doc["workloads"][0]["usage"] = {"cpu_p95": 3}
    (estate / "workloads.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    code, out, err = run_cli("analyze", "-c", str(estate))
    assert code == 0, err
    assert "note: web uses more than it requests (cpu p95 3 above the request 2)" in out


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://u@db/h?password=S3cretValue", "postgresql://u@db/h?password=***"),
    ("postgresql://:S3cretValue@db/h", "postgresql://:***@db/h"),
    ("postgresql://u:S3cr%zzet@db:5432/h", "postgresql://u:***@db:5432/h"),
    ("postgresql://u:S3c@ret@db/h", "postgresql://u:***@db/h"),
    ("host=db user=u password=S3cretValue dbname=h", "host=db user=u password=*** dbname=h"),
    ("host=db password='S3cret Value' dbname=h", "host=db password=*** dbname=h"),
    ("http://AKIA:S3cretValue@127.0.0.1:9000", "http://AKIA:***@127.0.0.1:9000"),
    ("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=S3cret==;EndpointSuffix=x",
     "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=x"),
    ("https://a.blob.core.windows.net/c?sv=2022&sig=S3cret%2F&se=1",
     "https://a.blob.core.windows.net/c?sv=2022&sig=***&se=1"),
])
def test_one_redaction_for_every_url_and_dsn(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert redact(f"cannot open {url}: refused") == f"cannot open {shown}: refused"


def test_redaction_leaves_ordinary_messages_alone() -> None:
    text = "workloads.yaml:3: unknown key: 'region' (see http://host:8080/docs, a@b.example)"
    assert redact(text) == text


def test_escaping_functions() -> None:
    assert markdown_link("docs", "javascript:alert(1)") == "docs"
    assert markdown_link("a (b)", "https://x.example/a(b)") == \
        "[a (b)](https://x.example/a%28b%29)"
    assert markdown_text("<b>@dev #1 http://x.example") == \
        "&lt;b&gt;@&#8203;dev #&#8203;1 http:&#8203;//x.example"
    assert markdown_text("# title", line_start=True) == "\\# title"
    assert csv_cell("=SUM(A1)") == "'=SUM(A1)" and csv_cell("-12.50") == "-12.50"
    assert csv_cell("@x") == "'@x" and csv_cell("\tx") == "'\tx"
    assert terminal_text("a\x1b[31mb\x1b]0;t\x07c\x9b2Jd\u202ee\n") == "abcde\n"
    assert xml_chars("chat\x01bot\ufffe\x85") == "chatbot"
