"""Formats of the identifiers UK bodies carry, each checked on its own terms.

Each checker takes what a person typed and returns it normalised (upper case,
spaces removed where the format has none), or raises ``ValueError`` with a
GOV.UK-style message that says what to enter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class IdentifierFormat:
    label: str
    pattern: re.Pattern[str]
    example: str
    hint: str

    def normalise(self, raw: str) -> str:
        value = re.sub(r"\s+", "", raw).upper()
        if not self.pattern.fullmatch(value):
            raise ValueError(f"Enter the {self.label} in the correct format, like {self.example}")
        return value


IDENTIFIERS: dict[str, IdentifierFormat] = {
    # ICO data protection fee register: Z plus 7 digits, or Z and a letter plus 6 digits
    "ico_registration_number": IdentifierFormat(
        "ICO registration number",
        re.compile(r"Z\d{7}|Z[A-Z]\d{6}"),
        "Z1234567 or ZA123456",
        "From the ICO register of fee payers, like Z1234567 or ZA123456",
    ),
    # 8 digits (England and Wales) or a 2-letter prefix and 6 digits (SC, NI, OC, SO, NC, IP, RS, ...)
    "companies_house_number": IdentifierFormat(
        "Companies House number",
        re.compile(r"\d{8}|[A-Z]{2}\d{6}"),
        "01234567 or SC123456",
        "8 characters, like 01234567 or SC123456",
    ),
    # England and Wales: 6 or 7 digits, with an optional -N linked charity suffix;
    # Scotland: SC0 and 5 digits; Northern Ireland: NIC and 6 digits
    "charity_number": IdentifierFormat(
        "charity number",
        re.compile(r"\d{6,7}(-\d{1,2})?|SC0\d{5}|NIC\d{6}"),
        "1234567, SC012345 or NIC100001",
        "Registered charity number, like 1234567, SC012345 or NIC100001",
    ),
    # NHS Organisation Data Service: 3 to 6 letters and digits, at least one letter
    "nhs_ods_code": IdentifierFormat(
        "NHS ODS code",
        re.compile(r"(?=[A-Z0-9]*[A-Z])[A-Z0-9]{3,6}"),
        "RX1 or A12345",
        "The Organisation Data Service code, like RX1 or A12345",
    ),
    # UK Register of Learning Providers: 8 digits starting with 1
    "ukprn": IdentifierFormat(
        "UKPRN",
        re.compile(r"1\d{7}"),
        "10012345",
        "UK provider reference number: 8 digits starting with 1",
    ),
    # Unique reference number from Get Information About Schools: 6 digits
    "school_urn": IdentifierFormat(
        "school URN",
        re.compile(r"[1-9]\d{5}"),
        "123456",
        "Unique reference number: 6 digits",
    ),
    # Regulator of Social Housing: L or LH and 4 digits (non-profit), or 4 digits (for-profit)
    "rsh_number": IdentifierFormat(
        "Regulator of Social Housing number",
        re.compile(r"(L|LH)?\d{4}"),
        "L1234, LH1234 or 4567",
        "Registration number, like L1234, LH1234 or 4567",
    ),
}

# Outward code, then inward code (digit and two letters); GIR 0AA is the one oddity
POSTCODE = re.compile(
    r"(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPS-UW]|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})"
)


def normalise_postcode(raw: str) -> str:
    """Upper case with one space before the inward code, like SW1A 1AA."""
    value = re.sub(r"\s+", "", raw).upper()
    if not POSTCODE.fullmatch(value):
        raise ValueError("Enter a real UK postcode, like SW1A 1AA")
    return f"{value[:-3]} {value[-3:]}"


def checker(field: str) -> Callable[[str], str]:
    return IDENTIFIERS[field].normalise
