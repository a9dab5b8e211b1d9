"""Readable differences between two snapshots of an agreement, and values as a person reads them."""

from __future__ import annotations

from typing import Any

import pytest

from registry.services.snapshots import LABELS, Difference, differences, display


def record(**changes: Any) -> dict[str, Any]:
    """A frozen snapshot as a version stores it: plain JSON values, dates as ISO strings."""
    return {
        "title": "Early help for tenants",
        "kind": "two_way",
        "purpose": "Prevent evictions",
        "art6_basis": "public_task",
        "international_transfers": False,
        "effective_from": "2026-04-01",
        "review_interval_months": 12,
        "next_review_date": "2027-04-01",
        "parties": [
            {"organisation_name": "Council", "role": "controller", "signatory_name": "Sam Signer",
             "signatory_job_title": "Director", "retention_period": "6 years"},
            {"organisation_name": "Housing Association", "role": "recipient", "signatory_name": None,
             "signatory_job_title": None, "retention_period": None},
        ],
        "data_items": [{"name": "Tenant name", "category": "personal", "provider_name": "Council"}],
        "subject_groups": [{"name": "Tenants", "includes_children": False, "includes_vulnerable_adults": False}],
        "gateways": ["Crime and Disorder Act 1998 s115"],
        **changes,
    }  # fmt: skip


def test_the_same_snapshot_has_no_differences() -> None:
    assert differences(record(), record()) == []


@pytest.mark.parametrize(
    ("field", "before", "after", "shown_before", "shown_after"),
    [
        ("title", "Early help for tenants", "Early help", "Early help for tenants", "Early help"),
        ("effective_from", "2026-04-01", "2026-05-09", "1 April 2026", "9 May 2026"),
        ("next_review_date", "2027-04-01", None, "1 April 2027", "Not given"),
        ("dpia_date", None, "2026-12-25", "Not given", "25 December 2026"),
        ("kind", "two_way", "joint_controller", "Two-way sharing of personal data",
         "Joint controllers (UK GDPR Article 26)"),
        ("art6_basis", "public_task", "legal_obligation", "Article 6(1)(e) public task",
         "Article 6(1)(c) legal obligation"),
        ("art9_condition", None, "h", "Not given", "Article 9(2)(h) health or social care"),
        ("frequency", "monthly", "as_needed", "Monthly", "When needed, case by case"),
        ("international_transfers", False, True, "No", "Yes"),
        ("policy_document_in_place", None, True, "Not given", "Yes"),
        ("review_interval_months", 12, 6, "12", "6"),
        ("purpose", "Prevent evictions", "", "Prevent evictions", "Not given"),
    ],
)  # fmt: skip
def test_a_changed_field_shows_its_label_and_readable_values(
    field: str, before: Any, after: Any, shown_before: str, shown_after: str
) -> None:
    found = differences(record(**{field: before}), record(**{field: after}))
    assert found == [Difference(field, LABELS[field], shown_before, shown_after)]


def test_differences_come_in_the_order_of_the_record_and_skip_unchanged_fields() -> None:
    found = differences(record(), record(next_review_date="2027-03-31", title="Renamed", international_transfers=True))
    assert [d.field for d in found] == ["title", "international_transfers", "next_review_date"]
    assert [d.label for d in found] == ["Title", "International transfers", "Next review date"]


def test_an_added_party_is_shown_as_added_with_nothing_removed() -> None:
    after = record()
    after["parties"] = [*after["parties"], {"organisation_name": "Police", "role": "joint_controller",
                                            "signatory_name": "Chief Constable", "signatory_job_title": None,
                                            "retention_period": "2 years"}]  # fmt: skip
    assert differences(record(), after) == [
        Difference(
            "parties",
            "Parties",
            "Nothing removed",
            "Police: Joint controller; signatory Chief Constable (no job title); retention 2 years",
        )
    ]


def test_a_removed_party_is_shown_as_removed() -> None:
    after = record()
    after["parties"] = after["parties"][:1]
    [found] = differences(record(), after)
    assert found.before == "Housing Association: Receives data; signatory not named (no job title); retention not given"
    assert found.after == "Nothing added"


def test_a_changed_party_is_shown_as_its_old_row_removed_and_new_row_added() -> None:
    after = record()
    after["parties"][1] = {**after["parties"][1], "signatory_name": "Alex Jones", "retention_period": "1 year"}
    [found] = differences(record(), after)
    assert found.before.startswith("Housing Association: Receives data; signatory not named")
    assert found.after == "Housing Association: Receives data; signatory Alex Jones (no job title); retention 1 year"


def test_data_items_added_and_removed_show_category_and_provider() -> None:
    after = record(data_items=[
        {"name": "Date of birth", "category": "personal", "provider_name": None},
        {"name": "Health condition", "category": "special_category", "provider_name": "Council"},
    ])  # fmt: skip
    [found] = differences(record(), after)
    assert found.label == "Data items"
    assert found.before == "Tenant name (Personal data), from Council"
    assert found.after.split("\n") == ["Date of birth (Personal data)", "Health condition (Special category data), "
                                       "from Council"]  # fmt: skip


def test_subject_groups_added_and_removed_show_their_flags() -> None:
    after = record(subject_groups=[
        {"name": "Tenants", "includes_children": False, "includes_vulnerable_adults": False},
        {"name": "Care leavers", "includes_children": True, "includes_vulnerable_adults": True},
    ])  # fmt: skip
    assert differences(record(), after) == [
        Difference(
            "subject_groups",
            "Data subjects",
            "Nothing removed",
            "Care leavers (includes children) (includes vulnerable adults)",
        )
    ]
    assert differences(after, record())[0].before == "Care leavers (includes children) (includes vulnerable adults)"


def test_a_list_that_was_missing_from_an_older_snapshot_shows_every_element_as_added() -> None:
    before = record()
    del before["gateways"]
    after = record(gateways=["Crime and Disorder Act 1998 s115", "Children Act 2004 s10"])
    assert differences(before, after) == [
        Difference("gateways", "Statutory gateways", "Nothing removed",
                   "Crime and Disorder Act 1998 s115\nChildren Act 2004 s10"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("title", None, "Not given"),
        ("title", "", "Not given"),
        ("parties", [], "Not given"),
        ("confirmed_anonymised", False, "No"),
        ("law_enforcement_processing", True, "Yes"),
        ("end_date", "2030-02-28", "28 February 2030"),
        ("schedule1_condition", "p2_18",
         "Schedule 1 Part 2 para 18: safeguarding of children and individuals at risk"),
        ("national_data_opt_out", "applies", "Applies: opted-out patients’ data is removed"),
        ("kind", "retired_kind", "retired_kind"),
        ("dpia_screening", {"matching": True, "new_technology": False},
         "Does it match or combine data sets from different sources? Yes; "
         "Does it use new technologies or novel ways of processing? No"),
        ("parties", record()["parties"], "Council (Controller); Housing Association (Receives data)"),
        ("data_items", record()["data_items"], "Tenant name (Personal data)"),
        ("subject_groups", [{"name": "Tenants"}, {"name": "Carers"}], "Tenants; Carers"),
        ("objectives", [{"id": 1, "title": "Fewer evictions"}], "Fewer evictions"),
        ("gateways", ["A", "B"], "A; B"),
    ],
)  # fmt: skip
def test_display(field: str, value: Any, shown: str) -> None:
    assert display(field, value) == shown


def test_the_same_elements_in_another_order_are_not_a_difference() -> None:
    """A party removed and added back again comes after the others: nothing has changed for a reader."""
    after = record()
    after["parties"] = list(reversed(after["parties"]))
    assert differences(record(), after) == []
