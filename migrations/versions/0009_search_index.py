"""full-text search index

One search box looks across organisations, partnerships and agreements
(registry/services/search.py). PostgreSQL: a generated tsvector column
``search_vector`` on each table with a GIN index. SQLite: an FTS5 table per
table (external content, so the text is not stored twice) kept in step by
triggers. Neither is in the models: registry.services.search.include_object
keeps autogenerate and the migration test from seeing them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 09:00:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

IDENTIFIERS = (
    "ico_registration_number", "companies_house_number", "charity_number", "nhs_ods_code",
    "ukprn", "school_urn", "rsh_number",
)  # fmt: skip


def _english(weight: str, *columns: str) -> str:
    """The columns' words, weighted. Anything but a letter or digit parts words, as it does in the
    query (registry.services.search.words): DSA-2026-0001 is the words dsa 2026 0001, and
    PostgreSQL's parser never sees the hyphenated, signed-number or host-name tokens it would
    otherwise make, which no query could match."""
    joined = " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)
    words = f"regexp_replace({joined}, '[^[:alnum:]]+', ' ', 'g')"
    return f"setweight(to_tsvector('english'::regconfig, {words}), '{weight}')"


# table -> (weighted expressions for PostgreSQL, columns for SQLite's FTS5 table)
SEARCHED = {
    "organisation": ([_english("A", "name", *IDENTIFIERS)], ("name", *IDENTIFIERS)),
    "partnership": ([_english("A", "name"), _english("B", "purpose")], ("name", "purpose")),
    "agreement": (
        [_english("A", "reference", "title"), _english("B", "purpose")],
        ("reference", "title", "purpose"),
    ),
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, (expressions, _) in SEARCHED.items():
            vector = " || ".join(expressions)
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED")
            op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")
        return
    for table, (_, columns) in SEARCHED.items():
        fts = f"{table}_search"
        listed = ", ".join(columns)
        new = ", ".join(f"new.{column}" for column in columns)
        old = ", ".join(f"old.{column}" for column in columns)
        delete = f"INSERT INTO {fts}({fts}, rowid, {listed}) VALUES ('delete', old.id, {old});"
        insert = f"INSERT INTO {fts}(rowid, {listed}) VALUES (new.id, {new});"
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({listed}, content='{table}', content_rowid='id', "
            "tokenize='porter unicode61')"
        )
        op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {listed} ON {table} BEGIN {delete} {insert} END")
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in SEARCHED:
            op.execute(f"DROP INDEX ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        return
    for table in SEARCHED:
        fts = f"{table}_search"
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {fts}_{event}")
        op.execute(f"DROP TABLE {fts}")
