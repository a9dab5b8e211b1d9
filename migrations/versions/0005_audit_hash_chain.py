"""audit hash chain: sequence numbers, hashes, the chain head, and triggers that refuse changes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 06:22:52.613835

"""

import hashlib
import json
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "prev_hash",
    "occurred_at",
    "actor_id",
    "actor_email",
    "actor_role",
    "actor_organisation_id",
    "action",
    "entity_type",
    "entity_id",
    "changes",
    "ip_address",
    "request_id",
)

REFUSE = "audit events cannot be changed or deleted"


def _hash(row: dict) -> str:
    """A frozen copy of registry.audit_chain.canonical, so this migration never changes meaning."""
    content = dict(row)
    occurred = content["occurred_at"]
    if isinstance(occurred, str):
        occurred = datetime.fromisoformat(occurred)
    content["occurred_at"] = (occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(content["changes"], str):
        content["changes"] = json.loads(content["changes"])
    content = {k: content[k] for k in FIELDS}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade():
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    # chain the events already recorded, in the order they were recorded
    bind = op.get_bind()
    event = sa.table("audit_event", *(sa.column(name) for name in ("id", "hash", *FIELDS)))
    columns = [
        "id",
        "occurred_at",
        "actor_id",
        "actor_email",
        "actor_role",
        "actor_organisation_id",
        "action",
        "entity_type",
        "entity_id",
        "changes",
        "ip_address",
        "request_id",
    ]
    rows = bind.execute(sa.text(f"SELECT {', '.join(columns)} FROM audit_event ORDER BY id")).mappings().all()
    previous = GENESIS
    for seq, row in enumerate(rows, start=1):
        values = {**row, "seq": seq, "prev_hash": previous}
        digest = _hash(values)
        bind.execute(event.update().where(event.c.id == row["id"]).values(seq=seq, prev_hash=previous, hash=digest))
        previous = digest
    op.bulk_insert(head, [{"id": 1, "last_seq": len(rows), "last_hash": previous}])

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_seq"), ["seq"])

    # the application cannot change or delete audit rows (triggers come last: batch mode rebuilds tables)
    if bind.dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_event_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{REFUSE}' USING ERRCODE = 'insufficient_privilege';
            END
            $$ LANGUAGE plpgsql
        """)
        op.execute(
            "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
        )
        op.execute(
            f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
        )


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

    op.drop_table("audit_chain_head")
