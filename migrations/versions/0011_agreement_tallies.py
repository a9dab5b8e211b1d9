"""maintained agreement counts for the dashboard

agreement_tally: one row per (dimension, value) — agreements by status, by kind, with a party in
each sector, and per status still checked for readiness, with gaps — kept in step by triggers on
agreement, party and organisation (see registry/services/tallies.py). agreement.readiness_gaps:
the readiness check's number of gaps, kept by the app after each flush and backfilled here.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 09:45:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ADD_NEW = (
    "(dimension = 'status' AND value = NEW.status) OR (dimension = 'kind' AND value = NEW.kind)"
    " OR (dimension = 'gaps' AND value = NEW.status AND NEW.readiness_gaps > 0)"
)
TAKE_OLD = ADD_NEW.replace("NEW.", "OLD.")
ON_INSERT = f"UPDATE agreement_tally SET number = number + 1 WHERE {ADD_NEW}"
ON_DELETE = f"UPDATE agreement_tally SET number = number - 1 WHERE {TAKE_OLD}"
# one statement for both sides of a change, so its rows are locked in one order by every writer
ON_UPDATE = (
    f"UPDATE agreement_tally SET number = number + (CASE WHEN {ADD_NEW} THEN 1 ELSE 0 END)"
    f" - (CASE WHEN {TAKE_OLD} THEN 1 ELSE 0 END)"
    " WHERE dimension IN ('status', 'kind', 'gaps') AND value IN (OLD.status, NEW.status, OLD.kind, NEW.kind)"
)
SAME_SECTOR = (
    "SELECT 1 FROM party p JOIN organisation o ON o.id = p.organisation_id"
    " WHERE p.agreement_id = {row}.agreement_id AND o.sector = agreement_tally.value"
)
PARTY_ADDED = (
    "UPDATE agreement_tally SET number = number + 1 WHERE dimension = 'sector'"
    " AND value = (SELECT sector FROM organisation WHERE id = NEW.organisation_id)"
    f" AND NOT EXISTS ({SAME_SECTOR.format(row='NEW')} AND p.id != NEW.id)"
)
PARTY_REMOVED = (
    "UPDATE agreement_tally SET number = number - 1 WHERE dimension = 'sector'"
    " AND value = (SELECT sector FROM organisation WHERE id = OLD.organisation_id)"
    f" AND NOT EXISTS ({SAME_SECTOR.format(row='OLD')})"
)
RECOUNT_SECTORS = (
    "UPDATE agreement_tally SET number = (SELECT count(DISTINCT p.agreement_id) FROM party p"
    " JOIN organisation o ON o.id = p.organisation_id WHERE o.sector = agreement_tally.value)"
    " WHERE dimension = 'sector'"
)

SQLITE_TRIGGERS = {
    "agreement_tally_insert": f"AFTER INSERT ON agreement BEGIN {ON_INSERT}; END",
    "agreement_tally_update": f"AFTER UPDATE OF status, kind, readiness_gaps ON agreement BEGIN {ON_UPDATE}; END",
    "agreement_tally_delete": f"AFTER DELETE ON agreement BEGIN {ON_DELETE}; END",
    "party_tally_insert": f"AFTER INSERT ON party BEGIN {PARTY_ADDED}; END",
    "party_tally_delete": f"AFTER DELETE ON party BEGIN {PARTY_REMOVED}; END",
    "party_tally_update": f"AFTER UPDATE OF organisation_id, agreement_id ON party BEGIN {RECOUNT_SECTORS}; END",
    "organisation_tally_sector": f"AFTER UPDATE OF sector ON organisation WHEN OLD.sector != NEW.sector"
    f" BEGIN {RECOUNT_SECTORS}; END",
}

PG_FUNCTIONS = {
    "agreement_tally_change": f"""
        IF TG_OP = 'INSERT' THEN {ON_INSERT};
        ELSIF TG_OP = 'UPDATE' THEN {ON_UPDATE};
        ELSE {ON_DELETE};
        END IF;
        RETURN NULL;""",
    "party_tally_change": f"""
        IF TG_OP = 'INSERT' THEN {PARTY_ADDED};
        ELSIF TG_OP = 'DELETE' THEN {PARTY_REMOVED};
        ELSE {RECOUNT_SECTORS};
        END IF;
        RETURN NULL;""",
    "organisation_tally_sector": f"""
        {RECOUNT_SECTORS};
        RETURN NULL;""",
}
PG_TRIGGERS = {
    "agreement_tally": "AFTER INSERT OR DELETE OR UPDATE OF status, kind, readiness_gaps ON agreement"
    " FOR EACH ROW EXECUTE FUNCTION agreement_tally_change()",
    "party_tally": "AFTER INSERT OR DELETE OR UPDATE OF organisation_id, agreement_id ON party"
    " FOR EACH ROW EXECUTE FUNCTION party_tally_change()",
    "organisation_tally_sector": "AFTER UPDATE OF sector ON organisation FOR EACH ROW"
    " WHEN (OLD.sector IS DISTINCT FROM NEW.sector)"
    " EXECUTE FUNCTION organisation_tally_sector()",
}
PG_TRIGGER_TABLES = {
    "agreement_tally": "agreement",
    "party_tally": "party",
    "organisation_tally_sector": "organisation",
}


# The record as it was at this revision, read with plain SQL: later models may have columns this
# schema lacks. Only the readiness rules (pure functions over a plain record) come from the app.
RECORD_FIELDS = (
    "title", "kind", "partnership_id", "purpose", "benefits", "necessity", "less_data_rationale",
    "art6_basis", "art9_condition", "schedule1_condition", "policy_document_in_place", "criminal_condition",
    "law_enforcement_processing", "other_gateways", "common_law_duty", "national_data_opt_out",
    "confirmed_anonymised", "identifiability", "approximate_volume", "direction", "frequency",
    "transfer_method", "access_controls", "onward_sharing", "international_transfers", "transfer_safeguards",
    "security_measures", "dpia_screening", "dpia_reference", "dpia_date", "dpia_outcome",
    "privacy_notice_links", "breach_contact", "termination_arrangements", "effective_from", "end_date",
    "review_interval_months", "next_review_date",
)  # fmt: skip
DATES = ("dpia_date", "effective_from", "end_date", "next_review_date")
AGREEMENT = sa.table(
    "agreement",
    sa.column("id", sa.Integer), sa.column("status", sa.String), sa.column("readiness_gaps", sa.Integer),
    *(sa.column(f, sa.Date if f in DATES else sa.JSON if f == "dpia_screening" else sa.String)
      for f in RECORD_FIELDS),
)  # fmt: skip
PARTY_FIELDS = ("role", "signatory_name", "signatory_job_title", "rights_contact", "retention_period",
                "disposal_method")  # fmt: skip
CHECKED = ("draft", "awaiting_approval")
KNOWN = {
    "status": ("draft", "awaiting_approval", "approved", "awaiting_signatures", "active", "terminated", "expired"),
    "kind": ("two_way", "one_way", "joint_controller", "controller_processor", "non_personal"),
    "sector": ("public", "third", "private"),
    "gaps": CHECKED,
}
RECOUNT = (
    "UPDATE agreement_tally SET number = (SELECT count(*) FROM agreement a WHERE a.status = agreement_tally.value)"
    " WHERE dimension = 'status'",
    "UPDATE agreement_tally SET number = (SELECT count(*) FROM agreement a WHERE a.kind = agreement_tally.value)"
    " WHERE dimension = 'kind'",
    RECOUNT_SECTORS,
    "UPDATE agreement_tally SET number = (SELECT count(*) FROM agreement a WHERE a.status = agreement_tally.value"
    " AND a.readiness_gaps > 0) WHERE dimension = 'gaps'",
)


def _records(bind, ids):
    """Plain records of these agreements, with what the readiness rules read of their parts."""
    listed = ", ".join(str(i) for i in ids)
    records = {}
    for row in bind.execute(sa.select(AGREEMENT).where(AGREEMENT.c.id.in_(ids))).mappings():
        record = {f: (row[f].isoformat() if f in DATES and row[f] else row[f]) for f in RECORD_FIELDS}
        records[row["id"]] = {**record, "parties": [], "data_items": [], "subject_groups": []}
    parties = bind.execute(sa.text(
        f"SELECT p.agreement_id, o.name, {', '.join('p.' + f for f in PARTY_FIELDS)} FROM party p"
        f" JOIN organisation o ON o.id = p.organisation_id WHERE p.agreement_id IN ({listed}) ORDER BY p.id"
    ))  # fmt: skip
    for agreement_id, name, *values in parties:
        records[agreement_id]["parties"].append(
            {"organisation_name": name, **dict(zip(PARTY_FIELDS, values, strict=True))}
        )
    items = bind.execute(sa.text(
        f"SELECT agreement_id, name, category FROM data_item WHERE agreement_id IN ({listed}) ORDER BY id"
    ))  # fmt: skip
    for agreement_id, name, category in items:
        records[agreement_id]["data_items"].append({"name": name, "category": category})
    groups = bind.execute(sa.text(
        f"SELECT agreement_id, name, includes_children, includes_vulnerable_adults FROM subject_group"
        f" WHERE agreement_id IN ({listed}) ORDER BY id"
    ))  # fmt: skip
    for agreement_id, name, children, vulnerable in groups:
        records[agreement_id]["subject_groups"].append(
            {"name": name, "includes_children": bool(children), "includes_vulnerable_adults": bool(vulnerable)}
        )
    return records


def _backfill_readiness(bind, batch=500):
    from registry.readiness import gaps  # the rules themselves: pure functions over a plain record

    ids = list(bind.scalars(
        sa.select(AGREEMENT.c.id).where(AGREEMENT.c.status.in_(CHECKED)).order_by(AGREEMENT.c.id)
    ))  # fmt: skip
    for start in range(0, len(ids), batch):
        records = _records(bind, ids[start : start + batch])
        bind.execute(
            AGREEMENT.update().where(AGREEMENT.c.id == sa.bindparam("agreement_id")),
            [{"agreement_id": i, "readiness_gaps": len(gaps(r))} for i, r in records.items()],
        )


def _recount(bind):
    rows = [{"dimension": d, "value": v, "number": 0} for d, values in KNOWN.items() for v in values]
    bind.execute(
        sa.text("INSERT INTO agreement_tally (dimension, value, number) VALUES (:dimension, :value, :number)"), rows
    )
    for statement in RECOUNT:
        bind.execute(sa.text(statement))


def upgrade():
    op.add_column("agreement", sa.Column("readiness_gaps", sa.Integer(), nullable=True))
    op.create_index("ix_agreement_status_readiness_gaps", "agreement", ["status", "readiness_gaps"], unique=False)
    op.create_table(
        "agreement_tally",
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "value", name=op.f("pk_agreement_tally")),
    )
    bind = op.get_bind()
    # the readiness of agreements still checked, worked out by the app's own rules, then every count;
    # before the triggers exist: with them, each backfilled row would update the same tally row again
    # in this one transaction, which PostgreSQL makes quadratic (each update walks the row's versions)
    _backfill_readiness(bind)
    _recount(bind)

    if bind.dialect.name == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        for name, body in PG_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$")
        for name, body in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        for name, table in PG_TRIGGER_TABLES.items():
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_table("agreement_tally")
    op.drop_index("ix_agreement_status_readiness_gaps", table_name="agreement")
    # a plain ALTER (SQLite 3.35+): a batch copy of the table would drop the search index's triggers
    op.execute("ALTER TABLE agreement DROP COLUMN readiness_gaps")
