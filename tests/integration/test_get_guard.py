"""GET never changes records: a GET that tries fails, and nothing it did is kept.

Each test registers a throwaway route on a fresh test app, doing the kind of write a
careless view might: adding a row, calling a service (which flushes), or committing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from factories import count, page_text
from flask import Flask

from registry.extensions import csrf, db
from registry.models import Organisation
from registry.services import organisations


def add_row() -> None:
    db.session.add(Organisation(name="Added", name_key="added", sector="public", kind="police"))


def flush_row() -> None:
    add_row()
    db.session.flush()


def call_service() -> None:
    organisations.create(None, {"name": "Made By Service", "sector": "public", "kind": "police"})


def commit_directly() -> None:
    call_service()
    db.session.commit()


WRITES: dict[str, Callable[[], None]] = {
    "add": add_row,
    "flush": flush_row,
    "service": call_service,
    "commit": commit_directly,
}


def throwaway_route(app: Flask, write: Callable[[], None], methods: list[str]) -> str:
    def view() -> str:
        write()
        return "done"

    app.add_url_rule("/throwaway", "throwaway", csrf.exempt(view), methods=methods)
    return "/throwaway"


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_get_that_changes_records_fails_and_keeps_nothing(app: Flask, write: Callable[[], None]) -> None:
    path = throwaway_route(app, write, ["GET"])
    with pytest.raises(RuntimeError, match="GET /throwaway tried to change records"):
        app.test_client().get(path)
    assert count(app, Organisation) == 0


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_in_production_the_user_sees_the_error_page_and_nothing_is_kept(app: Flask, write: Callable[[], None]) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["PROPAGATE_TEST_ERRORS"] = False
    path = throwaway_route(app, write, ["GET"])
    response = app.test_client().get(path)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page_text(response)
    assert count(app, Organisation) == 0


@pytest.mark.parametrize("write", [add_row, call_service], ids=["add", "service"])
def test_the_same_write_by_post_is_committed(app: Flask, write: Callable[[], None]) -> None:
    path = throwaway_route(app, write, ["POST"])
    assert app.test_client().post(path).status_code == 200
    assert count(app, Organisation) == 1


def test_pages_are_read_while_another_server_holds_the_write_lock(app: Flask, as_user) -> None:  # type: ignore[no-untyped-def]
    """SQLite: a GET's transaction (which loading the signed-in user begins) is a read, so pages are
    served while a writer elsewhere holds the database's write lock, instead of queueing behind it."""
    import sqlite3

    from factories import make_cast

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        pytest.skip("PostgreSQL readers never wait for writers")
    cast = make_cast(app)
    client = as_user(cast.manager)
    writer = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        response = client.get("/organisations/")
        assert response.status_code == 200 and "Own Housing Association" in page_text(response)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
