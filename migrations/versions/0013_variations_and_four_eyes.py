"""proposed variations beside the version in force; four-eyes approval; signers named by their account

A change to an approved, awaiting-signature or active agreement now opens a proposed variation: an
agreement row of its own (``variation_of_id``) beside the one in the register, which keeps its
status, signatures and review dates until the variation is approved and signed by every party.
The maintained counts (0011, 0012) must not count variation rows, so their triggers are made again
here with that condition; the statements are written out in full, not imported, so that a later
change to the app cannot change what this migration does.

Also: who submitted and who last edited each agreement (no one of them may approve it), which
version replaced a superseded one, and the email of the account that made each signature.
On PostgreSQL the reference column is widened for variation references (DSA-2026-0001-VAR1); its
generated search column depends on it, so that is dropped and made again around the change.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 10:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# --- 0011's statements (agreement_tally) -------------------------------------------------------
ADD_NEW = (
    "(dimension = 'status' AND value = NEW.status) OR (dimension = 'kind' AND value = NEW.kind)"
    " OR (dimension = 'gaps' AND value = NEW.status AND NEW.readiness_gaps > 0)"
)
TAKE_OLD = ADD_NEW.replace("NEW.", "OLD.")
ON_INSERT = f"UPDATE agreement_tally SET number = number + 1 WHERE {ADD_NEW}"
ON_DELETE = f"UPDATE agreement_tally SET number = number - 1 WHERE {TAKE_OLD}"
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
# counted once per agreement by its lowest party in the sector: on PostgreSQL a row trigger of a
# several-row INSERT runs after the statement, when every new row is visible, so "another party of the
# sector exists" (0011) held for each of them and none was counted
PARTY_ADDED_ONCE = PARTY_ADDED.replace("AND p.id != NEW.id", "AND p.id < NEW.id")
PARTY_REMOVED = (
    "UPDATE agreement_tally SET number = number - 1 WHERE dimension = 'sector'"
    " AND value = (SELECT sector FROM organisation WHERE id = OLD.organisation_id)"
    f" AND NOT EXISTS ({SAME_SECTOR.format(row='OLD')})"
)
RECOUNT_SECTORS_0011 = (
    "UPDATE agreement_tally SET number = (SELECT count(DISTINCT p.agreement_id) FROM party p"
    " JOIN organisation o ON o.id = p.organisation_id WHERE o.sector = agreement_tally.value)"
    " WHERE dimension = 'sector'"
)
# parties of agreements in the register only
RECOUNT_SECTORS = (
    "UPDATE agreement_tally SET number = (SELECT count(DISTINCT p.agreement_id) FROM party p"
    " JOIN organisation o ON o.id = p.organisation_id JOIN agreement a ON a.id = p.agreement_id"
    " WHERE o.sector = agreement_tally.value AND a.variation_of_id IS NULL)"
    " WHERE dimension = 'sector'"
)
REGISTERED_PARTY = "(SELECT variation_of_id FROM agreement WHERE id = {row}.agreement_id) IS NULL"

# --- 0012's statements (agreement_review_tally) ------------------------------------------------
LIVE = "('approved', 'awaiting_signatures', 'active')"
ADD = (
    "INSERT INTO agreement_review_tally (review_date, number) VALUES ({day}, 1)"
    " ON CONFLICT (review_date) DO UPDATE SET number = agreement_review_tally.number + 1"
)
TAKE = "UPDATE agreement_review_tally SET number = number - 1 WHERE review_date = {day}"
REVIEW_UPDATE_WHEN = (
    f"(OLD.status IN {LIVE}) != (NEW.status IN {LIVE}) OR OLD.next_review_date IS NOT NEW.next_review_date"
)
REVIEW_UPDATE_BODY = (
    f" {TAKE.format(day='OLD.next_review_date')} AND OLD.status IN {LIVE};"
    f" INSERT INTO agreement_review_tally (review_date, number) SELECT NEW.next_review_date, 1"
    f" WHERE NEW.status IN {LIVE} AND NEW.next_review_date IS NOT NULL"
    " ON CONFLICT (review_date) DO UPDATE SET number = agreement_review_tally.number + 1; END"
)


def sqlite_triggers(registered_only):
    """0011's and 0012's SQLite triggers; with ``registered_only``, blind to variation rows."""
    new = "NEW.variation_of_id IS NULL AND " if registered_only else ""
    old = "OLD.variation_of_id IS NULL AND " if registered_only else ""

    def when(condition):
        return f" WHEN {condition}" if condition else ""

    recount = RECOUNT_SECTORS if registered_only else RECOUNT_SECTORS_0011
    party_added = PARTY_ADDED_ONCE if registered_only else PARTY_ADDED
    return {
        "agreement_tally_insert": f"AFTER INSERT ON agreement{when(new[:-5])} BEGIN {ON_INSERT}; END",
        "agreement_tally_update": "AFTER UPDATE OF status, kind, readiness_gaps ON agreement"
        f"{when(new[:-5])} BEGIN {ON_UPDATE}; END",
        "agreement_tally_delete": f"AFTER DELETE ON agreement{when(old[:-5])} BEGIN {ON_DELETE}; END",
        "party_tally_insert": "AFTER INSERT ON party"
        f"{when(REGISTERED_PARTY.format(row='NEW') if registered_only else '')} BEGIN {party_added}; END",
        "party_tally_delete": "AFTER DELETE ON party"
        f"{when(REGISTERED_PARTY.format(row='OLD') if registered_only else '')} BEGIN {PARTY_REMOVED}; END",
        "party_tally_update": f"AFTER UPDATE OF organisation_id, agreement_id ON party BEGIN {recount}; END",
        "organisation_tally_sector": "AFTER UPDATE OF sector ON organisation WHEN OLD.sector != NEW.sector"
        f" BEGIN {recount}; END",
        "agreement_review_tally_insert": f"AFTER INSERT ON agreement WHEN {new}NEW.status IN {LIVE}"
        f" AND NEW.next_review_date IS NOT NULL BEGIN {ADD.format(day='NEW.next_review_date')}; END",
        "agreement_review_tally_delete": f"AFTER DELETE ON agreement WHEN {old}OLD.status IN {LIVE}"
        f" AND OLD.next_review_date IS NOT NULL BEGIN {TAKE.format(day='OLD.next_review_date')}; END",
        "agreement_review_tally_update": "AFTER UPDATE OF status, next_review_date ON agreement"
        f" WHEN {new}({REVIEW_UPDATE_WHEN}) BEGIN{REVIEW_UPDATE_BODY}",
    }


def pg_functions(registered_only):
    """0011's and 0012's PostgreSQL trigger functions; with ``registered_only``, blind to variation rows."""

    def only(row, statement):
        if not registered_only:
            return statement
        return f"IF {row}.variation_of_id IS NULL THEN {statement}; END IF"

    def only_party(row, statement):
        if not registered_only:
            return statement
        return f"IF {REGISTERED_PARTY.format(row=row)} THEN {statement}; END IF"

    recount = RECOUNT_SECTORS if registered_only else RECOUNT_SECTORS_0011
    party_added = PARTY_ADDED_ONCE if registered_only else PARTY_ADDED
    skip_variation = (
        "IF TG_OP <> 'DELETE' THEN IF NEW.variation_of_id IS NOT NULL THEN RETURN NULL; END IF;"
        " ELSIF OLD.variation_of_id IS NOT NULL THEN RETURN NULL; END IF;"
        if registered_only
        else ""
    )
    return {
        "agreement_tally_change": f"""BEGIN
        IF TG_OP = 'INSERT' THEN {only("NEW", ON_INSERT)};
        ELSIF TG_OP = 'UPDATE' THEN {only("NEW", ON_UPDATE)};
        ELSE {only("OLD", ON_DELETE)};
        END IF;
        RETURN NULL;
        END""",
        "party_tally_change": f"""BEGIN
        IF TG_OP = 'INSERT' THEN {only_party("NEW", party_added)};
        ELSIF TG_OP = 'DELETE' THEN {only_party("OLD", PARTY_REMOVED)};
        ELSE {recount};
        END IF;
        RETURN NULL;
        END""",
        "organisation_tally_sector": f"""BEGIN
        {recount};
        RETURN NULL;
        END""",
        "agreement_review_tally_change": f"""
DECLARE
    old_day date;
    new_day date;
BEGIN
    {skip_variation}
    IF TG_OP <> 'INSERT' AND OLD.status IN {LIVE} THEN old_day := OLD.next_review_date; END IF;
    IF TG_OP <> 'DELETE' AND NEW.status IN {LIVE} THEN new_day := NEW.next_review_date; END IF;
    IF old_day IS NOT DISTINCT FROM new_day THEN RETURN NULL; END IF;
    IF old_day IS NOT NULL AND (new_day IS NULL OR old_day < new_day) THEN
        {TAKE.format(day="old_day")};
        old_day := NULL;
    END IF;
    IF new_day IS NOT NULL THEN {ADD.format(day="new_day")}; END IF;
    IF old_day IS NOT NULL THEN {TAKE.format(day="old_day")}; END IF;
    RETURN NULL;
END""",
    }


def _set_triggers(registered_only):
    if op.get_bind().dialect.name == "sqlite":
        for name, body in sqlite_triggers(registered_only).items():
            op.execute(f"DROP TRIGGER {name}")
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        for name, body in pg_functions(registered_only).items():
            op.execute(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} $$")


# --- 0009's search column for agreements, made again around the reference's new width --------
def _english(weight, *columns):
    joined = " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)
    words = f"regexp_replace({joined}, '[^[:alnum:]]+', ' ', 'g')"
    return f"setweight(to_tsvector('english'::regconfig, {words}), '{weight}')"


AGREEMENT_VECTOR = f"{_english('A', 'reference', 'title')} || {_english('B', 'purpose')}"


def _reference_width(length):
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite ignores the declared length (see the model)
    op.execute("DROP INDEX ix_agreement_search_vector")
    op.execute("ALTER TABLE agreement DROP COLUMN search_vector")
    op.alter_column("agreement", "reference", type_=sa.String(length), existing_nullable=False)
    op.execute(
        f"ALTER TABLE agreement ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({AGREEMENT_VECTOR}) STORED"
    )
    op.execute("CREATE INDEX ix_agreement_search_vector ON agreement USING gin (search_vector)")


OPEN_VARIATION = "variation_of_id IS NOT NULL AND variation_ended_at IS NULL"
NEW_COLUMNS = (
    ("submitted_by_id", sa.Integer(), "user_account"),
    ("last_edited_by_id", sa.Integer(), "user_account"),
    ("variation_of_id", sa.Integer(), "agreement"),
    ("variation_outcome", sa.String(length=20), None),
    ("variation_ended_at", sa.DateTime(timezone=True), None),
    ("variation_status", sa.String(length=30), None),
)


def upgrade():
    # plain ADD COLUMN on SQLite (a batch copy of the table would drop its search and tally triggers)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, type_, target in NEW_COLUMNS:
        if target and sqlite:  # alembic would ask for a batch copy; SQLite takes a column's own REFERENCES
            op.execute(f"ALTER TABLE agreement ADD COLUMN {name} INTEGER"
                       f" CONSTRAINT fk_agreement_{name}_{target} REFERENCES {target} (id)")  # fmt: skip
            continue
        foreign = [sa.ForeignKey(f"{target}.id", name=op.f(f"fk_agreement_{name}_{target}"))] if target else []
        op.add_column("agreement", sa.Column(name, type_, *foreign, nullable=True))
    op.create_index(op.f("ix_agreement_variation_of_id"), "agreement", ["variation_of_id"], unique=False)
    op.create_index(op.f("ix_agreement_variation_status"), "agreement", ["variation_status"], unique=False)
    op.create_index(
        "uq_agreement_open_variation",
        "agreement",
        ["variation_of_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_VARIATION),
        postgresql_where=sa.text(OPEN_VARIATION),
    )
    op.add_column("agreement_version", sa.Column("superseded_by", sa.Integer(), nullable=True))
    op.add_column("signature", sa.Column("signer_email", sa.String(length=254), nullable=True))
    # the account that made each signature, as it is known
    op.execute(
        "UPDATE signature SET signer_email = (SELECT email FROM user_account WHERE user_account.id = signature.user_id)"
    )
    # whoever last submitted an agreement still awaiting approval may not approve it
    op.execute(
        "UPDATE agreement SET submitted_by_id = (SELECT e.actor_id FROM audit_event e WHERE e.entity_type = 'agreement'"
        " AND e.entity_id = agreement.reference AND e.action = 'agreement.submit' ORDER BY e.seq DESC LIMIT 1)"
        " WHERE status = 'awaiting_approval'"
    )
    _reference_width(20)
    _set_triggers(registered_only=True)


def downgrade():
    # variations have no place in the older schema: their rows go (their approved versions and any
    # signatures stay, kept under the agreement they varied), while the triggers still ignore them
    variations = "SELECT id FROM agreement WHERE variation_of_id IS NOT NULL"
    for table in ("party", "data_item", "subject_group", "agreement_objective", "agreement_gateway", "review_reminder"):
        op.execute(f"DELETE FROM {table} WHERE agreement_id IN ({variations})")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SET LOCAL session_replication_role = DEFAULT")
    op.execute("DELETE FROM agreement WHERE variation_of_id IS NOT NULL")
    _set_triggers(registered_only=False)
    _reference_width(14)
    op.drop_column("signature", "signer_email")
    op.drop_column("agreement_version", "superseded_by")
    op.drop_index("uq_agreement_open_variation", table_name="agreement")
    op.drop_index(op.f("ix_agreement_variation_of_id"), table_name="agreement")
    op.drop_index(op.f("ix_agreement_variation_status"), table_name="agreement")
    if op.get_bind().dialect.name == "postgresql":
        for name, _, target in NEW_COLUMNS:
            if target:
                op.drop_constraint(op.f(f"fk_agreement_{name}_{target}"), "agreement", type_="foreignkey")
    for name, _, _ in reversed(NEW_COLUMNS):
        # a plain ALTER (SQLite 3.35+) for the same reason as in upgrade
        op.execute(f"ALTER TABLE agreement DROP COLUMN {name}")
