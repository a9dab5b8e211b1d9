"""Agreement references, DSA-YYYY-NNNN, given out safely when many people create at once.

One counter row per year is incremented with UPDATE ... RETURNING: PostgreSQL's row lock
(and SQLite's single writer, begun immediately) make concurrent creations queue, so no
two agreements ever get the same number.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import ReferenceCounter


def allocate(year: int | None = None) -> str:
    year = year or today_in_london().year
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(ReferenceCounter).values(year=year, last_number=0).on_conflict_do_nothing())
    number = db.session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
    ).scalar_one()
    return f"DSA-{year}-{number:04d}"
