"""Serve a benchmark database with gunicorn, sign in, and drive pages with wrk (used by bench/scale.py).

Every run uses the same server settings: gunicorn sync workers (WORKERS, one per core here),
production configuration (REGISTRY_ENV=production: what a deployment runs, with HSTS and secure
cookies; wrk sends the cookie itself, so plain HTTP on loopback is fine), the baseline routes on
(REGISTRY_BENCH_BASELINES=1), no access log, no worker recycling (memory is measured).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from config import BASE_DIR

WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = 2  # wrk threads
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))  # two per worker keeps both busy
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = 2
SLOW_MS = 20_000  # a page slower than this is timed once, not driven
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on loopback for one database; stopped by ``close`` (its own process group only)."""

    def __init__(self, database_url: str, key: tuple[str, str]) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "REGISTRY_ENV": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            "SIGNING_PKCS12": key[0],
            "SIGNING_KEY_PASSPHRASE": key[1],
            "REGISTRY_BENCH_BASELINES": "1",
            "REGISTRY_BASE_URL": self.base,
        }
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "300",
                "--max-requests",
                "0",
                "wsgi:app",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if (
                    requests.get(self.base + "/healthz", timeout=30).status_code == 200
                    and len(self.workers()) == WORKERS
                ):
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        self.close()
        raise RuntimeError(f"gunicorn did not start: see {self.log.name}")

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def worker_rss_kib(self) -> dict[int, int]:
        sizes = {}
        for pid in self.workers():
            match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
            if match:
                sizes[pid] = int(match.group(1))
        return sizes

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's master stops its workers
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def sign_in(base: str, email: str, password: str, code: Any = None) -> str:
    """Sign in with the real form (and the two-factor code when asked); the Cookie header to send."""
    cookies: dict[str, str] = {}

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        # cookies are sent by hand: production marks them Secure, and this is plain HTTP on loopback
        header = "; ".join(f"{k}={v}" for k, v in cookies.items())
        response = requests.request(
            method, base + path, headers={"Cookie": header}, allow_redirects=False, timeout=120, **kwargs
        )
        cookies.update(response.cookies.get_dict())
        return response

    def token(html: str) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        if not match:
            raise RuntimeError("no CSRF token on the sign-in page")
        return match.group(1)

    page = call("GET", "/sign-in")
    response = call("POST", "/sign-in", data={"csrf_token": token(page.text), "email": email, "password": password})
    if response.status_code == 302 and "/sign-in/code" in response.headers.get("Location", ""):
        if code is None:
            raise RuntimeError(f"{email} needs a two-factor code")
        page = call("GET", "/sign-in/code")
        response = call("POST", "/sign-in/code", data={"csrf_token": token(page.text), "code": code()})
    if response.status_code != 302 or "/sign-in" in response.headers.get("Location", ""):
        raise RuntimeError(f"signing in as {email} failed ({response.status_code})")
    check = call("GET", "/")
    if check.status_code != 200:
        raise RuntimeError(f"signed in as {email} but the home page answered {check.status_code}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


@dataclass
class Result:
    path: str
    status: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"wrk latency {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def wrk(
    base: str, path: str, cookie: str, seconds: int = DURATION, script: str | None = None, warmup: bool = True
) -> Result:
    """Requests/s and the 50th and 99th percentile latency of ``path`` (after a short warm-up)."""
    started = time.perf_counter()
    try:
        status = requests.get(base + path, headers={"Cookie": cookie}, allow_redirects=False, timeout=290).status_code
    except requests.Timeout:
        return Result(path, 0, 0.0, 0.0, 0.0, 0, 1, "one request took over 290 s: not driven")
    took_ms = (time.perf_counter() - started) * 1000
    if status != 200:
        return Result(path, status, 0.0, 0.0, 0.0, 0, 0, f"answered {status}")
    if took_ms > SLOW_MS:  # driving it for the duration would measure a handful of requests anyway
        return Result(path, 200, 1000 / took_ms, took_ms, took_ms, 1, 0, f"one request took {took_ms / 1000:.0f} s")
    command = ["wrk", "--threads", str(THREADS), "--connections", str(CONNECTIONS), "--timeout", "120s",
               "--latency", "-H", f"Cookie: {cookie}"]  # fmt: skip
    if script:
        command += ["--script", script]
    if warmup:
        subprocess.run([*command, "--duration", f"{WARMUP}s", base + path], capture_output=True, check=True)
    output = subprocess.run(
        [*command, "--duration", f"{seconds}s", base + path], capture_output=True, text=True, check=True
    ).stdout
    result = parse(path, output)
    if result.requests == 0:  # nothing finished within the run: report the first request's time
        return Result(path, 200, 1000 / took_ms, took_ms, took_ms, 1, result.errors, "no request finished in the run")
    return result


def parse(path: str, output: str) -> Result:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"(\d+) requests in", output)
    if not (rate and total):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(bad.group(1)) if bad else 0
    return Result(
        path,
        200,
        float(rate.group(1)),
        _ms(p50.group(1)) if p50 else 0.0,
        _ms(p99.group(1)) if p99 else 0.0,
        int(total.group(1)),
        errors,
    )


ROTATE_LUA = """
paths = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def rotation_script(paths: list[str]) -> str:
    """A wrk script that cycles through ``paths`` (the memory test's mix of pages)."""
    handle = tempfile.NamedTemporaryFile("w", prefix="bench-rotate-", suffix=".lua", delete=False)  # noqa: SIM115
    handle.write(ROTATE_LUA % ", ".join(f'"{p}"' for p in paths))
    handle.close()
    return handle.name
