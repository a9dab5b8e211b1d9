"""one-time submission tokens

submission_token: the token each create form carries, claimed (INSERT … ON CONFLICT DO NOTHING)
in the same transaction as the record it creates, so a form sent twice makes one record; with
where the first sending led, for the second. Rows older than a day are removed as new ones are
claimed.

(Numbered 0014 after agreement variations' 0013; revises 0012 until that is merged.)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "submission_token",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_submission_token")),
    )
    with op.batch_alter_table("submission_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submission_token_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("submission_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_token_created_at"))

    op.drop_table("submission_token")
