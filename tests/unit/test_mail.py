"""Mail settings checked at start-up, the console for local runs, and which reminder a date has reached."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from config import ConfigError, check_mail
from registry import mail
from registry.services.reminders import threshold

REVIEW = date(2026, 4, 1)


@pytest.mark.parametrize(
    ("given", "port", "starttls", "ssl"),
    [
        ({}, 587, True, False),
        ({"SMTP_USE_SSL": "true"}, 465, False, True),
        ({"SMTP_STARTTLS": "false"}, 25, False, False),
        ({"SMTP_STARTTLS": "no", "SMTP_PORT": "2525"}, 2525, False, False),
        ({"SMTP_STARTTLS": True, "SMTP_PORT": 1587}, 1587, True, False),
    ],
    ids=["defaults", "ssl", "plain", "plain-own-port", "given-as-types"],
)
def test_smtp_settings_get_their_types_and_usual_ports(given: dict, port: int, starttls: bool, ssl: bool) -> None:
    settings = {"SMTP_HOST": "smtp.example.org", "MAIL_FROM": "registry@example.org", **given}
    check_mail(settings, production=True)
    assert (settings["SMTP_PORT"], settings["SMTP_STARTTLS"], settings["SMTP_USE_SSL"]) == (port, starttls, ssl)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"SMTP_USE_SSL": "yes", "SMTP_STARTTLS": "yes"}, "Set only one of SMTP_USE_SSL"),
        ({"SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS must be true or false"),
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT must be a port number"),
        ({"SMTP_PORT": "70000"}, "SMTP_PORT must be a port number"),
        ({"MAIL_FROM": None}, "MAIL_FROM must be set"),
        ({"SMTP_USERNAME": "registry"}, "Set both SMTP_USERNAME and SMTP_PASSWORD"),
        ({"SMTP_USERNAME": "r", "SMTP_PASSWORD": "p", "SMTP_STARTTLS": "off"}, "the password must not travel in clear"),
    ],
    ids=["ssl-and-starttls", "not-a-flag", "not-a-port", "port-too-big", "no-sender", "half-sign-in", "clear-password"],
)
def test_smtp_settings_that_cannot_work_are_refused(given: dict, message: str) -> None:
    settings = {"SMTP_HOST": "smtp.example.org", "MAIL_FROM": "registry@example.org", **given}
    with pytest.raises(ConfigError, match=message):
        check_mail(settings, production=True)


def test_production_sends_nowhere_without_a_mail_server_and_local_runs_print_to_the_console() -> None:
    with pytest.raises(mail.MailNotConfigured, match="set SMTP_HOST"):
        mail.mailer_for({"ENV_NAME": "production", "SMTP_HOST": None})
    console = mail.mailer_for({"ENV_NAME": "development", "SMTP_HOST": None})
    assert isinstance(console, mail.ConsoleMailer)
    out = io.StringIO()
    console.stream = out
    message = mail.compose(sender="registry@example.org", to=["a@example.org", "b@example.org"],
                           subject="Review\r\ndue", body="Hello,\n\nThe review is due.\n")  # fmt: skip
    assert console.send(message) == {}
    printed = out.getvalue()
    assert "To: a@example.org, b@example.org" in printed
    assert "Subject: Review due" in printed, "a line break cannot start a new header"
    assert "The review is due." in printed


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [
        (120, None), (91, None), (90, "90"), (31, "90"), (30, "30"), (1, "30"), (0, "due"), (-6, "due"),
        (-7, "overdue-1"), (-13, "overdue-1"), (-14, "overdue-2"), (-70, "overdue-10"),
    ],
)  # fmt: skip
def test_the_reminder_a_day_has_reached(days_before: int, expected: str | None) -> None:
    assert threshold(REVIEW, REVIEW - timedelta(days=days_before)) == expected
