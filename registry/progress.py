"""Whether an objective is on track: its latest value against a straight line from the
baseline (at the baseline date) to the target (at the target date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Standing(StrEnum):
    NO_DATA = "no_data"
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"


LABELS = {
    Standing.NO_DATA: "No progress recorded yet",
    Standing.ACHIEVED: "Target met",
    Standing.ON_TRACK: "On track",
    Standing.BEHIND: "Behind schedule",
    Standing.MISSED: "Target date passed without meeting the target",
}


@dataclass(frozen=True)
class Assessment:
    standing: Standing
    percent_done: int | None  # share of the way from baseline to target, 0 to 100+
    expected_percent: int | None  # where a straight line says it should be by the latest update

    @property
    def label(self) -> str:
        return LABELS[self.standing]


def _fraction(baseline: Decimal, target: Decimal, value: Decimal) -> Decimal:
    return (value - baseline) / (target - baseline)


def assess(
    *, baseline: Decimal, target: Decimal, baseline_date: date, target_date: date,
    points: list[tuple[date, Decimal]], today: date,
) -> Assessment:  # fmt: skip
    """Works whichever way the target lies (up, like people online, or down, like waiting times)."""
    if not points:
        return Assessment(Standing.MISSED if today > target_date else Standing.NO_DATA, None, None)
    latest_date, latest_value = max(points, key=lambda point: point[0])
    done = _fraction(baseline, target, latest_value)
    percent = int((done * 100).to_integral_value())
    if done >= 1:
        return Assessment(Standing.ACHIEVED, percent, 100)
    span = (target_date - baseline_date).days
    elapsed = min(max((latest_date - baseline_date).days, 0), span)
    expected = Decimal(elapsed) / Decimal(span)
    expected_percent = int((expected * 100).to_integral_value())
    if today > target_date:
        return Assessment(Standing.MISSED, percent, 100)
    standing = Standing.ON_TRACK if done >= expected else Standing.BEHIND
    return Assessment(standing, percent, expected_percent)
