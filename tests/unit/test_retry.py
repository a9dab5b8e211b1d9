"""The request retry middleware (registry/retry.py) with stand-in WSGI apps: which runs are repeated,
that each run reads the same body, and that a kept response is passed on once."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from io import BytesIO
from typing import Any

import psycopg
import pytest

from registry.retry import ATTEMPT, Attempt, RetryOnConflict, retryable


class Recorder:
    """A stand-in app: each run reads the whole body, then fails (or commits) as its script says."""

    def __init__(self, script: list[dict[str, Any]]) -> None:
        self.script = script
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        run = self.script[len(self.bodies)]
        self.bodies.append(environ["wsgi.input"].read())
        attempt: Attempt = environ[ATTEMPT]
        attempt.committed = run.get("committed", False)
        attempt.failure = run.get("failure")
        if run.get("raise"):
            raise RuntimeError("the commit failed")
        start_response(run.get("status", "200 OK"), [("Content-Type", "text/plain")])
        return [run.get("body", b"done")]


def call(app: Callable[..., Iterable[bytes]], body: bytes = b"a=1&b=2", **environ: Any) -> tuple[list, bytes]:
    started: list[tuple[str, list]] = []
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": "/x", "CONTENT_LENGTH": str(len(body)),
           "wsgi.input": BytesIO(body), **environ}  # fmt: skip
    result = app(env, lambda status, headers, exc_info=None: started.append((status, headers)))
    content = b"".join(result)
    getattr(result, "close", lambda: None)()
    return started, content


DEADLOCK = "40P01"


def test_a_deadlock_victim_runs_again_with_the_same_body_and_only_the_kept_response_is_sent() -> None:
    app = Recorder([{"failure": DEADLOCK, "status": "500 INTERNAL SERVER ERROR", "body": b"error"},
                    {"failure": "40001", "raise": True}, {"status": "302 FOUND", "body": b"saved"}])  # fmt: skip
    started, content = call(RetryOnConflict(app, retries=3, max_body=None))
    assert app.bodies == [b"a=1&b=2"] * 3
    assert [status for status, _ in started] == ["302 FOUND"] and content == b"saved"


def test_retries_are_bounded_and_the_last_failure_is_shown() -> None:
    app = Recorder([{"failure": DEADLOCK, "status": "500 INTERNAL SERVER ERROR", "body": b"error"}] * 3)
    started, content = call(RetryOnConflict(app, retries=2, max_body=None))
    assert len(app.bodies) == 3
    assert [status for status, _ in started] == ["500 INTERNAL SERVER ERROR"] and content == b"error"
    raising = Recorder([{"failure": DEADLOCK, "raise": True}] * 2)
    with pytest.raises(RuntimeError, match="the commit failed"):
        call(RetryOnConflict(raising, retries=1, max_body=None))
    assert len(raising.bodies) == 2


@pytest.mark.parametrize(
    ("run", "environ", "retries"),
    [
        ({"failure": DEADLOCK, "committed": True, "status": "500 INTERNAL SERVER ERROR"}, {}, 3),
        ({"failure": None, "status": "503 SERVICE UNAVAILABLE"}, {}, 3),
        ({"failure": DEADLOCK, "status": "500 INTERNAL SERVER ERROR"}, {}, 0),
        ({"failure": DEADLOCK, "status": "500 INTERNAL SERVER ERROR"}, {"HTTP_TRANSFER_ENCODING": "chunked"}, 3),
        ({"failure": DEADLOCK, "status": "500 INTERNAL SERVER ERROR"}, {"CONTENT_LENGTH": "100"}, 3),
    ],
    ids=["committed-something", "not-a-victim", "retries-off", "body-without-length", "body-over-the-limit"],
)
def test_runs_that_must_not_be_repeated_are_not(run: dict[str, Any], environ: dict[str, Any], retries: int) -> None:
    app = Recorder([run, {"status": "200 OK"}])

    def wrapped(env: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        env.setdefault(ATTEMPT, Attempt(1, last=True))  # unbuffered requests reach the app without one
        return app(env, start_response)

    started, _ = call(RetryOnConflict(wrapped, retries=retries, max_body=50), **environ)
    assert len(app.bodies) == 1 and started[0][0] == run["status"]


def test_a_streamed_response_is_not_repeated_once_it_has_started() -> None:
    runs: list[int] = []

    def streaming(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterator[bytes]:
        runs.append(1)
        start_response("200 OK", [])

        def rows() -> Iterator[bytes]:
            yield b"first rows"
            environ[ATTEMPT].failure = DEADLOCK  # while streaming: the first bytes have gone
            yield b"more rows"

        return rows()

    started, content = call(RetryOnConflict(streaming, retries=3, max_body=None), body=b"")
    assert runs == [1] and started == [("200 OK", [])] and content == b"first rowsmore rows"


def test_only_deadlocks_and_serialization_failures_are_retryable() -> None:
    assert retryable(psycopg.errors.DeadlockDetected()) == "40P01"
    assert retryable(psycopg.errors.SerializationFailure()) == "40001"
    assert retryable(psycopg.errors.LockNotAvailable()) is None
    assert retryable(psycopg.errors.UniqueViolation()) is None
    # SQLite's lock timeout is not retried: the writer has already waited the busy timeout
    assert retryable(sqlite3.OperationalError("database is locked")) is None
