"""Maintained counts of agreements (see registry/services/tallies.py; triggers in migration 0011)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db


class AgreementTally(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "agreement_tally"

    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)  # status, kind, sector, gaps
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[int] = mapped_column(default=0)
