"""Shared fixtures.

Integration tests take the ``app`` fixture, which runs each test once on SQLite and
once on PostgreSQL (the test id shows which: ``[sqlite]`` or ``[postgresql]``). Each
test gets a clean database: a copy of a migrated SQLite file, or PostgreSQL tables
truncated after the test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from flask_login import FlaskLoginClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, make_url, text

from registry import create_app
from registry.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASES = ("sqlite", "postgresql")


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every test app (keyed by source checksum), so each test
    does not compile every template again: compiling was most of an integration test's time."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CACHE = _MemoryBytecodeCache()


class SessionLoginClient(FlaskLoginClient):
    """``app.test_client(user=...)`` signed in as a browser would be: with a live server-side
    session row (registry/services/sessions.py) whose token is in the session cookie."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        user = kwargs.get("user")
        super().__init__(*args, **kwargs)
        if user:
            import secrets

            from registry.dates import utcnow
            from registry.models import UserSession
            from registry.services.sessions import token_hash
            from registry.web.auth.session_store import TOKEN

            token, now = secrets.token_urlsafe(32), utcnow()
            row = {"token_hash": token_hash(token), "created_at": now, "last_seen_at": now, "user_agent": "test client"}
            # the app's engine without pushing an app context: a test may have one open (even a streamed
            # response's, left open until the response is closed), and pushing and popping another disturbs it
            engine = db._app_engines[self.application][None]
            with engine.begin() as connection:
                connection.execute(UserSession.__table__.insert().values(user_id=user.id, **row))  # type: ignore[attr-defined]
            with self.session_transaction() as session:
                session[TOKEN] = token


def make_app(url: str, **overrides: object) -> Flask:
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, **overrides})
    app.test_client_class = SessionLoginClient
    app.jinja_env.bytecode_cache = _TEMPLATE_CACHE
    return app


def migrate_to_head(app: Flask) -> None:
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate_to_head(make_app(f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of our own on the TEST_DATABASE_URL server, so parallel runs never collide."""
    server = make_url(PG_URL)
    name = f"registry_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    app = make_app(url)
    migrate_to_head(app)
    _remember_seed_rows(app)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


_SEED_ROWS: dict[str, list[dict]] = {}


def _remember_seed_rows(app: Flask) -> None:
    """Rows the migrations insert (reference lists), put back after each test's truncation."""
    with app.app_context(), db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in connection.execute(table.select())]
            if rows:
                _SEED_ROWS[table.name] = rows


def truncate_all(app: Flask) -> None:
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            # the audit trail refuses TRUNCATE by trigger; the test database's superuser may set it aside
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            for table in db.metadata.sorted_tables:
                if table.name in _SEED_ROWS:
                    connection.execute(table.insert(), _SEED_ROWS[table.name])
                    if "id" not in table.columns:
                        continue
                    connection.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), MAX(id)) FROM {table.name}")
                    )


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "registry.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture
def app_factory(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Builds the real app on this test's database with extra settings; cleans up after."""
    apps: list[Flask] = []

    def build(**overrides: object) -> Flask:
        apps.append(make_app(database_url, **overrides))
        return apps[-1]

    yield build
    if apps and database_url.startswith("postgresql"):
        truncate_all(apps[0])
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Flask:
    return app_factory()


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def cast(app: Flask):  # type: ignore[no-untyped-def]
    """One user of each role; partners of two different organisations."""
    from factories import make_cast

    return make_cast(app)


@pytest.fixture
def as_user(app: Flask):  # type: ignore[no-untyped-def]
    """A test client signed in as the given user (through Flask-Login's session)."""

    def client_for(user):  # type: ignore[no-untyped-def]
        return app.test_client(user=user)

    return client_for


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Say plainly which databases the integration tests ran on, and how the key checks did."""
    counts: dict[str, dict[str, int]] = {}
    checks = {
        "access test": "test_access.py",
        "accessibility (axe) test": "test_accessibility.py",
        "migration test": "test_migrations.py",
    }
    check_results: dict[str, dict[str, int]] = {name: {} for name in checks}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if getattr(report, "when", "call") not in ("call", "setup") or (
                outcome == "passed" and report.when != "call"
            ):
                continue
            where = "sqlite" if "[sqlite" in nodeid else "postgresql" if "[postgresql" in nodeid else None
            if "tests/browser/" in nodeid:
                where = "chromium"
            if where:
                counts.setdefault(where, {}).setdefault(outcome, 0)
                counts[where][outcome] += 1
            for name, filename in checks.items():
                if filename in nodeid:
                    check_results[name].setdefault(outcome, 0)
                    check_results[name][outcome] += 1
    terminalreporter.section("where the tests ran")
    for where, outcomes in sorted(counts.items()):
        terminalreporter.write_line(f"{where:<11} " + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())))
    for name, outcomes in check_results.items():
        summary = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())) or "not run"
        terminalreporter.write_line(f"{name:<25} {summary}")
