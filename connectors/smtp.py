"""Delivery: send the report through the organisation's own SMTP relay.

STARTTLS is required unless the caller explicitly allows plain text (``plain=True``, for a relay
on a closed network that offers no TLS), and a login is never sent without TLS. The certificate
is verified against the system's CAs or a given CA file (an internal CA is common). A relay that
cannot be reached or refuses the message is a failed source (exit 3), named in one line.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from advisor.errors import InputError, SourceError


@dataclass(frozen=True)
class Relay:
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    cafile: str | None = None
    plain: bool = False  # allow a relay without STARTTLS (then no login)
    timeout: float = 30.0

    @property
    def name(self) -> str:
        return f"smtp {self.host}:{self.port}"


def parse_relay(value: str) -> tuple[str, int]:
    """'HOST:PORT' or '[IPv6]:PORT' -> (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"invalid --smtp '{value}'", hint="write it as HOST:PORT, e.g. "
                         "smtp.gemeente.nl:587")
    return host.strip("[]"), int(port)


def build_message(*, sender: str, to: Sequence[str], subject: str, body: str,
                  attachment: str, filename: str, mime: str) -> EmailMessage:
    """The summary as the text body, the report as a UTF-8 attachment of type ``mime``."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body)
    _, _, subtype = mime.partition("/")
    msg.add_attachment(attachment, subtype=subtype, charset="utf-8", cte="base64",
                       filename=filename)
    return msg


def default_sender() -> str:
    return f"advisor@{socket.getfqdn() or 'localhost'}"


def send(relay: Relay, msg: EmailMessage) -> None:
    """Hand the message to the relay: EHLO, STARTTLS (verified), optional LOGIN, send."""
    if relay.user and relay.password is None:
        raise InputError("--smtp-user is given but no password",
                         hint="set the ADVISOR_SMTP_PASSWORD environment variable")
    try:
        with smtplib.SMTP(relay.host, relay.port, timeout=relay.timeout) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                context = ssl.create_default_context(cafile=relay.cafile)
                smtp.starttls(context=context)
                smtp.ehlo()
            elif not relay.plain:
                raise SourceError(relay.name, "the relay does not offer STARTTLS",
                                  "use a relay with TLS, or --smtp-plain on a closed network "
                                  "(no login is sent then)")
            elif relay.user:
                raise InputError("--smtp-user needs STARTTLS, and the relay does not offer it",
                                 hint="a password is never sent in plain text")
            if relay.user:
                smtp.login(relay.user, relay.password or "")
            refused = smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise SourceError(relay.name, f"login refused ({exc.smtp_code})",
                          "check --smtp-user and ADVISOR_SMTP_PASSWORD") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SourceError(relay.name, "every recipient was refused: "
                          + ", ".join(sorted(exc.recipients))) from None
    except ssl.SSLError as exc:
        raise SourceError(relay.name, f"TLS failed: {exc.reason or exc}",
                          "give the relay's CA with --smtp-ca FILE") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SourceError(relay.name, str(exc).strip() or type(exc).__name__) from None
    if refused:
        raise SourceError(relay.name, "recipients refused: " + ", ".join(sorted(refused)))
