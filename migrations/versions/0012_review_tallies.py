"""maintained review-date counts for the dashboard

agreement_review_tally: for each next review date, how many live agreements (approved, awaiting
signatures, active) are due then, kept in step by triggers on agreement. The dashboard's four
review windows (overdue, due within 30, 31 to 60, 61 to 90 days) are then sums over at most a few
thousand dates, however many agreements there are; counting the agreements themselves read every
overdue one (most of a 30 ms dashboard at a million).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 14:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

LIVE = "('approved', 'awaiting_signatures', 'active')"
ADD = (
    "INSERT INTO agreement_review_tally (review_date, number) VALUES ({day}, 1)"
    " ON CONFLICT (review_date) DO UPDATE SET number = agreement_review_tally.number + 1"
)
TAKE = "UPDATE agreement_review_tally SET number = number - 1 WHERE review_date = {day}"
# SQLite serialises writers, so its triggers need no lock order
SQLITE_TRIGGERS = {
    "agreement_review_tally_insert": f"AFTER INSERT ON agreement"
    f" WHEN NEW.status IN {LIVE} AND NEW.next_review_date IS NOT NULL BEGIN {ADD.format(day='NEW.next_review_date')}; END",
    "agreement_review_tally_delete": f"AFTER DELETE ON agreement"
    f" WHEN OLD.status IN {LIVE} AND OLD.next_review_date IS NOT NULL BEGIN {TAKE.format(day='OLD.next_review_date')}; END",
    "agreement_review_tally_update": "AFTER UPDATE OF status, next_review_date ON agreement"
    f" WHEN (OLD.status IN {LIVE}) != (NEW.status IN {LIVE}) OR OLD.next_review_date IS NOT NEW.next_review_date BEGIN"
    f" {TAKE.format(day='OLD.next_review_date')} AND OLD.status IN {LIVE};"
    f" INSERT INTO agreement_review_tally (review_date, number) SELECT NEW.next_review_date, 1"
    f" WHERE NEW.status IN {LIVE} AND NEW.next_review_date IS NOT NULL"
    " ON CONFLICT (review_date) DO UPDATE SET number = agreement_review_tally.number + 1; END",
}
# PostgreSQL: the two rows of a change are written earlier date first, and the trigger is named to
# fire after 0011's agreement_tally (PostgreSQL fires a table's triggers in name order), so every
# writer takes the shared status rows before any date row; writers of several agreements in one
# transaction (lifecycle.expire_due) go in review-date order. Row locks are then always taken in
# one order and writers cannot deadlock on them.
PG_FUNCTION = f"""
DECLARE
    old_day date;
    new_day date;
BEGIN
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
END"""
PG_TRIGGER = (
    "CREATE TRIGGER agreement_tally_review_dates AFTER INSERT OR DELETE OR UPDATE OF status, next_review_date"
    " ON agreement FOR EACH ROW EXECUTE FUNCTION agreement_review_tally_change()"
)
RECOUNT = (
    "INSERT INTO agreement_review_tally (review_date, number) SELECT next_review_date, count(*) FROM agreement"
    f" WHERE status IN {LIVE} AND next_review_date IS NOT NULL GROUP BY next_review_date"
)


def upgrade():
    op.create_table(
        "agreement_review_tally",
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("review_date", name=op.f("pk_agreement_review_tally")),
    )
    op.execute(RECOUNT)  # before the triggers exist, in the same transaction
    if op.get_bind().dialect.name == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        op.execute(
            f"CREATE FUNCTION agreement_review_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$ {PG_FUNCTION} $$"
        )
        op.execute(PG_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER agreement_tally_review_dates ON agreement")
        op.execute("DROP FUNCTION agreement_review_tally_change()")
    op.drop_table("agreement_review_tally")
