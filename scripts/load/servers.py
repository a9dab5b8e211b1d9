"""Setting up a throwaway registry (database, demo data, signing key) and serving it with gunicorn."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# gunicorn's access log: status, seconds taken, request line
ACCESS_FORMAT = '%(s)s %(L)s "%(r)s"'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_server_url() -> str:
    """Where PostgreSQL answers (LOAD_POSTGRES_URL, else TEST_DATABASE_URL as scripts/with-postgres.sh sets it)."""
    return os.environ.get("LOAD_POSTGRES_URL") or os.environ.get(
        "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )


def create_postgres_database(prefix: str) -> str:
    """A new empty database on the server; its URL."""
    url = make_url(postgres_server_url())
    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def database_for(kind: str, workdir: Path, prefix: str) -> str:
    """A fresh database: an SQLite file in ``workdir``, or a new database on the PostgreSQL server."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'instance' / 'registry.db'}"
    return create_postgres_database(prefix)


def drop_postgres_database(database_url: str) -> None:
    url = make_url(database_url)
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    engine.dispose()


@dataclass
class Registry:
    """One registry's database and instance folder, and the gunicorn servers serving it."""

    workdir: Path
    database_url: str
    servers: list[tuple[str, subprocess.Popen, Path, Path]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        """Development settings (see docs/LOAD-AND-SCAN.md for why), pointed at this run's folder and database."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNING_", "SMTP_", "FLASK_"))}
        env.pop("SECRET_KEY", None)
        env.update(
            REGISTRY_ENV="development",
            REGISTRY_INSTANCE_DIR=str(self.workdir / "instance"),
            DATABASE_URL=self.database_url,
            PYTHONUNBUFFERED="1",
        )
        return env

    def flask(self, *args: str, check: bool = True) -> str:
        """Run ``flask --app wsgi ...``; its output (raises with the output when it fails, if ``check``)."""
        result = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        output = result.stdout + result.stderr
        with open(self.workdir / "setup.log", "a") as log:
            log.write(f"$ flask {' '.join(args)}\n{output}\n")
        if result.returncode != 0 and check:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{output}")
        return output

    def prepare(self) -> None:
        self.flask("db", "upgrade")
        self.flask("registry", "init-signing-key")
        self.flask("registry", "load-demo")

    def start(self, count: int, workers: int) -> list[str]:
        """Start ``count`` gunicorn servers of ``workers`` sync workers each; their base addresses."""
        hosts = []
        for number in range(1, count + 1):
            port = free_port()
            access, errors = self.workdir / f"access-{number}.log", self.workdir / f"error-{number}.log"
            process = subprocess.Popen(
                [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync",
                 "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "20",
                 "--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT,
                 "--error-logfile", str(errors), "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
            host = f"http://127.0.0.1:{port}"
            self.servers.append((host, process, access, errors))
            hosts.append(host)
        for host, process, _access, errors in self.servers:
            wait_until_up(host, process, errors)
        return hosts

    def stop(self) -> None:
        """Gracefully: workers finish the requests they are serving before they exit."""
        for _host, process, _access, _errors in self.servers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _host, process, _access, _errors in self.servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_until_up(host: str, process: subprocess.Popen, errors: Path, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn at {host} exited:\n{errors.read_text() if errors.exists() else ''}")
        try:
            with urllib.request.urlopen(host + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn at {host} did not answer /healthz within {seconds:.0f} seconds")
