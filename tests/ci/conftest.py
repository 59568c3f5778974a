"""Fixtures for the CI integration tests: a fresh virtualenv to install the advisor into (its
dependencies come from the test environment, so nothing is downloaded but the build backend),
the demo estate as a user's repository would hold it, and a local server that speaks the
GitHub REST API for pull request comments."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from ci_runner import ROOT, FakeGitHub

from advisor.commands.main import main


@pytest.fixture(scope="session")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv without the advisor; the test environment's packages are visible
    through a .pth file (after the venv's own), so installing the advisor needs no download
    of its dependencies."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "zz-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


@pytest.fixture(scope="session")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's tracked files, as a runner checks out the action (pip builds in this
    copy, never in the source tree, and two test workers never build in the same folder)."""
    import shutil

    target = tmp_path_factory.mktemp("checkout") / "advisor"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source, dest = ROOT / name, target / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest, follow_symlinks=False)
    return target


@pytest.fixture
def estate_repo(tmp_path: Path) -> Path:
    """A repository folder holding the demo estate under estate/."""
    repo = tmp_path / "repo"
    repo.mkdir()
    assert main(["init", "--example", "gemeente", str(repo / "estate")]) == 0
    return repo


@pytest.fixture
def github_api() -> Iterator[FakeGitHub]:
    """Issue comments as the GitHub REST API serves them (list with pages, create, update),
    on a free loopback port; requests without the token are refused with 401."""
    state = FakeGitHub("", "gh-test-token")

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            state.requests.append((self.command, self.path))
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                self._reply(401, {"message": "Bad credentials"})
                return False
            return True

        def _body(self) -> dict[str, Any]:
            return json.loads(self.rfile.read(int(self.headers["Content-Length"])))  # type: ignore[no-any-return]

        def do_GET(self) -> None:
            if not self._authorised():
                return
            url = urlparse(self.path)
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            items = sorted(state.comments.values(), key=lambda c: c["id"])
            self._reply(200, items[(page - 1) * 100:page * 100])

        def do_POST(self) -> None:
            if not self._authorised():
                return
            ident = 1000 + len(state.comments)
            state.comments[ident] = {"id": ident, "body": self._body()["body"],
                                     "path": self.path}
            self._reply(201, state.comments[ident])

        def do_PATCH(self) -> None:
            if not self._authorised():
                return
            ident = int(self.path.rsplit("/", 1)[1])
            state.comments[ident]["body"] = self._body()["body"]
            self._reply(200, state.comments[ident])

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
