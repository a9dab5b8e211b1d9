"""What the load test writes to, and the checks afterwards: nothing lost, nothing doubled, no server errors.

Reads the database with plain SQL, so it checks what was stored rather than what the app's models say.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, create_engine, text

# audit actions whose counts must grow by exactly what the load test saw succeed
COUNTED_ACTIONS = ("organisation.created", "organisation.updated", "objective.progress_recorded",
                   "document.downloaded", "user.signed_in", "user.signed_out")  # fmt: skip


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def targets(database_url: str, prefix: str, password: str) -> dict[str, Any]:
    """The rows the load test's users write to, and the counts before it starts."""
    today = datetime.now(ZoneInfo("Europe/London")).date()
    engine = create_engine(database_url)
    with engine.connect() as db:
        partner_org = db.execute(
            text("SELECT organisation_id FROM user_account WHERE email = 'partner@example.org'")
        ).scalar_one()
        objectives = [
            {"id": row.id, "partnership_id": row.partnership_id, "owner": row.owner_organisation_id}
            for row in db.execute(
                text("SELECT id, partnership_id, owner_organisation_id FROM objective "
                     "WHERE baseline_date <= :today ORDER BY id"), {"today": today},
            )
        ]  # fmt: skip
        shared = list(
            db.execute(text("SELECT id FROM organisation WHERE status = 'active' ORDER BY id LIMIT 2")).scalars()
        )
        versions = {
            str(row.id): row.version
            for row in db.execute(text("SELECT id, version FROM organisation WHERE id IN :ids").bindparams(
                _expanding("ids")), {"ids": shared})
        }  # fmt: skip
        before = audit_counts(db)
    engine.dispose()
    return {
        "prefix": prefix,
        "password": password,
        "objectives": objectives,
        "partner_objectives": [o for o in objectives if o["owner"] == partner_org],
        "shared_organisations": shared,
        "versions_before": versions,
        "audit_before": before,
    }


def _expanding(name: str) -> Any:
    return bindparam(name, expanding=True)


def audit_counts(db: Any) -> dict[str, int]:
    rows = db.execute(
        text("SELECT action, COUNT(*) AS n FROM audit_event WHERE action IN :actions GROUP BY action").bindparams(
            _expanding("actions")
        ),
        {"actions": list(COUNTED_ACTIONS)},
    )
    counts = dict.fromkeys(COUNTED_ACTIONS, 0)
    counts.update({row.action: row.n for row in rows})
    return counts


def check_writes(database_url: str, plan: dict[str, Any], seen: dict[str, Any]) -> list[Check]:
    """Compare what the servers said they did with what the database holds."""
    prefix = plan["prefix"]
    checks: list[Check] = []
    engine = create_engine(database_url)
    with engine.connect() as db:
        stored = Counter(
            db.execute(text("SELECT name FROM organisation WHERE name LIKE :p"), {"p": prefix + " %"}).scalars()
        )
        created = Counter(seen["organisations_created"])
        doubled = [name for name, n in stored.items() if n > 1]
        checks.append(Check(
            "organisations created", stored == created and not doubled,
            f"{sum(created.values())} created, {sum(stored.values())} rows; missing "
            f"{sorted(set(created) - set(stored))[:5]}, unexpected {sorted(set(stored) - set(created))[:5]}, "
            f"doubled {doubled[:5]}",
        ))  # fmt: skip
        audited = db.execute(
            text("SELECT COUNT(*) FROM audit_event a JOIN organisation o ON a.entity_id = CAST(o.id AS VARCHAR(40)) "
                 "WHERE a.action = 'organisation.created' AND a.entity_type = 'organisation' AND o.name LIKE :p"),
            {"p": prefix + " %"},
        ).scalar_one()  # fmt: skip
        checks.append(Check(
            "audit events for created organisations", audited == sum(created.values()),
            f"{audited} events for {sum(created.values())} organisations",
        ))  # fmt: skip
        narratives = Counter(
            db.execute(
                text("SELECT narrative FROM progress_update WHERE narrative LIKE :p"), {"p": prefix + " %"}
            ).scalars()
        )
        recorded = Counter(seen["progress_recorded"])
        checks.append(Check(
            "progress updates recorded", narratives == recorded,
            f"{sum(recorded.values())} recorded, {sum(narratives.values())} rows",
        ))  # fmt: skip
        edits = Counter({k: int(v) for k, v in seen["organisation_edits"].items()})
        for organisation_id, before in plan["versions_before"].items():
            version = db.execute(
                text("SELECT version FROM organisation WHERE id = :id"), {"id": int(organisation_id)}
            ).scalar_one()
            updates = db.execute(
                text("SELECT COUNT(*) FROM audit_event WHERE action = 'organisation.updated' AND entity_id = :id"),
                {"id": organisation_id},
            ).scalar_one()
            saved = edits[organisation_id]
            checks.append(Check(
                f"concurrent edits of organisation {organisation_id}",
                version - before == saved and updates == saved,
                f"{saved} saves said done, version went {before} -> {version} (+{version - before}), "
                f"{updates} update events; {seen['edit_conflicts']} conflicts shown across all shared organisations",
            ))  # fmt: skip
        after = audit_counts(db)
    engine.dispose()
    expected = {
        "organisation.created": sum(created.values()),
        "organisation.updated": sum(edits.values()),
        "objective.progress_recorded": sum(recorded.values()),
        "document.downloaded": seen["downloads"],
        "user.signed_in": seen["sign_ins"],
        "user.signed_out": seen["sign_outs"],
    }
    for action, wanted in expected.items():
        grew = after[action] - plan["audit_before"][action]
        checks.append(Check(f"audit events {action}", grew == wanted, f"{grew} new events, {wanted} expected"))
    return checks


_ACCESS = re.compile(r'^(\d{3}) ([\d.]+) "(\S+) (\S+)')


def read_access_logs(paths: list[Path]) -> dict[str, Any]:
    """Status classes per server, and the server errors themselves, from gunicorn's access logs."""
    per_server: dict[str, Counter] = {}
    errors: list[str] = []
    for path in paths:
        counts: Counter = Counter()
        for line in path.read_text().splitlines() if path.exists() else []:
            match = _ACCESS.match(line)
            if not match:
                continue
            status = int(match.group(1))
            counts[f"{status // 100}xx"] += 1
            if status >= 500:
                errors.append(line)
        per_server[path.name] = counts
    return {"per_server": {k: dict(v) for k, v in per_server.items()}, "server_errors": errors}


def read_error_logs(paths: list[Path]) -> dict[str, Any]:
    """Lines that say the database refused or a request failed (with the tracebacks, to report), and the
    requests run again because PostgreSQL chose them as a deadlock victim (registry/retry.py: not a failure)."""
    locked, tracebacks, retried = [], [], []
    for path in paths:
        content = path.read_text() if path.exists() else ""
        locked += [line for line in content.splitlines() if "database is locked" in line]
        retried += [line for line in content.splitlines() if "running it again" in line]
        tracebacks += re.findall(r"Traceback \(most recent call last\):.*?(?=\n\[|\Z)", content, re.S)
    return {"database_locked": locked, "tracebacks": tracebacks, "retried": retried}
