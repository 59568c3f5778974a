"""Delivery through a local SMTP relay: STARTTLS with a verified certificate, a login, the report
attached byte for byte, a short summary in the body; failures exit 3 in one line."""

from __future__ import annotations

import email
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from report_helpers import Relay

Cli = Callable[..., tuple[int, str, str]]


def received(relay: Relay) -> EmailMessage:
    assert len(relay.messages) == 1
    msg = email.message_from_bytes(relay.messages[0].original_content, policy=default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_report_sent_with_starttls_and_login(run_cli: Cli, smtp_relay: Relay, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_SMTP_PASSWORD", smtp_relay.password)
    out = tmp_path / "report-2026-10.html"
    code, _, err = run_cli("report", "--demo", "--month", "2026-10", "--store",
                       str(tmp_path / "h.duckdb"), "-o", str(out), "--email", "cio@gemeente.nl",
                       "--email", "controller@gemeente.nl", "--smtp",
                       f"{smtp_relay.host}:{smtp_relay.port}", "--smtp-user", smtp_relay.user,
                       "--smtp-ca", smtp_relay.cafile, "--smtp-from", "advisor@gemeente.nl")
    assert code == 0, err
    assert "report sent to cio@gemeente.nl, controller@gemeente.nl" in err
    assert smtp_relay.logins == [smtp_relay.user]
    envelope = smtp_relay.messages[0]
    assert sorted(envelope.rcpt_tos) == ["cio@gemeente.nl", "controller@gemeente.nl"]
    msg = received(smtp_relay)
    assert msg["Subject"] == "IT cost report October 2026: Gemeente Voorbeeld"
    assert msg["From"] == "advisor@gemeente.nl"
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "IT cost October 2026: €" in text and "moves save" in text
    assert "attached" in text
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "report-2026-10.html"
    assert attachment.get_content_type() == "text/html"
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_payload(decode=True) == out.read_bytes()


def test_markdown_report_in_dutch(run_cli: Cli, smtp_relay: Relay, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_SMTP_PASSWORD", smtp_relay.password)
    code, _, err = run_cli("report", "--demo", "--month", "2026-10", "--store",
                       str(tmp_path / "h.duckdb"), "--format", "markdown", "--lang", "nl",
                       "-o", str(tmp_path / "r.md"),
                       "--email", "wethouder@gemeente.nl", "--smtp",
                       f"{smtp_relay.host}:{smtp_relay.port}", "--smtp-user", smtp_relay.user,
                       "--smtp-ca", smtp_relay.cafile)
    assert code == 0, err
    msg = received(smtp_relay)
    assert msg["Subject"] == "IT-kostenrapportage oktober 2026: Gemeente Voorbeeld"
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "report-2026-10.md"


def test_delivery_failures_exit_3(run_cli: Cli, smtp_relay: Relay, plain_relay: Relay,
                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from servers import free_port

    base = ["report", "--demo", "--month", "2026-10", "--store", str(tmp_path / "h.duckdb"),
            "-o", str(tmp_path / "r.html"), "--email", "cio@gemeente.nl"]
    # nothing listens
    code, _, err = run_cli(*base, "--smtp", f"127.0.0.1:{free_port()}")
    assert code == 3 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (tmp_path / "r.html").is_file()  # the report is written before it is sent
    # a certificate nobody vouches for
    code, _, err = run_cli(*base, "--smtp", f"127.0.0.1:{smtp_relay.port}")
    assert code == 3 and "TLS failed" in err
    # a wrong password
    monkeypatch.setenv("ADVISOR_SMTP_PASSWORD", "wrong")
    code, _, err = run_cli(*base, "--smtp", f"127.0.0.1:{smtp_relay.port}", "--smtp-user",
                       smtp_relay.user, "--smtp-ca", smtp_relay.cafile)
    assert code == 3 and "login refused" in err
    assert smtp_relay.messages == []
    # a relay without STARTTLS: refused unless --smtp-plain, and never with a login
    code, _, err = run_cli(*base, "--smtp", f"127.0.0.1:{plain_relay.port}")
    assert code == 3 and "does not offer STARTTLS" in err
    code, _, err = run_cli(*base, "--smtp", f"127.0.0.1:{plain_relay.port}", "--smtp-plain",
                       "--smtp-user", plain_relay.user)
    assert code == 2 and "a password is never sent in plain text" in err
    code, _, err = run_cli(*base, "--smtp", f"127.0.0.1:{plain_relay.port}", "--smtp-plain")
    assert code == 0, err
    assert len(plain_relay.messages) == 1 and plain_relay.logins == []
