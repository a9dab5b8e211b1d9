"""Maintained counts of agreements (see registry/services/tallies.py; triggers in migrations 0011 and 0012)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db


class AgreementTally(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "agreement_tally"

    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)  # status, kind, sector, gaps
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[int] = mapped_column(default=0)


class AgreementReviewTally(db.Model):  # type: ignore[name-defined,misc]
    """How many live agreements are due for review on each date (triggers in migration 0012)."""

    __tablename__ = "agreement_review_tally"

    review_date: Mapped[date] = mapped_column(Date, primary_key=True)
    number: Mapped[int] = mapped_column(default=0)
