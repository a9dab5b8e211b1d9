"""``make security-scan``: sqlmap against the query parameters of every list and search page.

For each database (SQLite and PostgreSQL, side by side): a fresh registry with the demo data served by gunicorn
on loopback (development settings, as ``make load``), a signed-in session per role (the IG officer's
through the two-factor code step when it is on, with ``flask registry demo-code``), then sqlmap in
batch mode, bounded in time, against each page's search, filter, sort and paging parameters with
the payloads of that database. Fails when sqlmap identifies an injection point, when a target
did not finish in time, or when any of its requests got a server error (5xx). Raw logs go to
bench/results/security-scan/ (git-ignored), with a summary in summary.json.

Settings from the environment: SCAN_DATABASES (default "sqlite,postgresql"), SCAN_LEVEL (2; SQLite's own
payloads start at level 3, which takes about five times as long),
SCAN_RISK (2), SCAN_TARGET_SECONDS (time limit per page, default 600), SCAN_TARGETS (a comma-separated
subset of the target names below).
"""

from __future__ import annotations

import html
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))

from checks import read_access_logs, read_error_logs
from forms import csrf_token
from servers import ROOT, Registry, database_for, drop_postgres_database

RESULTS = ROOT / "bench" / "results" / "security-scan"
PASSWORD = os.environ.get("REGISTRY_DEMO_PASSWORD", "demo-password-2026")
DBMS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# name -> (who, path, parameters with ordinary values: each one is tested)
TARGETS: dict[str, tuple[str, str, dict[str, str]]] = {
    "organisations": ("manager@example.org", "/organisations/",
                      {"q": "north", "sector": "public", "kind": "charity", "status": "active", "sort": "name",
                       "page": "1"}),
    "agreements": ("manager@example.org", "/agreements/",
                   {"q": "data", "status": "active", "kind": "two_way", "organisation": "1", "partnership": "1",
                    "sector": "public", "sort": "reference"}),
    "agreements-more": ("manager@example.org", "/agreements/",
                        {"data": "special_category", "review": "90", "gaps": "yes", "starts_from": "1/4/2026",
                         "starts_to": "31/12/2030", "changed_since": "1/1/2026", "sort": "review",
                         "after": "WyIyMDI2LTAxLTAxIiwxXQ"}),
    "agreements-partner": ("partner@example.org", "/agreements/",
                           {"q": "data", "status": "active", "organisation": "2", "sort": "-updated"}),
    "partnerships": ("manager@example.org", "/partnerships/",
                     {"q": "north", "status": "active", "priority": "high", "member": "1", "community": "1",
                      "sort": "name", "page": "1"}),
    "search": ("manager@example.org", "/search", {"q": "north", "kind": "organisations", "page": "1"}),
    "audit": ("ig@example.org", "/audit/",
              {"entity_type": "organisation", "entity_id": "1", "actor": "manager", "organisation": "1",
               "action": "organisation.created", "from-day": "1", "from-month": "1", "from-year": "2026",
               "to-day": "31", "to-month": "12", "to-year": "2030", "after": "1"}),
}  # fmt: skip

INJECTABLE = re.compile(r"parameter '([^']+)' (?:is|appears to be) .*injectable", re.I)
HEURISTIC = re.compile(r"heuristic \(basic\) test shows that .*might be injectable", re.I)
NOT_INJECTABLE = re.compile(r"parameter '([^']+)' does not seem to be injectable", re.I)
HTTP_ERRORS = re.compile(r"HTTP error codes detected during run:\s*(.*)", re.I)


class Session:
    """A browser's cookies for one signed-in user."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.host + path, timeout=60) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, fields: list[tuple[str, str]]) -> tuple[str, str]:
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.host + path, data=data, timeout=60) as response:
            return response.geturl(), response.read().decode()

    @property
    def cookie(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


def sign_in(registry: Registry, host: str, email: str) -> Session:
    session = Session(host)
    _url, page = session.get("/sign-in")
    url, page = session.post("/sign-in", [("csrf_token", csrf_token(page) or ""), ("email", email),
                                          ("password", PASSWORD)])  # fmt: skip
    if urllib.parse.urlsplit(url).path == "/sign-in/code":
        code = registry.flask("registry", "demo-code", email).strip().splitlines()[-1]
        url, page = session.post("/sign-in/code", [("csrf_token", csrf_token(page) or ""), ("code", code)])
    if urllib.parse.urlsplit(url).path.startswith("/sign-in"):
        raise RuntimeError(f"could not sign in as {email}: ended at {url}")
    return session


def run_sqlmap(kind: str, name: str, url: str, cookie: str, params: list[str], log: Path, seconds: int) -> dict:
    level, risk = os.environ.get("SCAN_LEVEL", "2"), os.environ.get("SCAN_RISK", "2")
    command = [
        "sqlmap", "-u", url, f"--cookie={cookie}", "--drop-set-cookie", "--batch", f"--level={level}",
        f"--risk={risk}", "-p", ",".join(params), f"--dbms={DBMS[kind]}", "--threads=4", "--timeout=30",
        "--retries=1", "--flush-session", "--disable-coloring", f"--output-dir={log.parent / 'sqlmap'}",
    ]  # fmt: skip
    started = time.monotonic()
    with open(log, "w") as out:
        out.write("$ " + " ".join(c if not c.startswith("--cookie=") else "--cookie=<session>" for c in command) + "\n")
        out.flush()
        try:
            finished = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=seconds).returncode
        except subprocess.TimeoutExpired:
            finished = None
    text = re.sub(r"(?m)^Cookie: .*$", "Cookie: <session>", log.read_text())  # a session is no thing to keep
    log.write_text(text)
    # sqlmap names a parameter that "appears to be injectable" and then checks it; one it then finds a false
    # positive is not reported as an injection point, so only the injection points it identified count
    confirmed = "identified the following injection point" in text
    suspected = sorted(set(INJECTABLE.findall(text)))
    injectable = suspected if confirmed else []
    return {
        "target": name,
        "url": url.split("?")[0],
        "parameters": params,
        "seconds": round(time.monotonic() - started),
        # a run stopped part-way proves nothing: finished means sqlmap said its verdict on every parameter
        "finished": finished is not None
        and finished >= 0
        and ("all tested parameters do not appear to be injectable" in text or confirmed),
        "exit_code": finished,
        "injectable": injectable,
        "injection_points_identified": confirmed,
        "dismissed_as_false_positive": [] if confirmed else suspected,
        "not_injectable": sorted(set(NOT_INJECTABLE.findall(text))),
        "heuristic_warnings": len(HEURISTIC.findall(text)),
        "http_errors": HTTP_ERRORS.findall(text),
        "all_clean": "all tested parameters do not appear to be injectable" in text,
        "log": str(log.relative_to(ROOT)),
    }


def scan_database(kind: str, names: list[str], seconds: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"registry-scan-{kind}-"))
    database_url = database_for(kind, workdir, "registry_scan")
    registry = Registry(workdir, database_url)
    out = RESULTS / kind
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    try:
        registry.prepare()
        (host,) = registry.start(1, 4)
        results = []
        for name in names:
            email, path, values = TARGETS[name]
            session = sign_in(registry, host, email)
            landed, _page = session.get(path + "?" + urllib.parse.urlencode(values))
            if urllib.parse.urlsplit(landed).path != path:
                raise RuntimeError(f"{email} cannot open {path}: ended at {landed}")
            print(f"==> {kind}: sqlmap on {path} as {email} ({', '.join(values)})", flush=True)
            url = host + path + "?" + urllib.parse.urlencode(values)
            result = run_sqlmap(kind, name, url, session.cookie, list(values), out / f"{name}.log", seconds)
            after, _page = session.get(path)
            result["still_signed_in"] = urllib.parse.urlsplit(after).path == path
            results.append(result)
            print(f"    {kind} {name}: {_verdict(result)} in {result['seconds']} s", flush=True)
    finally:
        registry.stop()
        for server in registry.servers:
            for log in server[2:]:
                if log.exists():
                    shutil.copy(log, out / log.name)
        if kind != "sqlite":
            drop_postgres_database(database_url)
        shutil.rmtree(workdir, ignore_errors=True)
    access = read_access_logs([out / s[2].name for s in registry.servers])
    errors = read_error_logs([out / s[3].name for s in registry.servers])
    return {"database": kind, "targets": results, "requests": access["per_server"],
            "server_errors": access["server_errors"][:20], "tracebacks": errors["tracebacks"][:5]}  # fmt: skip


def _verdict(result: dict) -> str:
    if result["injectable"] or result["injection_points_identified"]:
        return f"INJECTABLE: {', '.join(result['injectable']) or 'see log'}"
    if not result["finished"]:
        return "DID NOT FINISH (time limit, or sqlmap stopped before its verdict)"
    if not result["still_signed_in"]:
        return "SESSION LOST during the scan (results not trustworthy)"
    if _server_errors(result):
        return f"SERVER ERRORS {_server_errors(result)}"
    if result["dismissed_as_false_positive"]:
        dismissed = ", ".join(result["dismissed_as_false_positive"])
        return f"no injectable parameter (sqlmap suspected {dismissed}, then found it a false positive)"
    return "no injectable parameter" + (f"; HTTP answers {result['http_errors']}" if result["http_errors"] else "")


def _ok(result: dict) -> bool:
    return (not result["injectable"] and not result["injection_points_identified"] and result["finished"]
            and result["still_signed_in"] and not _server_errors(result))  # fmt: skip


def _server_errors(result: dict) -> list[str]:
    """The 5xx codes among those sqlmap saw (4xx answers to hostile input are fine)."""
    return [code for line in result["http_errors"] for code in re.findall(r"5\d\d \([^)]*\) - \d+ times", line)]


def main() -> int:
    kinds = [k.strip() for k in os.environ.get("SCAN_DATABASES", "sqlite,postgresql").split(",") if k.strip()]
    names = [n.strip() for n in os.environ.get("SCAN_TARGETS", ",".join(TARGETS)).split(",") if n.strip()]
    seconds = int(os.environ.get("SCAN_TARGET_SECONDS", "600"))
    version = subprocess.run(["sqlmap", "--version"], capture_output=True, text=True).stdout.strip().splitlines()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    databases, failures = [], []

    def scan(kind: str) -> None:
        try:
            databases.append(scan_database(kind, names, seconds))
        except Exception as error:  # noqa: BLE001  a scan that cannot start is a failure to report
            failures.append(f"{kind}: {error}")
            print(f"FAIL {kind}: {error}")

    # the databases side by side: much of sqlmap's time is waiting (time-based payloads, page comparison)
    with ThreadPoolExecutor(max_workers=len(kinds) or 1) as pool:
        list(pool.map(scan, kinds))
    databases.sort(key=lambda database: kinds.index(database["database"]))
    print(f"\n== sqlmap {version}, level {os.environ.get('SCAN_LEVEL', '2')}, risk {os.environ.get('SCAN_RISK', '2')}")
    for database in databases:
        print(f"   {database['database']}: {database['requests']}")
        for result in database["targets"]:
            print(f"   [{'ok' if _ok(result) else 'FAIL'}] {database['database']:<10} {result['target']:<20} "
                  f"{len(result['parameters'])} parameters, {result['seconds']:>4} s: {_verdict(result)}")  # fmt: skip
            if not _ok(result):
                failures.append(f"{database['database']} {result['target']}: {_verdict(result)}")
        if database["server_errors"]:
            failures.append(f"{database['database']}: {len(database['server_errors'])} server errors (5xx)")
            print("   server errors:\n   " + "\n   ".join(database["server_errors"][:10]))
        for traceback in database["tracebacks"]:
            print("   traceback from gunicorn:\n" + html.unescape(traceback))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    summary = {"finished_at": stamp, "sqlmap": version, "databases": databases, "failures": failures,
               "ok": not failures}  # fmt: skip
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=1))
    print(f"\nRaw logs and summary.json in {RESULTS.relative_to(ROOT)}/")
    print("SECURITY SCAN PASSED" if not failures else "SECURITY SCAN FAILED:\n  " + "\n  ".join(failures))
    return 0 if not failures else 1


if __name__ == "__main__":
    # stopped from outside: still stop the servers and drop the database (the finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
