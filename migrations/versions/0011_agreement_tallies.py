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
from sqlalchemy.orm import Session


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
    from registry.services import tallies

    session = Session(bind=bind)
    tallies.backfill(session)
    tallies.rebuild(session, review_dates=False)  # 0012 adds those
    session.flush()

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
