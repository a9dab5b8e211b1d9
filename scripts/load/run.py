"""``make load``: the registry under load on SQLite and on PostgreSQL, and the checks afterwards.

For each database: a fresh database with the demo data, gunicorn with several sync workers (one
server on SQLite; two sharing one PostgreSQL database, as a scaled-out deployment would), locust in
a second process on loopback for a bounded time, then: no server errors, no write lost or doubled
(every save the servers confirmed is in the database exactly once, with its audit event), the audit
chain intact, and no "database is locked". Prints a summary, writes it to bench/results/, and exits
non-zero on any failure.

Settings from the environment: LOAD_SECONDS (per database, default 60), LOAD_USERS (default 24, started two a second),
LOAD_WORKERS (gunicorn workers per server, default 4), LOAD_DATABASES (default "sqlite,postgresql"),
LOAD_POSTGRES_URL (default TEST_DATABASE_URL, then postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import csv
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checks import Check, check_writes, read_access_logs, read_error_logs, targets
from servers import BIN, ROOT, Registry, database_for, drop_postgres_database

RESULTS = ROOT / "bench" / "results"
PASSWORD = os.environ.get("REGISTRY_DEMO_PASSWORD", "demo-password-2026")


def run_locust(workdir: Path, hosts: list[str], plan_path: Path, seconds: int, users: int) -> dict[str, Any]:
    """Locust headless in its own process; its per-request statistics and what it saw succeed."""
    output = workdir / "locust-record.json"
    env = {**os.environ, "LOAD_HOSTS": ",".join(hosts), "LOAD_TARGETS": str(plan_path), "LOAD_OUTPUT": str(output)}
    command = [
        str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
        "--users", str(users), "--spawn-rate", str(max(users // 12, 1)), "--run-time", f"{seconds}s",
        "--stop-timeout", "30", "--csv", str(workdir / "locust"), "--only-summary",
        "--host", hosts[0], "--loglevel", "WARNING",
    ]  # fmt: skip
    with open(workdir / "locust.log", "w") as log:
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=seconds + 180)
    if not output.exists():
        raise RuntimeError("locust recorded nothing:\n" + (workdir / "locust.log").read_text()[-3000:])
    record = json.loads(output.read_text())
    stats = statistics(record)
    failures = []
    with open(workdir / "locust_failures.csv") as failures_file:
        failures = [dict(row) for row in csv.DictReader(failures_file)]
    return {"stats": stats, "failures": failures, "record": record}


def _failures(failures: list[dict[str, str]]) -> str:
    return "; ".join(f"{f['Name']}: {f['Error']} x{f['Occurrences']}" for f in failures[:5]) or "none failed"


def statistics(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Count, failures, throughput and p50/p99/max per request kind and in all, from every request's time.

    Computed here from what locustfile.py recorded rather than read from locust's CSV, whose last write can
    come before the requests finished during the stop timeout.
    """
    first, last = record["span"]
    elapsed = max((last or 0) - (first or 0), 0.001)
    kinds = {**record["times"], "Aggregated": [t for times in record["times"].values() for t in times]}
    stats = {}
    for name, times in kinds.items():
        ordered = sorted(times)
        failures = sum(record["failed"].values()) if name == "Aggregated" else record["failed"].get(name, 0)
        stats[name] = {
            "requests": len(ordered),
            "failures": failures,
            "per_second": round(len(ordered) / elapsed, 1),
            "p50_ms": _percentile(ordered, 50),
            "p99_ms": _percentile(ordered, 99),
            "max_ms": round(ordered[-1]) if ordered else None,
        }
    return stats


def _percentile(ordered: list[float], percent: int) -> int | None:
    """Nearest-rank percentile."""
    if not ordered:
        return None
    return round(ordered[max(math.ceil(percent / 100 * len(ordered)) - 1, 0)])


def run_database(kind: str, seconds: int, users: int, workers: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"registry-load-{kind}-"))
    database_url = database_for(kind, workdir, "registry_load")
    registry = Registry(workdir, database_url)
    prefix = f"Load {secrets.token_hex(3)}"
    servers = 1 if kind == "sqlite" else 2
    print(f"==> {kind}: {servers} gunicorn server(s) x {workers} sync workers, {users} users for {seconds} s")
    try:
        registry.prepare()
        plan = targets(database_url, prefix, PASSWORD)
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan, default=str))
        hosts = registry.start(servers, workers)
        load_before = os.getloadavg()[0]
        try:
            load = run_locust(workdir, hosts, plan_path, seconds, users)
        finally:
            load_after = os.getloadavg()[0]
            registry.stop()  # graceful: every request in flight finishes and commits before the checks
        record = load["record"]
        access = read_access_logs([server[2] for server in registry.servers])
        errors = read_error_logs([server[3] for server in registry.servers])
        verify = registry.flask("registry", "audit", "verify", check=False)
        checks = [
            Check("no server errors (5xx) seen by locust", record["status"].get("5xx", 0) == 0,
                  f"{record['status'].get('5xx', 0)} responses 5xx"),
            Check("no server errors (5xx) in gunicorn's access logs", not access["server_errors"],
                  f"{len(access['server_errors'])} lines"),
            Check("every request answered as expected", not load["failures"] and not sum(record["failed"].values()),
                  f"{dict(record['failed'])} {_failures(load['failures'])}"),
            Check("no 'database is locked'", not errors["database_locked"], f"{len(errors['database_locked'])} lines"),
            Check("no tracebacks in gunicorn's error logs", not errors["tracebacks"], f"{len(errors['tracebacks'])}"),
            *check_writes(database_url, plan, record),
            Check("audit chain intact", "The audit trail is intact" in verify,
                  next((line for line in verify.splitlines() if "intact" in line), verify.strip()[-300:])),
        ]  # fmt: skip
        keep = RESULTS / "load" / kind
        shutil.rmtree(keep, ignore_errors=True)
        keep.mkdir(parents=True)
        for name in ["locust.log", "locust_stats.csv", "locust_failures.csv", "locust-record.json", "setup.log",
                     *(p.name for p in workdir.glob("*-[0-9].log"))]:  # fmt: skip
            if (workdir / name).exists():
                shutil.copy(workdir / name, keep / name)
        total = load["stats"].get("Aggregated", {})
        return {
            "database": kind,
            "servers": servers,
            "workers_per_server": workers,
            "users": users,
            "seconds": seconds,
            "requests": total.get("requests", 0),
            "per_second": total.get("per_second", 0),
            "p50_ms": total.get("p50_ms"),
            "p99_ms": total.get("p99_ms"),
            # the machine's load average (1 minute) before and after: other work on it slows every figure
            "cpus": os.cpu_count(),
            "load_average": [round(load_before, 1), round(load_after, 1)],
            "by_kind": {name: s for name, s in load["stats"].items() if name != "Aggregated"},
            "status": record["status"],
            "requests_per_host": record["hosts"],
            "access_logs": access["per_server"],
            "writes": {
                "organisations_created": len(record["organisations_created"]),
                "progress_recorded": len(record["progress_recorded"]),
                "organisation_edits_saved": sum(record["organisation_edits"].values()),
                "organisation_edit_conflicts": record["edit_conflicts"],
                "pdf_downloads": record["downloads"],
                "sign_ins": record["sign_ins"],
            },
            # requests PostgreSQL chose as a deadlock victim (or could not serialise), run again (registry/retry.py)
            "retried": errors["retried"][:20],
            "server_errors": access["server_errors"][:20],
            "tracebacks": errors["tracebacks"][:5],
            "checks": [check.__dict__ for check in checks],
            "ok": all(check.ok for check in checks),
        }
    finally:
        registry.stop()
        if kind != "sqlite":
            drop_postgres_database(database_url)
        shutil.rmtree(workdir, ignore_errors=True)


def print_summary(results: list[dict[str, Any]]) -> None:
    for result in results:
        print(f"\n== {result['database']}: {result['servers']} server(s) x {result['workers_per_server']} workers, "
              f"{result['users']} users, {result['seconds']} s")  # fmt: skip
        print(f"   {result['cpus']} CPUs, load average {result['load_average'][0]} before, "
              f"{result['load_average'][1]} after (other work on the machine slows every figure)")  # fmt: skip
        print(f"   {result['requests']} requests, {result['per_second']} req/s, "
              f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms; status {dict(result['status'])}")  # fmt: skip
        if len(result["requests_per_host"]) > 1:
            print(f"   requests per server: {dict(result['requests_per_host'])}")
        print(f"   {'request kind':<30}{'count':>7}{'fail':>6}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}")
        for name, s in sorted(result["by_kind"].items()):
            print(f"   {name:<30}{s['requests']:>7}{s['failures']:>6}{s['per_second']:>8}{s['p50_ms']!s:>8}"
                  f"{s['p99_ms']!s:>8}")  # fmt: skip
        print(f"   writes: {result['writes']}")
        print(f"   requests run again after a deadlock or serialization failure: {len(result['retried'])}"
              + "".join(f"\n     {line}" for line in result["retried"][:5]))  # fmt: skip
        for check in result["checks"]:
            print(f"   [{'ok' if check['ok'] else 'FAIL'}] {check['name']}: {check['detail']}")
        for traceback in result["tracebacks"]:
            print("   traceback from gunicorn:\n" + traceback)


def main() -> int:
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    users = int(os.environ.get("LOAD_USERS", "24"))
    workers = int(os.environ.get("LOAD_WORKERS", "4"))
    kinds = [k.strip() for k in os.environ.get("LOAD_DATABASES", "sqlite,postgresql").split(",") if k.strip()]
    results = []
    for kind in kinds:
        try:
            results.append(run_database(kind, seconds, users, workers))
        except Exception as error:  # noqa: BLE001  a run that cannot start is a failure to report, not a crash
            results.append({"database": kind, "ok": False, "error": str(error)})
            print(f"FAIL {kind}: {error}")
    print_summary([r for r in results if "error" not in r])
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {"finished_at": stamp, "results": results, "ok": all(r["ok"] for r in results)}
    for path in (RESULTS / f"load-{stamp}.json", RESULTS / "load-latest.json"):
        path.write_text(json.dumps(document, indent=1, default=str))
    print(f"\nSummary written to {RESULTS / 'load-latest.json'}")
    print("LOAD TEST PASSED" if document["ok"] else "LOAD TEST FAILED")
    return 0 if document["ok"] else 1


if __name__ == "__main__":
    # stopped from outside: still stop the servers and drop the database (the finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
