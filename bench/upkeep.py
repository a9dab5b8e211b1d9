"""Keeping a seeded benchmark database in step with the app (used by bench/seed.py).

The app maintains some derived data itself: each agreement's number of readiness gaps (worked out
in Python by registry/readiness.py) and the dashboard's tallies (database triggers). A bulk load
bypasses both, so after it they are recomputed here: readiness by the app's own rules (for large
sizes on a sample, the rest given the sample's number for the same kind: every seeded agreement of
a kind has the same shape), then ``tallies.rebuild``. Migrations run in this process, with the
same sampling, so upgrading a cached million-agreement database takes minutes, not hours.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

SAMPLE = 300


@contextlib.contextmanager
def app_for(url: str) -> Iterator[Any]:
    from bench.seed import KEY_DIR
    from config import local_signing_key
    from registry import create_app

    key, passphrase = local_signing_key(KEY_DIR)
    overrides = {"SQLALCHEMY_DATABASE_URI": url, "SIGNING_PKCS12": key, "SIGNING_KEY_PASSPHRASE": passphrase}
    app = create_app("development", overrides)
    with app.app_context():
        from registry.extensions import db

        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _sampled(original: Any) -> Any:
    """refresh_readiness on a sample, the rest by kind from the sample (see the module's docstring)."""

    def refresh(session: Any, agreement_ids: set[int]) -> None:
        from sqlalchemy import bindparam, text

        ids = sorted(agreement_ids)
        if len(ids) <= SAMPLE:
            original(session, set(ids))
            return
        original(session, set(ids[:SAMPLE]))
        session.flush()
        found = session.execute(
            text("SELECT kind, max(readiness_gaps) FROM agreement WHERE id IN :ids GROUP BY kind").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids[:SAMPLE]},
        ).all()
        for kind, number in found:
            session.execute(
                text(
                    "UPDATE agreement SET readiness_gaps = :n WHERE kind = :kind AND readiness_gaps IS NULL"
                    " AND status IN ('draft', 'awaiting_approval')"
                ),
                {"n": number, "kind": kind},
            )
        print(f"    readiness: {SAMPLE} agreements checked, {len(ids) - SAMPLE:,} given their kind's number")

    return refresh


@contextlib.contextmanager
def sampled_readiness(enabled: bool) -> Iterator[None]:
    try:
        from registry.services import tallies
    except ImportError:
        yield
        return
    original = tallies.refresh_readiness
    if enabled:
        tallies.refresh_readiness = _sampled(original)  # type: ignore[assignment]
    try:
        yield
    finally:
        tallies.refresh_readiness = original  # type: ignore[assignment]


def migrate(url: str, *, sample: bool) -> None:
    """``flask db upgrade`` in this process (readiness backfills sampled when ``sample``)."""
    from flask_migrate import upgrade

    with sampled_readiness(sample), app_for(url):
        upgrade()


def after_load(url: str, *, sample: bool) -> None:
    """Readiness gaps and the dashboard's tallies, recomputed after a bulk load."""
    try:
        from registry.services import tallies
    except ImportError:
        return
    from sqlalchemy import text

    from registry.extensions import db

    with sampled_readiness(sample), app_for(url):
        if db.engine.dialect.name == "postgresql":
            # no tally triggers for this transaction: each updated row would update the same tally
            # row again, and PostgreSQL follows that row's ever longer chain of versions each time
            # (quadratic: hours at 1M). The tallies are rebuilt from the table just below.
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
        ids = set(db.session.scalars(text("SELECT id FROM agreement WHERE status IN ('draft', 'awaiting_approval')")))
        tallies.refresh_readiness(db.session, ids)
        db.session.flush()
        tallies.rebuild(db.session)
        db.session.commit()


def load_demo(url: str) -> dict[str, Any]:
    """The demo records and users, made by the app's own code (the demo's signed agreement is sealed
    with the bench's key); returns where the bulk load's ids start and the audit chain's head."""
    from sqlalchemy import func, select

    from registry.extensions import db
    from registry.models import AuditChainHead, User
    from registry.services import demo

    with app_for(url) as app:
        demo.load(app.config["DEMO_PASSWORD"])
        db.session.commit()
        start: dict[str, Any] = {}
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key:
                start[table.name] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        head = db.session.get(AuditChainHead, 1)
        start["seq"], start["hash"] = (head.last_seq, head.last_hash) if head else (0, "0" * 64)
        start["users"] = {u.email: (u.id, u.role, u.organisation_id) for u in db.session.scalars(select(User))}
    return start
