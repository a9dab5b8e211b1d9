"""The sign-in limit holds when many attempts arrive at once: each is counted before its password is checked.

The threads are released together by a barrier, and the password check waits until every thread
has either reached it or been answered, so the interleaving is fixed: every attempt is counted (or
not) before any password is compared. With the count taken only after a failed check (the old way),
all eight reached the check and the right password got in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from factories import PASSWORD, Cast, audit_events, csrf_token, error_summary
from flask import Flask
from flask.testing import FlaskClient

from registry import dates
from registry.extensions import db
from registry.models import SignInThrottle
from registry.services import throttle, users

GENERIC = "Enter a correct email address and password"
THREADS = 8
LIMIT = 5  # SIGN_IN_ACCOUNT_LIMIT in the test settings


class Gate:
    """Holds every password check until all ``parties`` threads have reached a check or been answered."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.arrived: set[int] = set()  # threads that reached a check or were answered
        self.checked = 0
        self.condition = threading.Condition()

    def arrive(self, *, checking: bool) -> None:
        with self.condition:
            self.arrived.add(threading.get_ident())
            self.checked += checking
            self.condition.notify_all()
            if checking and not self.condition.wait_for(lambda: len(self.arrived) >= self.parties, timeout=30):
                raise TimeoutError("not every sign-in reached its check or its answer")


def _run_at_once(app: Flask, attempts: list[tuple[str, str]], gate: Gate) -> list[Any]:
    """Each attempt (email, password) from its own client in its own thread, all posted together."""
    clients: list[FlaskClient] = [app.test_client() for _ in attempts]
    tokens = [csrf_token(client, "/sign-in") for client in clients]
    barrier = threading.Barrier(len(attempts), timeout=30)
    responses: list[Any] = [None] * len(attempts)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        email, password = attempts[n]
        try:
            barrier.wait()
            responses[n] = clients[n].post(
                "/sign-in", data={"csrf_token": tokens[n], "email": email, "password": password}
            )
        except BaseException as error:  # noqa: BLE001  (reported below, in the test's own thread)
            errors.append(error)
            barrier.abort()
        finally:
            gate.arrive(checking=False)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(len(attempts))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == []
    return responses


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Gate:
    gate = Gate(THREADS)
    real_verify: Callable[[str | None, str], bool] = users.verify_password

    def gated_verify(password_hash: str | None, password: str) -> bool:
        gate.arrive(checking=True)
        return real_verify(password_hash, password)

    monkeypatch.setattr(users, "verify_password", gated_verify)
    return gate


def test_eight_sign_ins_at_once_check_at_most_five_passwords_and_lock_the_account(
    app: Flask, cast: Cast, gate: Gate
) -> None:
    email = cast.manager.email
    attempts = [(email, f"wrong-password-number-{n}") for n in range(THREADS - 1)] + [(email, PASSWORD)]
    responses = _run_at_once(app, attempts, gate)

    assert gate.checked <= LIMIT, f"{gate.checked} passwords were checked: the limit is {LIMIT}"
    for response in responses:
        assert response.status_code == 200, "nobody signed in"
        assert error_summary(response) == [GENERIC]

    with app.app_context():
        row = db.session.get(SignInThrottle, throttle.account_key(email))
        assert row is not None and row.locked_until is not None and row.locked_until > dates.utcnow(), "locked"
    after = app.test_client()
    response = after.post("/sign-in", data={"csrf_token": csrf_token(after, "/sign-in"), "email": email,
                                            "password": PASSWORD})  # fmt: skip
    assert response.status_code == 200 and error_summary(response) == [GENERIC], "the right password is refused"

    events = audit_events(app, "user.sign_in_failed")
    assert len(events) == THREADS + 1, "every attempt is audited"
    throttled = [event for event in events if event.changes.get("throttled")]
    assert len(throttled) >= THREADS - LIMIT + 1, "those over the limit, and the one after, were refused unchecked"
    assert {event.entity_id for event in events} == {str(cast.manager.id)}
