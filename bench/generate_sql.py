"""The same rows as bench/generate.py, made inside the database by INSERT ... SELECT (large sizes).

Generating rows in Python costs microseconds each, which at 1,000,000 agreements (about 18 million
rows) on a busy two-core machine is hours; the database makes them from a number series in C.
Proportions and values follow bench/generate.py. The one difference: the audit events' hashes are
placeholders (the hex of the sequence number), because the chain is sequential SHA-256 over each
event's JSON and cannot be computed set-wise; ``flask registry audit verify`` reports the break.
Pages never check the chain when they show it, so what is measured is unchanged.
"""

from __future__ import annotations

from typing import Any

from bench.generate import (
    ACTIONS,
    CATEGORIES,
    END,
    KINDS,
    ORG_KINDS,
    PARTY_ROLES,
    PLACES,
    START,
    STATUSES,
    TOPICS,
    VERSIONED,
)


def pick(expression: str, values: tuple[Any, ...] | list[Any]) -> str:
    """CASE (expression % n) WHEN 0 THEN v0 ... : a value from a list, in both dialects."""
    whens = " ".join(f"WHEN {n} THEN {_literal(v)}" for n, v in enumerate(values))
    return f"(CASE ({expression}) % {len(values)} {whens} END)"


def weighted(expression: str) -> str:
    """The status for a number 0-99, in the proportions of bench/generate.py's STATUSES."""
    whens, upto = [], 0
    for status, weight in STATUSES:
        upto += weight
        whens.append(f"WHEN x < {upto} THEN '{status}'")
    return f"(CASE {' '.join(whens)} END)".replace("x <", f"({expression}) <")


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


class Dialect:
    def __init__(self, name: str) -> None:
        self.name = name
        self.pg = name == "postgresql"

    def series(self, count: int) -> str:
        """FROM clause of the numbers 0 .. count-1 as column i (SQLite: from the table ``numbers`` makes)."""
        if self.pg:
            return f"generate_series(0::bigint, {count - 1}::bigint) AS s(i)"
        return f"(SELECT i FROM temp.bench_numbers WHERE i < {count}) s"

    def numbers(self, count: int) -> str | None:
        if self.pg:
            return None
        return (
            "CREATE TEMP TABLE bench_numbers (i INTEGER PRIMARY KEY); "
            f"INSERT INTO bench_numbers WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s "
            f"WHERE i < {count - 1}) SELECT i FROM s"
        )

    def mix(self, i: str, salt: int = 0) -> str:
        return f"((({i}) + {salt}) * 2654435761 & 4294967295)"

    def timestamp(self, seconds: str) -> str:
        """START plus a number of seconds."""
        epoch = int(START.timestamp())
        if self.pg:
            return f"to_timestamp({epoch} + ({seconds}))"
        return f"datetime({epoch} + ({seconds}), 'unixepoch')"

    def day(self, timestamp_seconds: str, plus_days: str = "0") -> str:
        epoch = int(START.timestamp())
        if self.pg:
            return f"(to_timestamp({epoch} + ({timestamp_seconds}))::date + ({plus_days})::int)"
        return f"date({epoch} + ({timestamp_seconds}), 'unixepoch', ({plus_days}) || ' days')"

    def today_plus(self, days: str) -> str:
        if self.pg:
            return f"(date '2026-11-26' + ({days})::int)"
        return f"date('2026-11-26', ({days}) || ' days')"

    def reference(self, i: str) -> str:
        if self.pg:
            number = f"(({i}) % 90000 + 1)"  # lpad would cut 10000 to 1000
            padded = f"CASE WHEN {number} < 10000 THEN lpad({number}::text, 4, '0') ELSE {number}::text END"
            return f"format('DSA-%s-%s', 2000 + ({i}) / 90000, {padded})"
        return f"printf('DSA-%d-%04d', 2000 + ({i}) / 90000, ({i}) % 90000 + 1)"

    def hex64(self, n: str) -> str:
        return f"lpad(to_hex({n}), 64, '0')" if self.pg else f"printf('%064x', {n})"

    def hex32(self, n: str) -> str:
        return f"lpad(to_hex({n}), 32, '0')" if self.pg else f"printf('%032x', {n})"

    def json(self, expression: str) -> str:
        return f"({expression})::json" if self.pg else f"({expression})"

    def boolean(self, expression: str) -> str:
        return f"({expression})" if self.pg else f"(CASE WHEN {expression} THEN 1 ELSE 0 END)"


def seed(loader: Any, size: int, start: dict[str, Any]) -> dict[str, Any]:
    """Fill the tables in the database; returns the audit chain's new head."""
    d = Dialect(loader.kind)
    users = start["users"]
    manager_id, ig_id = users["manager@example.org"][0], users["ig@example.org"][0]
    orgs, partnerships = max(50, size // 300), max(20, size // 200)
    o0, p0, a0 = start["organisation"], start["partnership"], start["agreement"]
    step = int((END - START).total_seconds() / max(size, 1))
    created = f"(i * {step})"
    if d.numbers(size):
        for statement in d.numbers(size).split("; "):  # type: ignore[union-attr]
            loader.execute(statement)
    status = weighted(d.mix("i", 7) + " % 100")
    name = f"{pick('(i / 10) % 16', PLACES)} || ' ' || {pick('i', [w for _s, _k, w in ORG_KINDS])} || ' ' || i"

    loader.insert_select("organisation", {
        "id": f"{o0} + i", "name": name, "name_key": f"lower({name})",
        "sector": pick("i", [s for s, _k, _w in ORG_KINDS]), "kind": pick("i", [k for _s, k, _w in ORG_KINDS]),
        "status": "'active'", "postcode": "'NB' || (i % 90 + 1) || ' ' || (i % 9 + 1) || 'AA'",
    }, d.series(orgs))  # fmt: skip
    pname = f"{pick('i % 16', PLACES)} || ' ' || {pick('i % 14', TOPICS)} || ' partnership ' || i"
    loader.insert_select("partnership", {
        "id": f"{p0} + i", "name": pname, "name_key": f"lower({pname})",
        "purpose": f"'Working together on ' || {pick('i % 14', TOPICS)} || '.'",
        "lead_organisation_id": f"{o0} + {d.mix('i')} % {orgs}", "status": "'active'",
        "start_date": d.day("(i % 8) * 31536000"), "strategies": d.json("'[]'"),
    }, d.series(partnerships))  # fmt: skip
    loader.insert_select("membership", {
        "partnership_id": f"{p0} + p.i", "organisation_id": f"{o0} + ({d.mix('p.i')} + k.i * 7919) % {orgs}",
        "role": "CASE WHEN k.i = 0 THEN 'lead' ELSE 'member' END", "joined_on": d.day("(p.i % 8) * 31536000"),
    }, f"{_alias(d.series(partnerships), 'p')} JOIN {_alias(d.series(6), 'k')} ON k.i < 3 + p.i % 4")  # fmt: skip
    live = f"{status} != 'draft'"
    loader.insert_select("agreement", {
        "id": f"{a0} + i", "reference": d.reference("i"),
        "title": f"'Sharing information for ' || {pick('i % 14', TOPICS)} || ' in ' || "
                 f"{pick(d.mix('i') + ' % 16', PLACES)} || ' (' || i || ')'",
        "kind": pick("i % 5", KINDS), "status": status, "version_number": "1",
        "partnership_id": f"CASE WHEN i % 10 < 7 THEN {p0} + {d.mix('i', 1)} % {partnerships} END",
        "owner_id": str(manager_id),
        "purpose": f"'To support residents through ' || {pick('i % 14', TOPICS)} || ', partners share the minimum "
                   "information needed to identify people at risk and agree a plan at a monthly panel.'",
        "art6_basis": "'public_task'", "identifiability": "'identifiable'", "direction": "'two_way'",
        "frequency": "'monthly'", "effective_from": f"CASE WHEN {live} THEN {d.day(created)} END",
        "review_interval_months": "12",
        "next_review_date": f"CASE WHEN {live} THEN {d.today_plus(d.mix('i', 3) + ' % 540 - 90')} END",
        "created_at": d.timestamp(created),
        "updated_at": d.timestamp(f"{created} + ({d.mix('i', 5)} % 200) * 86400"),
        "lock_version": "1 + i % 5",
    }, d.series(size))  # fmt: skip
    per_agreement = f"{_alias(d.series(size), 'a')} JOIN {_alias(d.series(4), 'k')} ON k.i < "
    loader.insert_select("party", {
        "agreement_id": f"{a0} + a.i", "organisation_id": f"{o0} + ({d.mix('a.i')} + k.i * 104729) % {orgs}",
        "role": pick("a.i + k.i", PARTY_ROLES), "signatory_name": "'Signatory ' || (k.i + 1)",
        "signatory_job_title": "'Head of Service'", "retention_period": "'Six years after the case closes'",
    }, per_agreement + "2 + a.i % 3")  # fmt: skip
    loader.insert_select("data_item", {
        "agreement_id": f"{a0} + a.i",
        "name": pick("a.i + k.i", ("Name and address", "Date of birth", "Health condition", "Case notes")),
        "description": "'Held in the case management system.'", "category": pick("a.i + k.i", CATEGORIES),
        "provider_organisation_id": f"{o0} + {d.mix('a.i')} % {orgs}",
    }, per_agreement + "1 + a.i % 3")  # fmt: skip
    loader.insert_select("subject_group", {
        "agreement_id": f"{a0} + i", "name": "'Residents referred to the service'",
        "includes_children": d.boolean("i % 4 = 0"), "includes_vulnerable_adults": d.boolean("i % 3 = 0"),
    }, d.series(size))  # fmt: skip
    year = 365 * 86400
    loader.insert_select("review", {
        "agreement_id": f"{a0} + i", "reviewed_on": d.day(f"{created} + {year}"), "outcome": "'continue'",
        "notes": "'Reviewed at the annual panel.'", "next_review_date": d.day(f"{created} + {2 * year}"),
        "reviewer_id": str(ig_id), "created_at": d.timestamp(f"{created} + {year}"),
    }, d.series(size) + f" WHERE {status} IN ('active', 'terminated', 'expired')")  # fmt: skip
    loader.insert_select("agreement_version", {
        "agreement_id": f"{a0} + i", "number": "1",
        "snapshot": d.json(
            f"'{{\"title\": \"Agreement ' || i || '\", \"kind\": \"' || {pick('i % 5', KINDS)} || '\"}}'"
        ),
        "approved_by_id": str(ig_id), "approved_at": d.timestamp(f"{created} + 30 * 86400"),
        "document_sha256": d.hex64("i"),
    }, d.series(size) + f" WHERE {status} IN ({', '.join(repr(s) for s in sorted(VERSIONED))})")  # fmt: skip
    seq0 = start["seq"]
    seq = f"({seq0} + a.i * {len(ACTIONS)} + k.i + 1)"
    gap = max(1, min(step // (len(ACTIONS) + 1), 3 * 86400))
    by_ig = "k.i >= 8"
    loader.insert_select("audit_event", {
        "seq": seq, "prev_hash": d.hex64(f"{seq} - 1"), "hash": d.hex64(seq),
        "occurred_at": d.timestamp(f"a.i * {step} + k.i * {gap}"),
        "actor_id": f"CASE WHEN {by_ig} THEN {ig_id} ELSE {manager_id} END",
        "actor_email": f"CASE WHEN {by_ig} THEN 'ig@example.org' ELSE 'manager@example.org' END",
        "actor_role": f"CASE WHEN {by_ig} THEN 'ig_officer' ELSE 'manager' END",
        "action": pick("k.i", ACTIONS), "entity_type": "'agreement'", "entity_id": d.reference("a.i"),
        "changes": d.json("'{\"step\": {\"before\": ' || k.i || ', \"after\": ' || (k.i + 1) || '}}'"),
        "ip_address": "'127.0.0.1'", "request_id": d.hex32(seq),
    }, f"{_alias(d.series(size), 'a')} JOIN {_alias(d.series(len(ACTIONS)), 'k')} ON 1 = 1")  # fmt: skip
    last = seq0 + size * len(ACTIONS)
    return {"seq": last, "hash": f"{last:064x}"}


def _alias(series: str, name: str) -> str:
    """The same number series under another alias (for joins of two series)."""
    return (
        series[: series.rindex(" s")] + f" {name}"
        if not series.endswith("s(i)")
        else series.replace("AS s(i)", f"AS {name}(i)")
    )
