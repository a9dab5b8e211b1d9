"""Audit events in plain English."""

from __future__ import annotations

from registry.audit_text import Change, action_label, changes, field_label, referenced_ids


def test_actions_and_fields_read_as_plain_english() -> None:
    assert action_label("agreement.submit") == "Agreement submitted for approval"
    assert action_label("reminder.sent_late") == "Reminder: sent late"  # one not listed yet still reads
    assert field_label("lead_organisation_id") == "Lead organisation"
    assert field_label("art6_basis") == "Article 6 lawful basis"
    assert field_label("party Northbridge Homes: signatory_name") == "Party Northbridge Homes: signatory name"


def test_changes_read_with_labels_and_names() -> None:
    names = {"organisation": {"7": "Northbridge Homes"}}
    found = changes(
        {
            "status": {"before": "draft", "after": "awaiting_approval"},
            "lead_organisation_id": {"before": None, "after": 7},
            "next_review_date": {"before": "2026-04-01", "after": None},
            "international_transfers": {"before": False, "after": True},
            "kind": {"before": None, "after": "fire_and_rescue"},
        },
        names,
        "organisation",
    )
    assert [str(c) for c in found] == [
        "Status: draft → awaiting approval",
        "Lead organisation: Northbridge Homes",
        "Next review date: 1 April 2026 (removed)",
        "International transfers: No → Yes",
        "Kind of organisation: Fire and rescue service",
    ]
    assert found[0] == Change("Status", "draft", "awaiting approval")


def test_ids_named_in_changes_are_found_for_looking_up() -> None:
    found = referenced_ids(
        {
            "party": {"before": None, "after": {"organisation_id": 3, "role": "controller"}},
            "successor_id": {"before": 4, "after": 5},
            "owner_id": {"before": None, "after": 9},
        }
    )
    assert found == {"organisation": {"3", "4", "5"}, "user": {"9"}}
