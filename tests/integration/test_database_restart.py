"""The app outlives a PostgreSQL restart: while the database is down /healthz says 503 and pages
show the error page; once it is back, the same app (not restarted) serves signed-in pages again,
because the pool checks a connection before handing it out (``pool_pre_ping``).

The test runs its own throwaway cluster (as scripts/with-postgres.sh does), so stopping it
disturbs nothing else.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import make_app, migrate_to_head
from factories import make_user
from flask import Flask
from sqlalchemy import create_engine, text

from registry.extensions import db
from registry.models import Role


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name.split(".")[0]))
    for bindir in reversed(found):
        if (Path(bindir) / "initdb").exists() and (Path(bindir) / "pg_ctl").exists():
            return Path(bindir)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


BINDIR = _bindir()
pytestmark = pytest.mark.skipif(
    BINDIR is None, reason="the PostgreSQL server programs (initdb, pg_ctl) are not installed: apt install postgresql"
)


class Cluster:
    """A PostgreSQL cluster in a temporary folder, on a free port; run as ``postgres`` when we are root."""

    def __init__(self) -> None:
        assert BINDIR is not None
        self.workdir = Path(tempfile.mkdtemp(prefix="registry-restart-pg-"))
        self.workdir.chmod(0o755)
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            if subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            shutil.chown(self.workdir, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._run("initdb", "-D", str(self.workdir / "data"), "-U", "postgres", "-A", "trust", "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        assert BINDIR is not None
        result = subprocess.run([*self.as_owner, str(BINDIR / program), *args], capture_output=True, text=True)
        assert result.returncode == 0, f"{program} failed: {result.stderr}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.workdir / "data"), "-l", str(self.workdir / "log"), "-w", "-t", "60",
                  "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.workdir / "data"), "-m", "fast", "-w", "-t", "60", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        if BINDIR is not None:
            subprocess.run([*self.as_owner, str(BINDIR / "pg_ctl"), "-D", str(self.workdir / "data"),
                            "-m", "immediate", "stop"], capture_output=True)  # fmt: skip
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    own = Cluster()
    try:
        own.start()
        admin = create_engine(own.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE registry"))
        admin.dispose()
        yield own
    finally:
        own.remove()


def _eventually(check: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Poll until ``check`` holds, failing with ``what`` after a bounded wait."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"after {seconds:.0f} seconds: {what}")
        time.sleep(0.1)


def test_the_app_recovers_when_postgresql_restarts_without_being_restarted(cluster: Cluster) -> None:
    # errors are answered as a user sees them (the error page), not raised into the test
    app: Flask = make_app(cluster.url("registry"), PROPAGATE_TEST_ERRORS=False, PROPAGATE_EXCEPTIONS=False)
    migrate_to_head(app)
    admin = make_user(app, Role.ADMIN, name="Ada Admin")
    anonymous, signed_in = app.test_client(), app.test_client(user=admin)
    try:
        assert anonymous.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
        assert "You are signed in as Ada Admin" in signed_in.get("/").text

        cluster.stop()
        down = anonymous.get("/healthz")
        assert down.status_code == 503
        assert down.get_json() == {"status": "unavailable", "database": "unreachable"}
        page = signed_in.get("/")
        assert page.status_code == 503
        assert "Sorry, the service is unavailable" in page.text
        assert "Try again later. Nothing you entered has been saved." in page.text
        assert "Traceback" not in page.text and "OperationalError" not in page.text

        cluster.start()
        _eventually(lambda: anonymous.get("/healthz").status_code == 200, "/healthz still does not answer 200")
        back = signed_in.get("/")
        assert back.status_code == 200
        assert "You are signed in as Ada Admin" in back.text
    finally:
        with app.app_context():
            db.engine.dispose()
