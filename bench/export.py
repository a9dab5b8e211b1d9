"""Benchmark: the agreements export (CSV and XLSX) streamed from a real server at 10,000 and 100,000 rows.

For each size: a fresh database (a temporary SQLite file, or with ``--databases postgresql`` a
PostgreSQL database on ``BENCH_PG_URL``), migrated, then organisations, agreements, parties and data items bulk-inserted
with SQLAlchemy Core; one gunicorn sync worker serves it (development settings); a manager signs in
through the sign-in form; each export is downloaded with a streaming client. Prints, for each
download, the time to the first byte, the total time, the rows read back, and the worker's peak
resident memory (sampled with psutil while it runs) against its memory before the download.
Writes bench/results/export-<databases>.json (with the machine's load average: the figures are
wall-clock times).

    .venv/bin/python -m bench.export [--sizes 10000,100000] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import requests
from sqlalchemy import create_engine, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
SECRET = "bench-export-secret-key-0123456789abcdef"
EMAIL, PASSWORD = "bench.manager@example.org", "quartz lantern meadow orbit 47"
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
ORGANISATIONS = 500
CHUNK = 10_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env_for(url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNING_", "SMTP_", "FLASK_"))}
    env.update(REGISTRY_ENV="development", REGISTRY_INSTANCE_DIR=str(instance), DATABASE_URL=url, SECRET_KEY=SECRET,
               PYTHONUNBUFFERED="1")  # fmt: skip
    return env


def _in_app(url: str, instance: Path) -> Any:
    """The app, built in this process with the server's settings (for migrating and the first user)."""
    os.environ.update(env_for(url, instance))
    from registry import create_app

    return create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})


def seed(url: str, instance: Path, size: int) -> None:
    """Migrate, add a manager through the service, then bulk-insert the register."""
    import flask_migrate

    from registry.extensions import db
    from registry.models import Agreement, DataItem, Organisation, Party
    from registry.services import users

    app = _in_app(url, instance)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        users.create(None, email=EMAIL, name="Bench Manager", role="manager", password=PASSWORD)
        db.session.commit()
        engine = db.engine
    now = datetime.now(UTC)
    rng = random.Random(7)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Organisation.__table__), [
            {"name": f"Bench organisation {n}", "name_key": f"bench organisation {n}", "sector": "public",
             "kind": "local_authority", "status": "active", "created_at": now, "updated_at": now, "version": 1}
            for n in range(ORGANISATIONS)
        ])  # fmt: skip
        orgs = list(conn.execute(select(Organisation.id)).scalars())
    kinds = ("two_way", "one_way", "joint_controller", "controller_processor")
    statuses = ("draft", "active", "active", "approved", "terminated")
    purpose = "Share the minimum needed to support residents at risk of losing their home. " * 3
    for first in range(0, size, CHUNK):
        count = min(CHUNK, size - first)
        with engine.begin() as conn:
            conn.execute(insert(Agreement.__table__), [
                {"reference": f"DSA-{2000 + n // 100_000}-{n % 100_000:05d}", "title": f"Bench agreement {n}",
                 "kind": kinds[n % 4], "status": statuses[n % 5], "version_number": 1 + n % 3,
                 "purpose": purpose, "art6_basis": "public_task", "effective_from": date(2025, 4, 1),
                 "next_review_date": date(2026, 1, 1) + timedelta(days=n % 400), "review_interval_months": 12,
                 "lock_version": 1, "created_at": now, "updated_at": now - timedelta(minutes=n)}
                for n in range(first, first + count)
            ])  # fmt: skip
            ids = list(conn.execute(select(Agreement.id).order_by(Agreement.id.desc()).limit(count)).scalars())
            conn.execute(insert(Party.__table__), [
                {"agreement_id": a, "organisation_id": org, "role": "controller"}
                for a in ids for org in rng.sample(orgs, 2)
            ])  # fmt: skip
            conn.execute(insert(DataItem.__table__), [
                {"agreement_id": a, "name": name, "category": category}
                for a in ids for name, category in (("Name", "personal"), ("Health needs", "special_category"))
            ])  # fmt: skip
        print(f"  seeded {first + count:,} of {size:,} agreements", end="\r", flush=True)
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    print(f"  seeded {size:,} agreements in {time.perf_counter() - started:.1f}s" + " " * 20)
    engine.dispose()


def serve(url: str, instance: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    with open(instance / "server.log", "w") as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "1", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
             "--timeout", "600", "wsgi:app"],
            cwd=ROOT, env=env_for(url, instance), stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
        )  # fmt: skip
    host = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(host + "/healthz", timeout=10).status_code == 200:
                return host, process
        except requests.RequestException:
            time.sleep(0.1)
        if process.poll() is not None:
            break
    raise RuntimeError(f"the server did not start: {(instance / 'server.log').read_text()[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def sign_in(host: str) -> requests.Session:
    client = requests.Session()
    page = client.get(host + "/sign-in").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    answer = client.post(host + "/sign-in", data={"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD},
                         allow_redirects=False)  # fmt: skip
    assert answer.status_code == 302, f"sign-in failed: {answer.status_code}"
    return client


class PeakRss:
    """The worker's resident memory, sampled every 10 ms while a download runs."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.start = self.process.memory_info().rss
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def worker_pid(master: subprocess.Popen[bytes]) -> int:
    for _ in range(100):
        children = psutil.Process(master.pid).children()
        if children:
            return children[0].pid
        time.sleep(0.05)
    raise RuntimeError("no gunicorn worker")


def download(client: requests.Session, url: str, pid: int) -> dict[str, Any]:
    body = io.BytesIO()
    with PeakRss(pid) as rss:
        started = time.perf_counter()
        with client.get(url, stream=True, timeout=600) as response:
            response.raise_for_status()
            chunks: Iterator[bytes] = response.iter_content(chunk_size=None)
            body.write(next(chunks))
            first = time.perf_counter() - started
            for chunk in chunks:
                body.write(chunk)
        total = time.perf_counter() - started
    data = body.getvalue()
    if url.endswith(".csv") or ".csv?" in url:
        rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig")))) - 1
    else:
        rows = count_sheet_rows(data)
    return {"first_byte_s": round(first, 3), "total_s": round(total, 2), "rows": rows, "bytes": len(data),
            "rss_before_mb": round(rss.start / 2**20, 1), "rss_peak_mb": round(rss.peak / 2**20, 1)}  # fmt: skip


def count_sheet_rows(data: bytes) -> int:
    """Rows in the sheet (less the headings), read as a stream: openpyxl would hold 100,000 rows."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        rows, tail = 0, b""
        while block := sheet.read(1 << 20):
            rows += (tail + block).count(b"<row ")
            tail = block[-4:]
            rows -= tail.count(b"<row ")  # counted again next time with the tail
        rows += tail.count(b"<row ")
    return rows - 1


def database_for(kind: str, workdir: Path, size: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / f'export-{size}.db'}"
    name = f"registry_bench_export_{size}_{os.getpid()}"
    with create_engine(PG_SERVER.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
                       isolation_level="AUTOCOMMIT").connect() as conn:  # fmt: skip
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return PG_SERVER.replace("postgresql://", "postgresql+psycopg://") + "/" + name


def drop(url: str) -> None:
    if url.startswith("postgresql"):
        server, name = url.rsplit("/", 1)
        with create_engine(server + "/postgres", isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run(kind: str, size: int, workdir: Path) -> list[dict[str, Any]]:
    instance = workdir / f"instance-{kind}-{size}"
    instance.mkdir()
    url = database_for(kind, workdir, size)
    print(f"{kind}, {size:,} agreements:")
    results = []
    try:
        seed(url, instance, size)
        host, process = serve(url, instance)
        try:
            client = sign_in(host)
            pid = worker_pid(process)
            for fmt in ("csv", "xlsx"):
                result = download(client, f"{host}/agreements/export.{fmt}", pid)
                results.append({"database": kind, "agreements": size, "format": fmt, **result})
                print(f"  {fmt:4}  first byte {result['first_byte_s']:.3f}s  total {result['total_s']:.1f}s  "
                      f"rows {result['rows']:,}  {result['bytes'] / 2**20:.1f} MB  worker RSS "
                      f"{result['rss_before_mb']:.0f} MB -> peak {result['rss_peak_mb']:.0f} MB")  # fmt: skip
                assert result["rows"] == size, f"{fmt}: {result['rows']} rows, expected {size}"
        finally:
            stop(process)
    finally:
        drop(url)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="sqlite", help="sqlite, postgresql (on BENCH_PG_URL) or both")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        for kind in args.databases.split(","):
            for size in sizes:
                results.extend(run(kind, size, Path(tmp)))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"export-{args.databases.replace(',', '-')}.json"
    path.write_text(json.dumps({"load_average": os.getloadavg(), "results": results}, indent=2) + "\n")
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
