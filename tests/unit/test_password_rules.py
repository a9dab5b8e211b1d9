"""Rules for new passwords: length, not common, not local, not personal; no composition rules."""

from __future__ import annotations

import pytest

from registry.passwords import (
    MAX_LENGTH,
    TOO_COMMON,
    TOO_LOCAL,
    TOO_PERSONAL,
    common_passwords,
    hash_password,
    password_problem,
    verify_password,
)

LOCAL = ("Partnership and data-sharing registry", "Northbridge Borough Council")


def problem(password: str, email: str = "jane.smith@example.org", name: str = "Jane Smith") -> str | None:
    return password_problem(password, email=email, name=name, local_names=LOCAL)


@pytest.mark.parametrize(
    "password",
    [
        "purple monkey dishwasher",
        "twelve chars",  # exactly 12, lower case and a space: no composition rules
        "all lower case words here",
        "ALL UPPER CASE WORDS HERE",
        "1928374655647382",
        "kettle-lighthouse-marmalade-ostrich",
    ],
)
def test_good_passwords_are_accepted(password: str) -> None:
    assert problem(password) is None


@pytest.mark.parametrize("length", [64, 100, MAX_LENGTH])
def test_long_passphrases_are_accepted_and_work(length: int) -> None:
    password = ("otter canal bicycle lantern " * 20)[:length]
    assert len(password) == length
    assert problem(password) is None
    assert verify_password(hash_password(password), password)


def test_length_limits_say_what_to_do() -> None:
    assert problem("eleven char") == "Enter a password that is at least 12 characters long"
    assert problem("x" * 11) == "Enter a password that is at least 12 characters long"
    assert problem("otter canal " * 30) == f"Enter a password that is {MAX_LENGTH} characters or fewer"


def test_too_long_is_refused_before_hashing() -> None:
    with pytest.raises(ValueError):
        hash_password("x" * (MAX_LENGTH + 1))
    assert verify_password(hash_password("otter canal bicycle"), "y" * (MAX_LENGTH + 1)) is False


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password2026!",
        "P@ssw0rd123456",
        "pass-word-1234",
        "2026password!!",
        "passwordpassword",
        "123456789012",
        "qwertyuiop123",
        "iloveyou123456",
        "Correct Horse Battery Staple",
        "correct-horse-battery-staple",
        "letmein12345678",
        "Welcome2026!!!",
        "monkey!!!!!!!!",
        "aaaaaaaaaaaaaaaa",
        "abababababababab",
        "1q2w3e4r5t6y",
    ],
)
def test_common_passwords_are_refused(password: str) -> None:
    assert problem(password) == TOO_COMMON


@pytest.mark.parametrize(
    "password",
    ["northbridge2026!", "I work at Northbridge", "n0rthbr1dge council", "my registry password", "partnership work"],
)
def test_local_passwords_are_refused(password: str) -> None:
    assert problem(password) == TOO_LOCAL


def test_the_configured_council_name_is_refused() -> None:
    assert password_problem("welcome to westhaven", local_names=("Westhaven District Council",)) == TOO_LOCAL, (
        "the council's distinctive word"
    )
    assert password_problem("district council work", local_names=("Westhaven District Council",)) is None


@pytest.mark.parametrize(
    "password", ["jane.smith2026!", "JaneSmith is great", "smith family holiday", "jane likes mountains"]
)
def test_personal_passwords_are_refused(password: str) -> None:
    assert problem(password) == TOO_PERSONAL


def test_short_names_do_not_refuse_ordinary_words() -> None:
    assert problem("jo likes mountains", email="jo@example.org", name="Jo Ng") is None


def test_the_list_is_loaded_and_normalised() -> None:
    common = common_passwords()
    assert len(common) > 300
    assert "correcthorsebatterystaple" in common
    assert all(entry == entry.lower() and entry.isalnum() for entry in common)
