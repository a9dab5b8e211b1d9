"""The compliance report's findings, one by one, on plain facts; its CSV cells; the bar chart's geometry."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import pytest

from registry.charts import bar_chart
from registry.documents import compliance_pdf
from registry.documents.csv_export import BOM, lines, safe_cell
from registry.services import compliance
from registry.services.compliance import Facts, PartyFacts

TODAY = date(2026, 4, 1)
COUNCIL = PartyFacts("Northbridge Borough Council", ico_registration_number="Z1234567")
HOMES = PartyFacts("Northbridge Homes", ico_registration_number="ZA123456")


def clean(**changes: object) -> Facts:
    """An active personal agreement with nothing for an auditor to find."""
    facts = Facts(
        reference="DSA-2026-0001",
        title="Tenancy",
        status="active",
        kind="two_way",
        next_review_date=TODAY + timedelta(days=100),
        categories=frozenset({"personal"}),
        dpia_screening={"matching": False},
        parties=(COUNCIL, HOMES),
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def test_a_clean_agreement_has_no_findings() -> None:
    assert compliance.findings(clean(), TODAY) == []
    for finding, _ in compliance.FINDINGS:
        assert finding(clean(), TODAY) == [], finding.__name__


# --- review overdue -------------------------------------------------------------------------------


def test_review_overdue_from_the_day_after_it_was_due() -> None:
    assert compliance.review_overdue(clean(next_review_date=TODAY), TODAY) == []
    assert compliance.review_overdue(clean(next_review_date=date(2026, 3, 20)), TODAY) == [
        "Review overdue: it was due on 20 March 2026 (overdue by 12 days)"
    ]
    assert compliance.review_overdue(clean(next_review_date=None), TODAY) == []


# --- special category conditions -------------------------------------------------------------------


def test_special_category_data_needs_an_article_9_condition() -> None:
    special = frozenset({"personal", "special_category"})
    assert compliance.missing_art9_condition(clean(categories=special), TODAY) == [
        "Special category data is shared without an Article 9 condition"
    ]
    assert compliance.missing_art9_condition(clean(categories=special, art9_condition="a"), TODAY) == []
    assert compliance.missing_art9_condition(clean(art9_condition=None), TODAY) == []  # no special category data


@pytest.mark.parametrize(("art9", "needed"), [("h", True), ("g", True), ("b", True), ("a", False), ("c", False)])
def test_some_article_9_conditions_need_a_schedule_1_condition(art9: str, needed: bool) -> None:
    facts = clean(categories=frozenset({"special_category"}), art9_condition=art9)
    found = compliance.missing_schedule1_condition(facts, TODAY)
    assert bool(found) is needed
    if needed:
        assert found[0].endswith("needs a DPA 2018 Schedule 1 condition, but none is recorded")
    assert compliance.missing_schedule1_condition(replace(facts, schedule1_condition="p1_2"), TODAY) == []


def test_schedule_1_is_not_asked_for_without_special_category_data() -> None:
    assert compliance.missing_schedule1_condition(clean(art9_condition="h"), TODAY) == []


def test_schedule_1_finding_names_the_article_9_condition() -> None:
    facts = clean(categories=frozenset({"special_category"}), art9_condition="h")
    assert compliance.missing_schedule1_condition(facts, TODAY) == [
        "Article 9(2)(h) health or social care needs a DPA 2018 Schedule 1 condition, but none is recorded"
    ]


# --- DPIA --------------------------------------------------------------------------------------------


def test_dpia_required_names_what_is_missing() -> None:
    required = clean(dpia_screening={"matching": True, "vulnerable_people": False})
    assert compliance.dpia_incomplete(required, TODAY) == [
        "A DPIA is required (the screening says yes) but its reference, date and outcome are missing"
    ]
    partial = replace(required, dpia_reference="DPIA-12", dpia_outcome="proceed")
    assert compliance.dpia_incomplete(partial, TODAY) == [
        "A DPIA is required (the screening says yes) but its date is missing"
    ]
    done = replace(partial, dpia_date=date(2026, 1, 5))
    assert compliance.dpia_incomplete(done, TODAY) == []


def test_no_dpia_finding_when_the_screening_says_no_or_is_unanswered() -> None:
    assert compliance.dpia_incomplete(clean(dpia_screening={"matching": False}), TODAY) == []
    assert compliance.dpia_incomplete(clean(dpia_screening=None), TODAY) == []
    assert compliance.dpia_incomplete(clean(dpia_screening={"matching": True}, dpia_reference="  "), TODAY) != []


# --- parties -----------------------------------------------------------------------------------------


def test_a_dissolved_party_names_its_successor() -> None:
    pct = PartyFacts("Northbridge PCT", dissolved=True, successors=("Northbridge CCG",), ico_registration_number="Z1")
    assert compliance.dissolved_parties(clean(parties=(COUNCIL, pct)), TODAY) == [
        "Northbridge PCT has been dissolved: needs novation to its successor, Northbridge CCG"
    ]


def test_a_chain_of_successors_names_the_current_one() -> None:
    pct = PartyFacts("Northbridge PCT", dissolved=True, successors=("Northbridge CCG", "Northshire ICB"))
    assert compliance.dissolved_parties(clean(parties=(pct,)), TODAY) == [
        "Northbridge PCT has been dissolved: needs novation to its successor, Northshire ICB "
        "(through Northbridge CCG, also dissolved)"
    ]


def test_a_dissolved_party_without_a_successor() -> None:
    gone = PartyFacts("Old Trust", dissolved=True)
    assert compliance.dissolved_parties(clean(parties=(gone,)), TODAY) == [
        "Old Trust has been dissolved and has no successor recorded: needs novation"
    ]


def test_successor_chain_follows_dissolved_successors_and_stops_on_a_loop() -> None:
    organisations = {1: ("PCT", "dissolved", 2), 2: ("CCG", "dissolved", 3), 3: ("ICB", "active", None)}
    assert compliance.successor_chain(1, organisations) == ("CCG", "ICB")
    looped = {1: ("A", "dissolved", 2), 2: ("B", "dissolved", 1)}
    assert compliance.successor_chain(1, looped) == ("B",)


def test_parties_without_an_ico_registration_number() -> None:
    charity = PartyFacts("Food Bank", ico_registration_number=None)
    assert compliance.parties_without_ico_number(clean(parties=(COUNCIL, charity)), TODAY) == [
        "Food Bank has no ICO registration number"
    ]
    # a non-personal agreement shares no personal data: the ICO's register is not in question
    assert compliance.parties_without_ico_number(clean(kind="non_personal", parties=(charity,)), TODAY) == []


# --- end date --------------------------------------------------------------------------------------


def test_past_its_end_date_but_still_current() -> None:
    assert compliance.past_end_date(clean(end_date=TODAY), TODAY) == []
    assert compliance.past_end_date(clean(end_date=date(2026, 3, 31)), TODAY) == [
        "Past its end date of 31 March 2026 but still active: mark it as expired, or extend it"
    ]
    awaiting = clean(status="awaiting_signatures", end_date=date(2026, 3, 31))
    assert "still awaiting signatures" in compliance.past_end_date(awaiting, TODAY)[0]
    assert compliance.past_end_date(clean(status="expired", end_date=date(2026, 3, 31)), TODAY) == []


def test_findings_come_in_the_order_of_the_table() -> None:
    facts = clean(next_review_date=date(2026, 3, 1), end_date=date(2026, 3, 31), parties=(PartyFacts("Food Bank"),))
    found = compliance.findings(facts, TODAY)
    assert [line.split(" ")[0] for line in found] == ["Review", "Food", "Past"]


# --- the CSV -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=SUM(A1:A2)", "+44 1234", "-1", "@cmd", "\tx", "\rx"])
def test_cells_that_a_spreadsheet_would_run_get_an_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Northbridge Homes", "1 April 2026", "", "a=b", "3"])
def test_other_cells_are_left_alone(value: str) -> None:
    assert safe_cell(value) == value


def test_csv_lines_stream_one_record_at_a_time() -> None:
    chunks = list(lines(["Name", "Notes"], [['=HYPERLINK("x")', "two\nlines"], ["Plain", None]]))
    assert len(chunks) == 3 and chunks[0].startswith(BOM)
    rows = list(csv.reader(io.StringIO("".join(chunks).removeprefix(BOM))))
    assert rows == [["Name", "Notes"], ['\'=HYPERLINK("x")', "two\nlines"], ["Plain", ""]]


# --- the PDF takes plain data ----------------------------------------------------------------------


def test_pdf_renders_plain_data_and_escapes_markup() -> None:
    report = compliance_pdf.Report(
        council="Council",
        service="Registry",
        date="1 April 2026",
        summary=[("X", 1)],
        rows=[compliance_pdf.ReportRow("DSA-2026-0001", "<b>Bold</b> & co", "Active", "Due today", ["Line <one>"])],
    )
    data = compliance_pdf.render(report)
    assert data.startswith(b"%PDF") and compliance_pdf.render(report) == data  # the same data, the same bytes


# --- the bar chart ---------------------------------------------------------------------------------


def test_bars_scale_to_the_largest_figure() -> None:
    chart = bar_chart([("Draft", 2), ("Active", 4), ("Expired", 0)], width=640)
    draft, active, expired = chart.bars
    assert active.length == 640 - 4 - 56 and draft.length == active.length / 2 and expired.length == 0
    assert [bar.label for bar in chart.bars] == ["Draft", "Active", "Expired"]
    assert draft.y < active.y < expired.y and chart.height > expired.y + chart.thickness
    assert active.value_x > chart.plot_left + active.length


def test_all_zero_figures_draw_no_bars() -> None:
    chart = bar_chart([("Draft", 0), ("Active", 0)])
    assert [bar.length for bar in chart.bars] == [0, 0]
