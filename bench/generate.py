"""The rows of a benchmark database, in realistic proportions (used by bench/seed.py).

Per 1,000 agreements: about 3 organisations (at least 50 in all, across the three sectors),
5 partnerships of 3 to 6 members, 3,000 parties, 2,000 data items, 1,000 subject groups,
about 600 reviews and 750 approved versions, and 10,000 audit events. Everything is derived
from the row number, so a size always seeds the same database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from registry.audit_chain import canonical

START = datetime(2018, 1, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
TODAY = date(2026, 11, 26)
EVENTS_PER_AGREEMENT = 10

PLACES = ("Northbridge", "Riverside", "Eastmoor", "Kingsholm", "Ashby", "Fenwick", "Highcliffe", "Marston",
          "Oakley", "Southwold", "Thornbury", "Westfield", "Brackley", "Calder", "Dunmore", "Elmstead")  # fmt: skip
ORG_KINDS = (("public", "local_authority", "Council"), ("public", "nhs_body", "NHS Trust"),
             ("public", "police", "Police"), ("public", "school", "Academy"), ("public", "fe_college", "College"),
             ("third", "housing_association", "Homes"), ("third", "charity", "Trust"),
             ("third", "voluntary_group", "Community Network"), ("private", "business", "Services Ltd"),
             ("private", "telecoms_provider", "Broadband Ltd"))  # fmt: skip
TOPICS = ("homelessness prevention", "school attendance", "hospital discharge", "adult safeguarding",
          "domestic abuse", "fuel poverty", "youth employment", "digital inclusion", "anti-social behaviour",
          "early help", "falls prevention", "troubled families", "council tax support", "housing repairs")  # fmt: skip
STATUSES = (("active", 60), ("draft", 14), ("awaiting_approval", 5), ("approved", 3),
            ("awaiting_signatures", 5), ("terminated", 8), ("expired", 5))  # fmt: skip
STATUS_CYCLE = [status for status, weight in STATUSES for _ in range(weight)]
KINDS = ("two_way", "one_way", "joint_controller", "controller_processor", "non_personal")
PARTY_ROLES = ("controller", "joint_controller", "provider", "recipient", "processor")
CATEGORIES = ("personal", "special_category", "personal", "criminal_offence", "pseudonymised", "aggregate")
VERSIONED = {"approved", "awaiting_signatures", "active", "terminated", "expired"}
ACTIONS = ("agreement.created", "agreement.party_added", "agreement.party_added", "agreement.item_added",
           "agreement.item_added", "agreement.subjects_added", "agreement.updated", "agreement.updated",
           "agreement.new_version", "agreement.reviewed")  # fmt: skip


def _mix(i: int, salt: int = 0) -> int:
    """A cheap, repeatable spread of row numbers (not random, so sizes are reproducible)."""
    return ((i + salt) * 2654435761) & 0xFFFFFFFF


def reference(i: int) -> tuple[int, str]:
    year, number = 2000 + i // 90000, i % 90000 + 1
    return year, f"DSA-{year}-{number:04d}"


def seed(loader: Any, size: int, start: dict[str, Any]) -> None:
    users = start["users"]
    manager_id = users["manager@example.org"][0]
    ig = users["ig@example.org"]
    orgs = max(50, size // 300)
    org0 = start["organisation"]
    loader.load(
        "organisation", ("id", "name", "name_key", "sector", "kind", "status", "postcode"), _organisations(orgs, org0)
    )
    partnerships = max(20, size // 200)
    p0 = start["partnership"]
    loader.load(
        "partnership",
        ("id", "name", "name_key", "purpose", "lead_organisation_id", "status", "start_date", "strategies"),
        (
            (p0 + j, f"{PLACES[j % 16]} {TOPICS[j % 14]} partnership {j}",
             f"{PLACES[j % 16]} {TOPICS[j % 14]} partnership {j}".lower(), f"Working together on {TOPICS[j % 14]}.",
             org0 + _mix(j) % orgs, "active", date(2018 + j % 8, 1 + j % 12, 1), [])
            for j in range(partnerships)
        ),
    )  # fmt: skip
    loader.load(
        "membership",
        ("partnership_id", "organisation_id", "role", "joined_on"),
        (
            (p0 + j, org0 + (_mix(j) + k * 7919) % orgs, "lead" if k == 0 else "member",
             date(2018 + j % 8, 1 + j % 12, 1))
            for j in range(partnerships)
            for k in range(3 + j % 4)
        ),
    )  # fmt: skip
    a0 = start["agreement"]
    step = (END - START) / max(size, 1)
    loader.load("agreement", AGREEMENT_COLUMNS, _agreements(size, a0, p0, partnerships, manager_id, step))
    loader.load(
        "party",
        ("agreement_id", "organisation_id", "role", "signatory_name", "signatory_job_title", "retention_period"),
        (
            (a0 + i, org0 + (_mix(i) + k * 104729) % orgs, PARTY_ROLES[(i + k) % 5], f"Signatory {k + 1}",
             "Head of Service", "Six years after the case closes")
            for i in range(size)
            for k in range(2 + i % 3)
        ),
    )  # fmt: skip
    loader.load(
        "data_item",
        ("agreement_id", "name", "description", "category", "provider_organisation_id"),
        (
            (a0 + i, ("Name and address", "Date of birth", "Health condition", "Case notes")[(i + k) % 4],
             "Held in the case management system.", CATEGORIES[(i + k) % 6], org0 + _mix(i) % orgs)
            for i in range(size)
            for k in range(1 + i % 3)
        ),
    )  # fmt: skip
    loader.load(
        "subject_group",
        ("agreement_id", "name", "includes_children", "includes_vulnerable_adults"),
        ((a0 + i, "Residents referred to the service", i % 4 == 0, i % 3 == 0) for i in range(size)),
    )
    loader.load(
        "review",
        ("agreement_id", "reviewed_on", "outcome", "notes", "next_review_date", "reviewer_id", "created_at"),
        (
            (a0 + i, created.date() + timedelta(days=365), "continue", "Reviewed at the annual panel.",
             created.date() + timedelta(days=730), ig[0], created + timedelta(days=365))
            for i, created, status in _lives(size, step)
            if status in ("active", "terminated", "expired")
        ),
    )  # fmt: skip
    loader.load(
        "agreement_version",
        ("agreement_id", "number", "snapshot", "approved_by_id", "approved_at", "document_sha256"),
        (
            (a0 + i, 1, {"title": _title(i), "kind": KINDS[i % 5]}, ig[0], created + timedelta(days=30),
             hashlib.sha256(str(i).encode()).hexdigest())
            for i, created, status in _lives(size, step)
            if status in VERSIONED
        ),
    )  # fmt: skip
    chain = {"seq": start["seq"], "hash": start["hash"]}
    manager = users["manager@example.org"]
    loader.load(
        "audit_event",
        AUDIT_COLUMNS,
        _events(size, step, chain, ("manager@example.org", *manager), ("ig@example.org", *ig)),
    )
    loader.execute(
        "UPDATE audit_chain_head SET last_seq = %s, last_hash = %s WHERE id = 1", (chain["seq"], chain["hash"])
    )
    reference_counters(loader, size)


def reference_counters(loader: Any, size: int) -> None:
    """The per-year counters the app gives out references from, past the seeded ones."""
    for year in range(2000, 2000 + (size - 1) // 90000 + 1):
        last = min(size - (year - 2000) * 90000, 90000)
        loader.execute("INSERT INTO reference_counter (year, last_number) VALUES (%s, %s)", (year, last))


def _organisations(count: int, first: int) -> Iterator[tuple]:
    for j in range(count):
        sector, kind, word = ORG_KINDS[j % len(ORG_KINDS)]
        name = f"{PLACES[(j // 10) % 16]} {word} {j}"
        yield (first + j, name, name.lower(), sector, kind, "active", f"NB{j % 90 + 1} {j % 9 + 1}AA")


def _title(i: int) -> str:
    return f"Sharing information for {TOPICS[i % 14]} in {PLACES[_mix(i) % 16]} ({i})"


def _lives(size: int, step: timedelta) -> Iterator[tuple[int, datetime, str]]:
    for i in range(size):
        yield i, (START + step * i).replace(microsecond=0), STATUS_CYCLE[_mix(i, 7) % 100]


AGREEMENT_COLUMNS = (
    "id", "reference", "title", "kind", "status", "version_number", "partnership_id", "owner_id", "purpose",
    "art6_basis", "identifiability", "direction", "frequency", "effective_from", "review_interval_months",
    "next_review_date", "created_at", "updated_at", "lock_version",
)  # fmt: skip


def _agreements(size: int, a0: int, p0: int, partnerships: int, owner: int, step: timedelta) -> Iterator[tuple]:
    for i, created, status in _lives(size, step):
        live = status != "draft"
        next_review = TODAY + timedelta(days=_mix(i, 3) % 540 - 90) if live else None
        yield (a0 + i, reference(i)[1], _title(i), KINDS[i % 5], status, 1,
               p0 + _mix(i, 1) % partnerships if i % 10 < 7 else None, owner,
               f"To support residents through {TOPICS[i % 14]}, partners share the minimum information needed "
               "to identify people at risk and agree a plan at a monthly panel.",
               "public_task", "identifiable", "two_way", "monthly", created.date() if live else None,
               12, next_review, created, created + timedelta(days=_mix(i, 5) % 200), 1 + i % 5)  # fmt: skip


AUDIT_COLUMNS = ("seq", "prev_hash", "hash", "occurred_at", "actor_id", "actor_email", "actor_role",
                 "actor_organisation_id", "action", "entity_type", "entity_id", "changes", "ip_address",
                 "request_id")  # fmt: skip


def _events(size: int, step: timedelta, chain: dict[str, Any], *actors: tuple) -> Iterator[tuple]:
    """Ten events per agreement in time order, each hashed onto the one before (registry/audit_chain.py).

    The canonical text is formatted directly (json.dumps per event is the slow part of seeding ten
    million); the first events of every run are checked against ``audit_chain.canonical``.
    """
    gap = min(step / (EVENTS_PER_AGREEMENT + 1), timedelta(days=3))
    seq, previous = chain["seq"], chain["hash"]
    sha = hashlib.sha256
    null = "null"
    for i, created, _status in _lives(size, step):
        ref = reference(i)[1]
        title = _title(i)
        for k, action in enumerate(ACTIONS):
            email, actor_id, role, org = actors[1 if action in ("agreement.new_version", "agreement.reviewed") else 0]
            seq += 1
            occurred = created + gap * k
            if occurred.microsecond:
                occurred = occurred.replace(microsecond=0)
            changes = (
                f'{{"title":{{"after":"{title}","before":null}}}}'
                if k == 0
                else f'{{"step":{{"after":{k},"before":{k - 1}}}}}'
            )
            request_id = f"{seq:032x}"
            text = (
                f'{{"action":"{action}","actor_email":"{email}","actor_id":{actor_id},'
                f'"actor_organisation_id":{null if org is None else org},"actor_role":"{role}",'
                f'"changes":{changes},"entity_id":"{ref}","entity_type":"agreement",'
                f'"ip_address":"127.0.0.1","occurred_at":"{occurred.isoformat()}","prev_hash":"{previous}",'
                f'"request_id":"{request_id}","seq":{seq}}}'
            )
            if seq <= chain["seq"] + 20:
                _check(text, seq, previous, occurred, email, actor_id, role, org, action, ref, changes, request_id)
            digest = sha(text.encode()).hexdigest()
            yield (seq, previous, digest, occurred, actor_id, email, role, org, action, "agreement", ref,
                   changes, "127.0.0.1", request_id)  # fmt: skip
            previous = digest
    chain["seq"], chain["hash"] = seq, previous


def _check(text: str, seq: int, previous: str, occurred: datetime, email: str, actor_id: int, role: str,
           org: int | None, action: str, ref: str, changes: str, request_id: str) -> None:  # fmt: skip
    event = {"seq": seq, "prev_hash": previous, "occurred_at": occurred, "actor_id": actor_id,
             "actor_email": email, "actor_role": role, "actor_organisation_id": org, "action": action,
             "entity_type": "agreement", "entity_id": ref, "changes": json.loads(changes), "ip_address": "127.0.0.1",
             "request_id": request_id}  # fmt: skip
    if canonical(event) != text.encode():
        raise RuntimeError(f"bench/generate.py no longer hashes as registry/audit_chain.py does:\n{text}")
