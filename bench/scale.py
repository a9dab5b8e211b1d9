"""The scale benchmark (``make bench``): pages at 1k to 1M agreements against two baselines.

For each database (BENCH_DB=sqlite,postgresql) and size (BENCH_SIZES=1000,1000000) it seeds or
reuses a database (bench/seed.py), serves it with gunicorn and drives each page in CASES with wrk
from this process, signed in (bench/serve.py). Each page's requests/s is compared with its
baseline measured in the same run with the same server: list pages with the 50-row table, detail
pages with the one-row page. Then a worker's memory at 10k and 20k requests. Prints one table and
writes bench/results/scale.json. The URLs are in CASES below, easy to change.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

import requests

from bench import seed, serve
from config import BASE_DIR

# name, path ({placeholders} filled from the database), who signs in, baseline, target kind
# target kinds: "list" (at least 0.75 of the 50-row table), "detail" (0.75 of one row), "" (reported only)
CASES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Home", "/", "manager", "row", "detail"),
    ("Governance dashboard", "/governance/", "manager", "table", "list"),
    ("Agreements list", "/agreements/", "manager", "table", "list"),
    ("Agreements list, filtered", "/agreements/?status=active&sector={sector}", "manager", "table", "list"),
    ("Agreements list, deep page", "{agreements_deep}", "manager", "table", "list"),
    ("Agreement page", "/agreements/{reference}", "manager", "row", "detail"),
    ("Search", "/search?q={search}", "manager", "table", "list"),
    ("Audit log, deep page", "{audit_deep}", "ig", "table", "list"),
    ("Organisation page", "/organisations/{organisation}", "manager", "row", "detail"),
    ("Agreement PDF", "/agreements/{reference}/document.pdf", "manager", "row", ""),
    ("Baseline: 50-row table", "/bench-baseline/table", "manager", "", ""),
    ("Baseline: one row", "/bench-baseline/row/{agreement_id}", "manager", "", ""),
)
BASELINES = {"table": "Baseline: 50-row table", "row": "Baseline: one row"}
# the memory test cycles through these (the pages people use most, and the baseline)
MEMORY_MIX = ("/", "/agreements/", "/agreements/{reference}", "/organisations/{organisation}",
              "/search?q={search}", "/bench-baseline/table")  # fmt: skip
MEMORY_AT = (10_000, 20_000)
DEEP_PAGES = 500  # how far "deep" is: pages of 20 rows followed by their Next links
DEEP_BUDGET_S = 120.0
USERS = {"manager": "manager@example.org", "ig": "ig@example.org"}
RESULTS = BASE_DIR / "bench" / "results"
TARGET = 0.75


def sample(url: str) -> dict[str, Any]:
    """Values for the placeholders: a record from the middle of the seeded data."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM agreement")).scalar_one()
        agreement_id, reference = conn.execute(
            text("SELECT id, reference FROM agreement ORDER BY id LIMIT 1 OFFSET :n"), {"n": count // 2}
        ).one()
        organisation = conn.execute(
            text("SELECT organisation_id, count(*) FROM party GROUP BY organisation_id ORDER BY 2 DESC LIMIT 1")
        ).first()[0]
    engine.dispose()
    return {"agreement_id": agreement_id, "reference": reference, "organisation": organisation,
            "sector": "third", "search": "homelessness"}  # fmt: skip


def deep_url(
    base: str, path: str, cookie: str, db_url: str, table: str, column: str, descending: bool
) -> tuple[str, str]:
    """The address DEEP_PAGES pages into a keyset list, or ?page=DEEP_PAGES for a numbered one.

    A keyset token is the last row's sort values (registry/services/paging.py): when page 1's Next
    token is one value of ``column``, the token for row DEEP_PAGES * page size is made from the
    database directly (following 500 Next links takes minutes on a slow page); else Next links are
    followed for up to DEEP_BUDGET_S seconds.
    """
    from sqlalchemy import create_engine, text

    first = requests.get(base + path, headers={"Cookie": cookie}, timeout=300)
    match = re.search(r'href="([^"]+)"\s+rel="next"', first.text)
    if not match:
        return f"{path}?page={DEEP_PAGES}", f"page={DEEP_PAGES} (no Next link: numbered pages)"
    next_url = html.unescape(match.group(1))
    token = re.search(r"after=([^&]+)", next_url)
    values = _token_values(token.group(1)) if token else None
    if values is not None:
        engine = create_engine(db_url)
        compare, order = (">=", "DESC") if descending else ("<=", "ASC")
        with engine.connect() as conn:
            per_page = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE {column} {compare} :v"), {"v": values[0]}
            ).scalar_one()
            total = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            pages = min(DEEP_PAGES, (total - 1) // per_page + 1)  # the last page when there are fewer
            row = conn.execute(
                text(f"SELECT {column} FROM {table} ORDER BY {column} {order} LIMIT 1 OFFSET :n"),
                {"n": per_page * (pages - 1) - 1},
            ).first()
        engine.dispose()
        if row is not None and pages > 1:
            deep = next_url.replace(token.group(1), _token([row[0]]))
            if requests.get(base + deep, headers={"Cookie": cookie}, timeout=300).status_code == 200:
                return deep, f"page {pages} of {per_page} rows (keyset token made from the database)"
    started, current, depth, page_html = time.monotonic(), next_url, 2, ""
    page_html = requests.get(base + current, headers={"Cookie": cookie}, timeout=300).text
    while depth < DEEP_PAGES and time.monotonic() - started < DEEP_BUDGET_S:
        match = re.search(r'href="([^"]+)"\s+rel="next"', page_html)
        if not match:
            break
        current = html.unescape(match.group(1))
        page_html = requests.get(base + current, headers={"Cookie": cookie}, timeout=300).text
        depth += 1
    return current, f"page {depth} by Next links"


def _token_values(token: str) -> list[Any] | None:
    """The values in a keyset token (URL-safe base64 of a JSON list), if it holds one plain value."""
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    ok = isinstance(values, list) and len(values) == 1 and isinstance(values[0], str | int)
    return values if ok else None


def _token(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def code_for(url: str, email: str) -> Any:
    """The demo user's current two-factor code, from the dev-only ``flask registry demo-code``."""

    def code() -> str:
        env = {**os.environ, "DATABASE_URL": url, "REGISTRY_ENV": "development"}
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "registry", "demo-code", email],
            cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return result.stdout.strip().splitlines()[-1]

    return code


def run_one(kind: str, size: int) -> dict[str, Any]:
    seeding = time.perf_counter()
    url = seed.ensure(kind, size)
    seeded_s = time.perf_counter() - seeding
    from config import local_signing_key

    key = local_signing_key(seed.KEY_DIR)
    values = sample(url)
    server = serve.Server(url, key)
    out: dict[str, Any] = {"database": kind, "size": size, "seed_or_reuse_s": round(seeded_s, 1), "pages": {}}
    try:
        cookies = {"manager": serve.sign_in(server.base, USERS["manager"], DEMO_PASSWORD)}
        try:
            cookies["ig"] = serve.sign_in(server.base, USERS["ig"], DEMO_PASSWORD, code_for(url, USERS["ig"]))
        except (RuntimeError, subprocess.CalledProcessError) as error:
            print(f"    IG officer could not sign in ({error}): audit log n/a", flush=True)
        values["agreements_deep"], deep_note = deep_url(
            server.base, "/agreements/", cookies["manager"], url, "agreement", "reference", False
        )
        audit_note = "n/a"
        if "ig" in cookies:
            values["audit_deep"], audit_note = deep_url(
                server.base, "/audit/", cookies["ig"], url, "audit_event", "seq", True
            )
        for name, template, who, _baseline, _target in CASES:
            if who not in cookies:
                out["pages"][name] = {"path": template, "status": 0, "note": "n/a: could not sign in"}
                continue
            path = template.format(**values)
            print(f"    {name:<28} {path[:70]}", flush=True)
            result = serve.wrk(server.base, path, cookies[who]).as_dict()
            if "deep" in name:
                result["note"] = deep_note if "Agreements" in name else audit_note
            if result["status"] == 404:
                result["note"] = "n/a (404)"
            out["pages"][name] = result
            print(
                f"      {result['requests_per_s']:8.1f} req/s  p50 {result['p50_ms']:8.1f} ms  "
                f"p99 {result['p99_ms']:8.1f} ms  {result['note']}",
                flush=True,
            )
        out["memory"] = memory(server, cookies["manager"], values)
    finally:
        server.close()
    return out


def memory(server: serve.Server, cookie: str, values: dict[str, Any]) -> dict[str, Any]:
    """Each worker's RSS once the server has answered 10k and then 20k requests of the mix.

    Capped at MEMORY_BUDGET_S: on a slow run the readings are taken at half the budget and at the
    end, and the request counts they were taken at are recorded with them.
    """
    script = serve.rotation_script([p.format(**values) for p in MEMORY_MIX])
    served, readings = 0, []
    started = time.monotonic()
    for number, goal in enumerate(MEMORY_AT, start=1):
        deadline = started + MEMORY_BUDGET_S * number / len(MEMORY_AT)
        while served < goal and time.monotonic() < deadline:
            seconds = max(5, min(30, int(deadline - time.monotonic())))
            served += serve.wrk(server.base, "/", cookie, seconds=seconds, script=script, warmup=False).requests
        readings.append({"requests": served, "rss_kib": server.worker_rss_kib()})
        print(f"    memory after {served:,} requests: {readings[-1]['rss_kib']} KiB", flush=True)
    os.unlink(script)
    first, last = readings[0]["rss_kib"], readings[-1]["rss_kib"]
    growth = max((last[pid] - first[pid]) / first[pid] for pid in first if pid in last)
    return {"readings": readings, "max_growth": round(growth, 4), "seconds": round(time.monotonic() - started)}


MEMORY_BUDGET_S = int(os.environ.get("BENCH_MEMORY_SECONDS", "600"))
DEMO_PASSWORD = os.environ.get("REGISTRY_DEMO_PASSWORD", "demo-password-2026")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so each run's finally stops its gunicorn
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (Debian package wrk)")
    kinds = [k.strip() for k in os.environ.get("BENCH_DB", "sqlite,postgresql").split(",") if k.strip()]
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,1000000").split(",") if s.strip()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{os.environ.get('BENCH_OUT', 'scale')}.json"  # parallel runs: BENCH_OUT=scale-1m
    runs = json.loads(path.read_text()) if path.exists() and os.environ.get("BENCH_APPEND") else []
    for kind in kinds:
        for size in sizes:
            print(f"==> {kind}, {size:,} agreements", flush=True)
            result = run_one(kind, size)
            result["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            result["machine"] = machine()
            runs = [r for r in runs if (r["database"], r["size"]) != (kind, size)] + [result]
            path.write_text(json.dumps(runs, indent=1))
    from bench.report import merged, table

    print(table(merged()))
    (RESULTS / "scale.md").write_text(table(merged()))
    print(f"Written {path} and {RESULTS / 'scale.md'}")


def machine() -> dict[str, Any]:
    """What the figures were measured on, with the load average (other work on the machine skews them)."""
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=BASE_DIR, capture_output=True, text=True)
    return {
        "commit": commit.stdout.strip(),
        "schema": seed.schema_key(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "workers": serve.WORKERS,
        "connections": serve.CONNECTIONS,
        "seconds": serve.DURATION,
    }


if __name__ == "__main__":
    main()
