"""The readiness rules, one by one, on plain snapshots: each gap, and the gaps that must not appear."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from registry.models.agreement_choices import ART9_CONDITIONS, SCHEDULE1_CONDITIONS
from registry.readiness import RULES, add_months, gaps
from registry.services.agreements import SECTIONS
from registry.web.agreements.forms import SECTION_FORMS

Snapshot = dict[str, Any]
RULE_BY_CODE = {rule.code: rule for rule in RULES}


def party(name: str, role: str = "controller", **fields: Any) -> dict[str, Any]:
    return {"organisation_name": name, "role": role, "signatory_name": "Sam Signer",
            "rights_contact": "dpo@example.org", "retention_period": "6 years", **fields}  # fmt: skip


def personal_agreement() -> Snapshot:
    """The smallest personal agreement with no gaps."""
    return {
        "kind": "two_way",
        "purpose": "Prevent evictions",
        "benefits": "Fewer evictions",
        "necessity": "Only tenants at risk",
        "less_data_rationale": "Support needs names",
        "parties": [party("Council"), party("Housing Association")],
        "art6_basis": "public_task",
        "national_data_opt_out": "not_health",
        "data_items": [{"name": "Tenant name", "category": "personal"}],
        "subject_groups": [{"name": "Tenants"}],
        "security_measures": "Encrypted",
        "dpia_screening": {"matching": False},
        "effective_from": "2026-04-01",
        "review_interval_months": 12,
        "next_review_date": "2027-04-01",
    }


def non_personal_agreement() -> Snapshot:
    """The smallest non-personal agreement with no gaps: none of the personal-data fields are given."""
    return {
        "kind": "non_personal",
        "purpose": "Publish ward statistics",
        "parties": [{"organisation_name": "Council", "role": "provider", "signatory_name": "Sam"},
                    {"organisation_name": "University", "role": "recipient", "signatory_name": "Alex"}],
        "confirmed_anonymised": True,
        "data_items": [{"name": "Counts by ward", "category": "aggregate"}],
        "effective_from": "2026-04-01",
        "next_review_date": "2027-04-01",
    }  # fmt: skip


def codes(snapshot: Snapshot) -> list[str]:
    return [gap.code for gap in gaps(snapshot)]


def test_the_base_agreements_have_no_gaps() -> None:
    assert gaps(personal_agreement()) == []
    assert gaps(non_personal_agreement()) == []


def _set(**changes: Any) -> Callable[[Snapshot], None]:
    return lambda s: s.update(changes)


def _party(index: int, **changes: Any) -> Callable[[Snapshot], None]:
    return lambda s: s["parties"][index].update(changes)


def _add_item(category: str, **changes: Any) -> Callable[[Snapshot], None]:
    def change(s: Snapshot) -> None:
        s["data_items"].append({"name": "Extra", "category": category})
        s.update(changes)

    return change


# rule code -> (base, the smallest change that makes that rule, and only that rule, report its gap, message)
BREAKS: dict[str, tuple[Callable[[], Snapshot], Callable[[Snapshot], None], str]] = {
    "purpose": (personal_agreement, _set(purpose="   "), "Describe the purpose of the sharing"),
    "benefits": (personal_agreement, _set(benefits=None), "Describe the benefits to people and services"),
    "necessity": (personal_agreement, _set(necessity=""), "Explain why the sharing is necessary and proportionate"),
    "less_data": (personal_agreement, lambda s: s.pop("less_data_rationale"),
                  "Explain why less data, or anonymised data, would not do"),
    "two_parties": (personal_agreement, lambda s: s["parties"].pop(), "Add at least two parties"),
    "processor_needs_controller": (personal_agreement, lambda s: [p.update(role="processor") for p in s["parties"]],
                                   "Add the controller that the processor acts for: a processor needs a controller"),
    "processor_kind": (personal_agreement, _set(kind="controller_processor"),
                       "Add the processor party: this is a controller–processor agreement"),
    "joint_controllers": (personal_agreement, _set(kind="joint_controller"),
                          "Add at least two joint controllers: this is a joint controller agreement"),
    "signatories": (personal_agreement, _party(1, signatory_name=" "), "Name the signatory for Housing Association"),
    "rights_contact": (personal_agreement, _party(0, rights_contact=None),
                       "Give the contact for data subject requests and complaints for Council"),
    "art6": (personal_agreement, _set(art6_basis=None), "Choose the Article 6 lawful basis"),
    "art9": (personal_agreement, _add_item("special_category"),
             "Choose an Article 9 condition for the special category data"),
    "schedule1": (personal_agreement, _add_item("special_category", art9_condition="g"),
                  "Choose the DPA 2018 Schedule 1 condition that "
                  "Article 9(2)(g) reasons of substantial public interest needs"),
    "policy_document": (personal_agreement, _add_item("special_category", art9_condition="g",
                                                      schedule1_condition="p2_18"),
                        "Confirm that an appropriate policy document is in place: the Schedule 1 condition needs one"),
    "criminal": (personal_agreement, _add_item("criminal_offence"),
                 "Choose the Article 10 or Schedule 1 Part 3 condition for the criminal offence data, "
                 "or say it is law-enforcement processing under DPA 2018 Part 3"),
    "opt_out": (personal_agreement, _set(national_data_opt_out=None), "Say whether the national data opt-out applies"),
    "anonymised": (non_personal_agreement, _set(confirmed_anonymised=False),
                   "Confirm the data is anonymised or aggregate, so no one can be identified"),
    "non_personal_items": (non_personal_agreement, _add_item("pseudonymised"),
                           "Remove the personal data items, or change the kind of agreement: a non-personal "
                           "agreement can only share anonymised, aggregate or non-personal data"),
    "data_items": (personal_agreement, _set(data_items=[]), "Add the data items to be shared"),
    "subjects": (personal_agreement, _set(subject_groups=[]), "Add the groups of people the data is about"),
    "transfer_safeguards": (personal_agreement, _set(international_transfers=True),
                            "Describe the safeguards for the international transfers"),
    "security": (personal_agreement, _set(security_measures=None), "Describe the security measures"),
    "retention": (personal_agreement, _party(1, retention_period=""),
                  "Give the retention period for Housing Association"),
    "dpia_screening": (personal_agreement, _set(dpia_screening={}), "Answer the DPIA screening questions"),
    "dpia_record": (personal_agreement, _set(dpia_screening={"matching": True}),
                    "Give the DPIA’s reference, date and outcome: the screening says a DPIA is needed"),
    "effective_from": (personal_agreement, _set(effective_from=None), "Enter the date the agreement takes effect"),
    "review_date": (personal_agreement, _set(next_review_date="2027-04-02"),
                    "Set a next review date no later than 12 months after the agreement takes effect"),
}  # fmt: skip


def test_every_rule_has_a_case() -> None:
    assert set(BREAKS) == set(RULE_BY_CODE)


@pytest.mark.parametrize("code", list(BREAKS))
def test_the_smallest_change_reports_that_rule_alone(code: str) -> None:
    base, change, message = BREAKS[code]
    snapshot = base()
    change(snapshot)
    rule = RULE_BY_CODE[code]
    assert [(g.code, g.message, g.section, g.field) for g in gaps(snapshot)] == [
        (code, message, rule.section, rule.field)
    ]


def test_rule_codes_are_unique_and_sections_are_real_edit_sections() -> None:
    assert len({rule.code for rule in RULES}) == len(RULES)
    assert {rule.section for rule in RULES} <= {*SECTIONS, "parties"}


def test_each_gap_links_to_a_field_on_its_section_page() -> None:
    """A gap's field is an anchor on the agreement page (add-...) or a field of its section's form."""
    for rule in RULES:
        if rule.field.startswith("add-"):
            assert rule.section in ("parties", "data"), rule.code
        else:
            assert hasattr(SECTION_FORMS[rule.section], rule.field), rule.code


def test_an_empty_record_reports_every_rule_that_applies_to_it() -> None:
    found = codes({"kind": "two_way"})
    assert found == ["purpose", "benefits", "necessity", "less_data", "two_parties", "art6", "opt_out", "data_items",
                     "subjects", "security", "dpia_screening", "effective_from", "review_date"]  # fmt: skip


# --- rules that must not fire ---------------------------------------------------------------


def test_non_personal_agreements_need_none_of_the_personal_data_fields() -> None:
    snapshot = non_personal_agreement()
    assert not {"art6", "benefits", "rights_contact", "retention", "subjects", "dpia_screening"} & set(codes(snapshot))


@pytest.mark.parametrize("category", ["personal", "special_category", "criminal_offence", "pseudonymised"])
def test_non_personal_agreements_may_not_list_personal_items(category: str) -> None:
    snapshot = non_personal_agreement()
    snapshot["data_items"].append({"name": "Extra", "category": category})
    assert "non_personal_items" in codes(snapshot)


@pytest.mark.parametrize("category", ["aggregate", "non_personal"])
def test_non_personal_agreements_may_list_aggregate_and_non_personal_items(category: str) -> None:
    snapshot = non_personal_agreement()
    snapshot["data_items"] = [{"name": "Counts", "category": category}]
    assert codes(snapshot) == []


def test_personal_agreements_need_not_confirm_anonymised() -> None:
    assert personal_agreement().get("confirmed_anonymised") is None
    assert "anonymised" not in codes(personal_agreement())


@pytest.mark.parametrize("condition", sorted(ART9_CONDITIONS))
def test_only_some_art9_conditions_need_a_schedule1_condition(condition: str) -> None:
    """DPA 2018 s10: (b), (g), (h), (i) and (j) need a Schedule 1 condition; (a) explicit consent does not."""
    snapshot = personal_agreement()
    _add_item("special_category", art9_condition=condition)(snapshot)
    assert codes(snapshot) == (["schedule1"] if condition in "bghij" else [])
    snapshot["schedule1_condition"] = "p1_2"
    assert codes(snapshot) == []


def test_art9_and_schedule1_are_not_asked_for_without_special_category_data() -> None:
    assert codes({**personal_agreement(), "art9_condition": "g"}) == []


@pytest.mark.parametrize("condition", sorted(SCHEDULE1_CONDITIONS))
def test_schedule1_part2_and_part1_para1_conditions_need_a_policy_document(condition: str) -> None:
    snapshot = personal_agreement()
    _add_item("special_category", art9_condition="h", schedule1_condition=condition)(snapshot)
    needs_policy = condition.startswith("p2_") or condition == "p1_1"
    assert codes(snapshot) == (["policy_document"] if needs_policy else [])
    snapshot["policy_document_in_place"] = False
    assert codes(snapshot) == (["policy_document"] if needs_policy else [])
    snapshot["policy_document_in_place"] = True
    assert codes(snapshot) == []


@pytest.mark.parametrize(
    "answer", [{"criminal_condition": "official_authority"}, {"criminal_condition": "p3_36"},
               {"law_enforcement_processing": True}],
)  # fmt: skip
def test_criminal_offence_items_are_satisfied_by_a_condition_or_law_enforcement(answer: dict[str, Any]) -> None:
    snapshot = personal_agreement()
    _add_item("criminal_offence", **answer)(snapshot)
    assert codes(snapshot) == []


def test_transfer_safeguards_given_satisfy_international_transfers() -> None:
    assert codes({**personal_agreement(), "international_transfers": True, "transfer_safeguards": "UK IDTA"}) == []


def test_a_complete_dpia_record_satisfies_a_screening_that_needs_one() -> None:
    snapshot = {**personal_agreement(), "dpia_screening": {"matching": True, "new_technology": False}}
    snapshot.update(dpia_reference="DPIA-12", dpia_date="2026-03-01", dpia_outcome="proceed")
    assert codes(snapshot) == []
    for field in ("dpia_reference", "dpia_date", "dpia_outcome"):
        assert codes({**snapshot, field: None}) == ["dpia_record"]


def test_a_processor_with_a_controller_and_joint_controllers_are_fine() -> None:
    snapshot = personal_agreement()
    snapshot.update(kind="controller_processor")
    snapshot["parties"][1]["role"] = "processor"
    assert codes(snapshot) == []
    snapshot = personal_agreement()
    snapshot.update(kind="joint_controller")
    for p in snapshot["parties"]:
        p["role"] = "joint_controller"
    assert codes(snapshot) == []


def test_a_gap_message_names_every_party_missing_a_detail() -> None:
    snapshot = personal_agreement()
    for p in snapshot["parties"]:
        p["signatory_name"] = None
    assert gaps(snapshot)[0].message == "Name the signatory for Council, Housing Association"


# --- review date and add_months --------------------------------------------------------------


@pytest.mark.parametrize(
    ("effective", "interval", "review", "ok"),
    [
        (date(2026, 4, 1), 12, date(2027, 4, 1), True),
        (date(2026, 4, 1), 12, date(2027, 4, 2), False),
        (date(2026, 4, 1), 12, date(2026, 5, 1), True),
        (date(2026, 1, 31), 1, date(2026, 2, 28), True),
        (date(2026, 1, 31), 1, date(2026, 3, 1), False),
        (date(2024, 2, 29), 12, date(2025, 2, 28), True),
        (date(2024, 2, 29), 12, date(2025, 3, 1), False),
        (date(2026, 8, 31), 6, date(2027, 2, 28), True),
        (date(2026, 8, 31), 6, date(2027, 3, 1), False),
    ],
)
def test_review_date_no_later_than_interval_after_effective(effective: date, interval: int, review: date,
                                                            ok: bool) -> None:  # fmt: skip
    for as_stored in (str, lambda d: d):  # a frozen snapshot holds ISO strings; a live record holds dates
        snapshot = {**personal_agreement(), "effective_from": as_stored(effective),
                    "review_interval_months": interval, "next_review_date": as_stored(review)}  # fmt: skip
        assert codes(snapshot) == ([] if ok else ["review_date"])


def test_review_date_message_names_the_interval() -> None:
    snapshot = {**personal_agreement(), "review_interval_months": 6}
    assert gaps(snapshot)[0].message == "Set a next review date no later than 6 months after the agreement takes effect"


def test_a_missing_review_date_is_a_gap_but_a_missing_start_is_reported_once() -> None:
    assert codes({**personal_agreement(), "next_review_date": None}) == ["review_date"]
    assert codes({**personal_agreement(), "effective_from": None, "next_review_date": "2099-01-01"}) == [
        "effective_from"
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
        (date(2026, 1, 31), 36, date(2029, 1, 31)),
        (date(2026, 5, 15), 0, date(2026, 5, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
