"""``flask registry ...`` commands: creating users and loading demo data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from factories import Cast, audit_events, count, page_text, submit
from flask import Flask
from flask.testing import FlaskCliRunner

from registry import create_app
from registry.extensions import db
from registry.models import Organisation, User
from registry.services import demo
from registry.services.demo_agreements import SIGNATORIES

NEW_PASSWORD = "a-password-from-stdin"


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def create_user(runner: FlaskCliRunner, *args: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["registry", "create-user", *args], input=password + "\n")


def test_create_user_makes_an_account_that_can_sign_in(app: Flask, cast: Cast, runner: FlaskCliRunner) -> None:
    result = create_user(
        runner, "Pat.Partner@Example.org", "--role", "partner", "--name", "Pat Partner",
        "--organisation", "own HOUSING association",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created pat.partner@example.org (Partner organisation user)." in result.output
    [event] = audit_events(app, "user.created")[-1:]
    assert event.changes["organisation_id"]["after"] == cast.own_org.id
    assert event.actor_id is None, "made at the command line, not by a signed-in user"

    client = app.test_client()
    response = submit(client, "/sign-in", {"email": "pat.partner@example.org", "password": NEW_PASSWORD})
    assert response.status_code == 302
    home = page_text(client.get("/"))
    assert "You are signed in as Pat Partner (partner organisation user, Own Housing Association)" in home


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (
            ["x@example.org", "--role", "partner", "--organisation", "Nowhere Trust"],
            NEW_PASSWORD,
            "No organisation called 'Nowhere Trust' is on the register.",
        ),
        (["x@example.org", "--role", "manager"], "short", "Enter a password that is at least 12 characters long."),
        (
            ["x@example.org", "--role", "manager"],
            "qwerty123456",
            "Enter a password that is harder to guess. This one is too common.",
        ),
        (
            ["kim.lee@example.org", "--role", "manager", "--name", "Kim Leeson"],
            "kim.lee at home",
            "Enter a password that does not include the user’s name or email address.",
        ),
        (["x@example.org", "--role", "partner"], NEW_PASSWORD, "Select the organisation this partner user belongs to."),
        (["MANAGER@example.org", "--role", "manager"], NEW_PASSWORD, "A user with this email address already exists."),
        (["x@example.org", "--role", "superuser"], NEW_PASSWORD, "Invalid value for '--role'"),
    ],
    ids=[
        "unknown organisation",
        "short password",
        "common password",
        "personal password",
        "partner without organisation",
        "email taken",
        "unknown role",
    ],
)
def test_create_user_refusals_exit_non_zero_and_create_nothing(
    app: Flask, cast: Cast, runner: FlaskCliRunner, args: list[str], password: str, message: str
) -> None:
    before = count(app, User)
    result = create_user(runner, *args, password=password)
    assert result.exit_code != 0
    assert message in result.output
    assert count(app, User) == before


def test_load_demo_loads_once(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["registry", "load-demo"])
    assert first.exit_code == 0, first.output
    people = len(demo.DEMO_USERS) + len(SIGNATORIES)
    assert (
        f"Loaded {len(demo.DEMO_ORGANISATIONS)} organisations, 1 partnership, 3 agreements, 1 proposed variation, "
        "2 signed PDFs, "
        f"{people} users." in first.output
    )
    organisations, users = count(app, Organisation), count(app, User)
    assert organisations == len(demo.DEMO_ORGANISATIONS) and users == people

    second = runner.invoke(args=["registry", "load-demo"])
    assert second.exit_code == 0
    assert "The database already has records: demo data not loaded." in second.output
    assert (count(app, Organisation), count(app, User)) == (organisations, users)


@pytest.fixture
def production_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """The same database, with production settings."""
    production = create_app("production", {"SECRET_KEY": "p" * 48, "SQLALCHEMY_DATABASE_URI": database_url})
    yield production
    with production.app_context():
        db.engine.dispose()


def test_load_demo_is_refused_with_production_settings(app: Flask, production_app: Flask) -> None:
    result = production_app.test_cli_runner().invoke(args=["registry", "load-demo"])
    assert result.exit_code != 0
    assert "Demo data is not allowed with production settings" in result.output
    assert count(app, Organisation) == 0 and count(app, User) == 0

    sign_ins = production_app.test_cli_runner().invoke(args=["registry", "demo-sign-ins"])
    assert sign_ins.exit_code != 0
    assert "demo-password" not in sign_ins.output
