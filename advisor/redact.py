"""One place that takes secrets out of text before it reaches a message, a log or an output.

``redact`` blanks, anywhere in a text: the password in a URL's userinfo (``scheme://user:***@``,
also with an empty user, an ``@`` or a bad percent-escape inside the password), secret query
parameters (``?password=***``, ``sig=``, ``X-Amz-Signature=``...), ``password=`` in a libpq
key=value DSN, ``AccountKey=`` and ``SharedAccessSignature=`` in an Azure connection string, and
any secret value the caller knows (``secrets``), raw and percent-decoded. ``redact_url`` is the
form for one URL or DSN that is shown as a name (a history store, an endpoint)."""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Iterable

MASK = "***"
SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_SECRET",
              "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_KEY", "AZURE_PASSWORD",
              "ADVISOR_SMTP_PASSWORD", "PGPASSWORD")
_CREDENTIAL_KEYS = (
    r"password|passwd|pwd|pass|sslpassword|secret|client_secret|token|access_token|"
    r"api[_-]?key|sig|signature|x-amz-signature|x-amz-security-token|"
    r"x-amz-credential|accountkey|sharedaccesssignature|sharedaccesskey|sastoken|credential")
# scheme://user:password@host -- the password runs to the LAST @ before the path, so an @
# inside it is covered too; an empty user is allowed.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^\s/?#@:]*):(\S*?)@(?=[^\s@/?#]*"
                       r"(?:[/?#\s]|$))")
_USER_ONLY_SECRET = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^\s/?#@:]{20,})@")
_QUERY = re.compile(rf"(?i)([?&;](?:{_CREDENTIAL_KEYS})=)[^&#\s;'\"]*?(?=[&#\s;'\"]|:\s|:$|$)")
# key=value pairs (libpq conninfo, Azure connection strings), quoted values included
_PAIR = re.compile(rf"(?i)(?<![\w-])((?:{_CREDENTIAL_KEYS})\s*=\s*)"
                   r"('(?:[^'\\]|\\.)*'|[^\s;&'\"]+?(?=[\s;&'\"]|:\s|:$|$))")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")
# for texts from cloud SDKs: "Secret: value", "token abc-123..." and bare AWS secret keys
_SDK_PATTERNS = (
    re.compile(r"(?i)((?:secret|password|token|signature|sig|key)[\"']?\s*[=:]\s*[\"']?)"
               r"[^\s&\"',;]{6,}"),
    re.compile(r"(?i)((?:secret|password|token)\s+)(?=[^\s&\"',;]*[0-9_-])[^\s&\"',;]{12,}"),
    re.compile(r"(?<![A-Za-z0-9/+=])()[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"),
)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every credential it holds replaced by ``***`` (see the module)."""
    known = [s for s in (*secrets, *(os.environ.get(k) for k in SECRET_ENV)) if s]
    variants = set()
    for secret in known:
        variants.update({secret, urllib.parse.unquote(secret), urllib.parse.quote(secret)})
    for secret in sorted((v for v in variants if len(v) >= 4), key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}:{MASK}@", text)
    text = _USER_ONLY_SECRET.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    text = _QUERY.sub(lambda m: m.group(1) + MASK, text)
    text = _PAIR.sub(lambda m: m.group(1) + MASK, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return text


def redact_deep(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``redact`` plus ``Secret: value`` forms and anything shaped like an AWS secret key (40
    characters of base64): for texts from cloud SDKs, where a key may appear without a name.
    Too eager for our own messages ("unknown key: 'region'"), so only for the connectors'."""
    text = redact(text, secrets)
    for pattern in _SDK_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


def url_secrets(url: str) -> list[str]:
    """The secrets inside a URL or libpq DSN (its password, secret query values), so that an
    error message from a driver that echoes a fragment of it can be cleaned too."""
    out = []
    m = _USERINFO.search(url)
    if m and m.group(3):
        out.append(m.group(3))
    out += [q.group(0).split("=", 1)[1] for q in _QUERY.finditer(url)]
    out += [p.group(2).strip("'") for p in _PAIR.finditer(url)]
    return [s for s in out if s]


def redact_url(url: str) -> str:
    """A URL, DSN or connection string fit to be shown as a name."""
    return redact(url, url_secrets(url))
