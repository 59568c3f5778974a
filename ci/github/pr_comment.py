"""Post a Markdown file as the advisor's pull request comment, or update the one posted before
(found by a hidden marker), so a pull request carries one advisor comment however often the
workflow runs. Used by the action in action.yml; standard library only.

Reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the pull request's number) and
GITHUB_API_URL (GitHub Enterprise Server; default https://api.github.com). A token without
write access (a pull request from a fork) is a warning, not a failed job.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

MARKER = "<!-- advisor-check -->"
LIMIT = 65536  # GitHub refuses longer comment bodies


def api(method: str, url: str, token: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={  # noqa: S310
        "Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json",
        "User-Agent": "advisor-action"})
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
        text = reply.read()
    return json.loads(text) if text else None


def pull_number(event_path: str) -> int | None:
    event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    pull = event.get("pull_request") or {}
    number = pull.get("number") or event.get("number")
    return int(number) if number else None


def existing(base: str, repo: str, number: int, token: str) -> int | None:
    """The id of the comment this script posted before, if any (newest first wins)."""
    page = 1
    found = None
    while True:
        comments = api("GET", f"{base}/repos/{repo}/issues/{number}/comments?per_page=100"
                              f"&page={page}", token)
        for c in comments:
            if MARKER in (c.get("body") or ""):
                found = c["id"]
        if len(comments) < 100:
            return found
        page += 1


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: pr_comment.py COMMENT.md", file=sys.stderr)
        return 2
    body = Path(argv[1]).read_text(encoding="utf-8")
    body = f"{body.rstrip()}\n\n{MARKER}\n"
    if len(body) > LIMIT:
        print(f"::error::the comment has {len(body)} characters, GitHub takes {LIMIT}: lower "
              "max-chars", file=sys.stderr)
        return 1
    env = os.environ
    number = pull_number(env["GITHUB_EVENT_PATH"]) if env.get("GITHUB_EVENT_PATH") else None
    if number is None:
        print("::notice::not a pull request: no comment posted")
        return 0
    base = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    repo, token = env["GITHUB_REPOSITORY"], env["GITHUB_TOKEN"]
    try:
        ident = existing(base, repo, number, token)
        if ident is None:
            api("POST", f"{base}/repos/{repo}/issues/{number}/comments", token, {"body": body})
            print(f"advisor: commented on pull request #{number}")
        else:
            api("PATCH", f"{base}/repos/{repo}/issues/comments/{ident}", token, {"body": body})
            print(f"advisor: updated comment {ident} on pull request #{number}")
    except urllib.error.HTTPError as exc:
        if exc.code in (403, 404):
            print(f"::warning::could not comment on pull request #{number} (HTTP {exc.code}): "
                  "the token lacks pull-requests: write (a pull request from a fork?)")
            return 0
        print(f"::error::commenting on pull request #{number} failed: HTTP {exc.code}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
