"""Identifier and postcode formats: what a person may type, what is stored, what they are told."""

from __future__ import annotations

import pytest

from registry.identifiers import IDENTIFIERS, checker, normalise_postcode

# field -> [(typed, stored)]
VALID: dict[str, list[tuple[str, str]]] = {
    "ico_registration_number": [
        ("Z1234567", "Z1234567"),
        ("z5678901", "Z5678901"),
        ("ZA123456", "ZA123456"),
        (" za 123 456 ", "ZA123456"),
    ],
    "companies_house_number": [
        ("01234567", "01234567"),
        ("09876543", "09876543"),
        ("SC123456", "SC123456"),
        ("oc301234", "OC301234"),
        ("NI 012345", "NI012345"),
        ("RS007654", "RS007654"),
    ],
    "charity_number": [
        ("1087654", "1087654"),
        ("202918", "202918"),
        ("1123456-1", "1123456-1"),
        ("sc012345", "SC012345"),
        ("NIC 100001", "NIC100001"),
    ],
    "nhs_ods_code": [
        ("RX1", "RX1"),
        ("rnb", "RNB"),
        ("5NB", "5NB"),
        ("A12345", "A12345"),
        ("QNS", "QNS"),
    ],
    "ukprn": [("10004567", "10004567"), ("1001 2345", "10012345")],
    "school_urn": [("112233", "112233"), ("100000", "100000")],
    "rsh_number": [("L1234", "L1234"), ("lh4321", "LH4321"), ("L0876", "L0876"), ("4567", "4567")],
}

INVALID: dict[str, list[str]] = {
    "ico_registration_number": ["Z123456", "Z12345678", "A1234567", "ZAB12345", "1234567", ""],
    "companies_house_number": ["1234567", "123456789", "S1234567", "SC12345", "SCO12345"],
    "charity_number": ["12345", "SC12345", "SC112345", "NIC12345", "1234567-123", "CH123456"],
    "nhs_ods_code": ["12345", "AB", "ABCDEFG", "RX-1"],
    "ukprn": ["20012345", "1001234", "100123456", "UKPRN123"],
    "school_urn": ["012345", "12345", "1234567", "A12345"],
    "rsh_number": ["H1234", "L12345", "123", "LHH1234", "L-1234"],
}

MESSAGES = {
    "ico_registration_number": "Enter the ICO registration number in the correct format, like Z1234567 or ZA123456",
    "companies_house_number": "Enter the Companies House number in the correct format, like 01234567 or SC123456",
    "charity_number": "Enter the charity number in the correct format, like 1234567, SC012345 or NIC100001",
    "nhs_ods_code": "Enter the NHS ODS code in the correct format, like RX1 or A12345",
    "ukprn": "Enter the UKPRN in the correct format, like 10012345",
    "school_urn": "Enter the school URN in the correct format, like 123456",
    "rsh_number": "Enter the Regulator of Social Housing number in the correct format, like L1234, LH1234 or 4567",
}


def test_every_identifier_is_covered() -> None:
    assert set(VALID) == set(INVALID) == set(MESSAGES) == set(IDENTIFIERS)


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [(field, typed, stored) for field, cases in VALID.items() for typed, stored in cases],
)
def test_valid_identifier_is_stored_normalised(field: str, typed: str, stored: str) -> None:
    assert checker(field)(typed) == stored


@pytest.mark.parametrize(("field", "typed"), [(field, typed) for field, cases in INVALID.items() for typed in cases])
def test_invalid_identifier_is_refused_with_its_message(field: str, typed: str) -> None:
    with pytest.raises(ValueError) as refused:
        checker(field)(typed)
    assert str(refused.value) == MESSAGES[field]


def test_each_example_in_a_message_is_itself_valid() -> None:
    for field, fmt in IDENTIFIERS.items():
        for example in fmt.example.replace(",", " or").split(" or "):
            assert checker(field)(example.strip()) == example.strip(), field


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("GIR 0AA", "GIR 0AA"),
        ("gir0aa", "GIR 0AA"),
        ("M1 1AE", "M1 1AE"),
        ("  m1   1ae ", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
    ],
)
def test_valid_postcode_is_stored_with_one_space(typed: str, stored: str) -> None:
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "SW1A", "SW1A 1AAA", "12345", "QA1 1AA", "V1 1AA", "M1 1CA", "ZZ1 1ZZ", "AAA 1AA", "SW1A-1AA", "M1 AAE"],
)
def test_invalid_postcode_is_refused(typed: str) -> None:
    with pytest.raises(ValueError) as refused:
        normalise_postcode(typed)
    assert str(refused.value) == "Enter a real UK postcode, like SW1A 1AA"
