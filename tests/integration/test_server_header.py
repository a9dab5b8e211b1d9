"""Production error answers carry no ``Server`` header naming the software or its version.

The header is the WSGI server's, not the app's, so this starts gunicorn as production does (from
the project folder, so it reads ``gunicorn.conf.py``; production settings) and asks for answers
the app gives (404, 405, a 400 for a missing CSRF token, 413) and one gunicorn gives itself (a
request line it cannot parse).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
NAMES_A_VERSION = re.compile(r"[0-9]|werkzeug|python|gunicorn", re.IGNORECASE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[tuple[str, int]]:
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in .venv")
    folder = tmp_path_factory.mktemp("server")
    shutil.copy(sqlite_template, folder / "registry.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNING_", "SMTP_", "FLASK_", "REGISTRY_"))}
    env.update(
        REGISTRY_ENV="production",
        SECRET_KEY="a-long-random-secret-key-for-this-test-only-0123456789",
        DATABASE_URL=f"sqlite:///{folder / 'registry.db'}",
        REGISTRY_INSTANCE_DIR=str(folder),
    )
    port = _free_port()
    errors = folder / "error.log"
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "--error-logfile", str(errors), "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, errors.read_text() if errors.exists() else "gunicorn exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        yield "127.0.0.1", port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _head(server: tuple[str, int], request: bytes) -> tuple[int, list[str]]:
    """Send a raw request; the answer's status and its Server headers' values. Raw, so a request
    the server answers before reading its body (413) or cannot parse (400) can be sent too."""
    with socket.create_connection(server, timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    lines = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    servers = [line.split(":", 1)[1].strip() for line in lines[1:] if line.lower().startswith("server:")]
    return int(lines[0].split()[1]), servers


def _request(method: str, path: str, body: bytes = b"", length: int | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if method == "POST":
        head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length or len(body)}\r\n"
    return head.encode() + b"\r\n" + body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (_request("GET", "/no-such-page"), 404),
        (_request("GET", "/sign-out"), 405),
        (_request("POST", "/sign-in", b"email=a%00b"), 400),  # no CSRF token
        (_request("POST", "/verify", length=7 * 1024 * 1024), 413),  # answered before the body is read
        (_request("GET", "/healthz"), 200),
        (b"NOT A REQUEST LINE\r\n\r\n", 400),  # gunicorn's own answer
    ],
    ids=["404", "405", "400", "413", "200", "unparsable"],
)
def test_answers_name_no_server_version(server: tuple[str, int], request_bytes: bytes, status: int) -> None:
    answered, servers = _head(server, request_bytes)
    assert answered == status
    assert [value for value in servers if NAMES_A_VERSION.search(value)] == [], servers
