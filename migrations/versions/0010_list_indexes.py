"""indexes for deep lists and counts at scale

The agreements register's sorts each end in the id so keyset pages (registry/services/paging.py)
read one index range: title, last change, and the next review date with no date sorting last
(an expression index, kept out of the models; see registry/services/search.py's include_object).
A record's history and the audit log filtered by action read newest first from an index that
ends in seq. Review windows and their counts read (status, next_review_date).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 09:30:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

REVIEW_ORDER = "ix_agreement_review_order"


def upgrade():
    op.create_index("ix_agreement_title_id", "agreement", ["title", "id"])
    op.create_index("ix_agreement_updated_at_id", "agreement", ["updated_at", "id"])
    op.drop_index("ix_agreement_updated_at", table_name="agreement")
    op.create_index("ix_agreement_status_next_review_date", "agreement", ["status", "next_review_date"])
    # the register filtered by status, in each sort
    op.create_index("ix_agreement_status_reference", "agreement", ["status", "reference"])
    op.create_index("ix_agreement_status_title_id", "agreement", ["status", "title", "id"])
    op.create_index("ix_agreement_status_updated_at_id", "agreement", ["status", "updated_at", "id"])
    # an organisation's agreements (and a partner's), read from the index alone
    op.create_index("ix_party_organisation_id_agreement_id", "party", ["organisation_id", "agreement_id"])
    op.execute(f"CREATE INDEX {REVIEW_ORDER} ON agreement (COALESCE(next_review_date, '9999-12-31'), id)")
    op.create_index("ix_audit_event_entity_seq", "audit_event", ["entity_type", "entity_id", "seq"])
    op.drop_index("ix_audit_event_entity", table_name="audit_event")
    op.create_index("ix_audit_event_action_seq", "audit_event", ["action", "seq"])
    op.drop_index("ix_audit_event_action", table_name="audit_event")


def downgrade():
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    op.drop_index("ix_audit_event_action_seq", table_name="audit_event")
    op.create_index("ix_audit_event_entity", "audit_event", ["entity_type", "entity_id"])
    op.drop_index("ix_audit_event_entity_seq", table_name="audit_event")
    op.execute(f"DROP INDEX {REVIEW_ORDER}")
    op.drop_index("ix_party_organisation_id_agreement_id", table_name="party")
    op.drop_index("ix_agreement_status_updated_at_id", table_name="agreement")
    op.drop_index("ix_agreement_status_title_id", table_name="agreement")
    op.drop_index("ix_agreement_status_reference", table_name="agreement")
    op.drop_index("ix_agreement_status_next_review_date", table_name="agreement")
    op.create_index("ix_agreement_updated_at", "agreement", ["updated_at"])
    op.drop_index("ix_agreement_updated_at_id", table_name="agreement")
    op.drop_index("ix_agreement_title_id", table_name="agreement")
