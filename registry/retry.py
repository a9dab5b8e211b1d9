"""Running a request again when PostgreSQL chose it as a deadlock victim or could not serialise it.

Every transaction takes its locks in one order (the audit chain head last: registry/audit_chain.py),
so the requests the registry makes do not deadlock each other; but PostgreSQL may still pick a victim
(a lock order some future change gets wrong, a lock upgrade, a serialization failure). Such a failure
says nothing about the request: run at another moment it succeeds. So the whole request is run again,
from the start, at most ``REQUEST_RETRIES`` times:

- ``RetryOnConflict`` is WSGI middleware around the Flask app. It reads the request body into a file
  it can read again (in memory up to 1 MiB, then on disk; a body without a length, or longer than
  ``MAX_CONTENT_LENGTH``, is passed on as it is and never retried), and gives each run a fresh copy of
  the WSGI environ. Each run is a new request context, so a new application context, database session,
  ``g``, signed-in user and cookie session: nothing of a failed run is left.
- The database says which runs may be repeated: an engine ``handle_error`` hook notes SQLSTATE 40P01
  (deadlock detected) or 40001 (serialization failure) on the run's ``Attempt``; a session ``after_commit``
  hook notes that the run committed. A run is repeated only when it met such a failure and committed
  nothing (the one commit at the request boundary failed, or never came), so it is never half-applied.
- The response of a run is held back until the run is known to stand: the middleware captures
  ``start_response`` and passes it on only for the run it keeps. A streamed response (the exports) is
  passed on as soon as the app returns it; a failure while it streams is not retried, since its first
  bytes have gone.

Side effects outside the database: none is made while a request runs. Email is written to the outbox in
the same transaction (and reminders are sent by a command, not a request), so a repeated run cannot send
twice; a run that failed wrote nothing, its events included.

SQLite is not retried. Writers there begin ``BEGIN IMMEDIATE`` and queue for the one write lock, and
readers (WAL) never block, so SQLite has no deadlock to break and no victim to repeat. Its one lock
failure, "database is locked", comes after a writer has already waited the 10 s busy timeout: running
the request again would make a person wait another 10 s or more while adding load to the very queue
that was too long. It stays a 503 ("the service is unavailable"), and ``make load`` fails on it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.orm import Session
from werkzeug.wsgi import ClosingIterator

RETRYABLE = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
ATTEMPT = "registry.attempt"  # the WSGI environ key of the run's Attempt
IN_MEMORY = 1024 * 1024  # a body larger than this is buffered on disk
log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Attempt:
    """What happened to the database in one run of a request."""

    def __init__(self, number: int, *, last: bool) -> None:
        self.number = number
        self.last = last  # no run may follow this one
        self.failure: str | None = None  # the SQLSTATE of a deadlock or serialization failure met
        self.committed = False

    @property
    def will_run_again(self) -> bool:
        return self.failure is not None and not self.committed and not self.last


def will_run_again() -> bool:
    """Whether the request being served failed in a way it is about to be run again for (so an error
    handler need not log the failure as an error: the middleware logs it)."""
    attempt = current()
    return attempt is not None and attempt.will_run_again


def current() -> Attempt | None:
    """The run of the request being served (None outside a request, or when the middleware is off)."""
    return request.environ.get(ATTEMPT) if has_request_context() else None


def retryable(error: BaseException) -> str | None:
    """The SQLSTATE of a DBAPI error worth running the request again for: deadlock detected or serialization
    failure (PostgreSQL). None for anything else, SQLite's "database is locked" included (see above)."""
    code = getattr(error, "sqlstate", None)
    return code if code in RETRYABLE else None


def _note_failure(context: ExceptionContext) -> None:
    attempt, code = current(), retryable(context.original_exception)
    if attempt is not None and code is not None:
        attempt.failure = code


def _note_commit(session: Session) -> None:
    attempt = current()
    if attempt is not None:
        attempt.committed = True


def register() -> None:
    """Watch every engine and session for the failures and commits that decide a retry (once per process)."""
    if event.contains(Engine, "handle_error", _note_failure):
        return
    event.listen(Engine, "handle_error", _note_failure)
    event.listen(Session, "after_commit", _note_commit)


class _HeldStart:
    """``start_response`` held back until the run is kept; then passed on (and straight through after)."""

    def __init__(self, start_response: StartResponse) -> None:
        self.start_response = start_response
        self.call: tuple[Any, ...] | None = None
        self.released = False

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        if self.released:
            return self.start_response(status, headers, exc_info)  # type: ignore[no-any-return]
        self.call = (status, headers, exc_info)
        return self._write

    def _write(self, data: bytes) -> None:
        raise RuntimeError("the registry's responses are returned, never written before they are kept")

    def release(self) -> None:
        self.released = True
        if self.call is not None:
            self.start_response(*self.call)


class RetryOnConflict:
    """Run a request again, from the start, when the database chose it as a deadlock victim or could not
    serialise it, and it committed nothing; at most ``retries`` times."""

    def __init__(self, app: WSGIApp, *, retries: int, max_body: int | None) -> None:
        self.app = app
        self.retries = retries
        self.max_body = max_body

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = _buffered(environ, self.max_body) if self.retries else None
        if body is None:
            return self.app(environ, start_response)
        number = 0
        while True:
            number += 1
            body.seek(0)
            attempt, held = Attempt(number, last=number > self.retries), _HeldStart(start_response)
            run = {**environ, "wsgi.input": body, ATTEMPT: attempt}
            try:
                result = self.app(run, held)
            except Exception:
                if attempt.will_run_again:
                    self._wait(run, attempt)
                    continue
                body.close()
                raise
            if attempt.will_run_again:
                if hasattr(result, "close"):
                    result.close()
                self._wait(run, attempt)
                continue
            held.release()
            return ClosingIterator(result, body.close)

    def _wait(self, environ: dict[str, Any], attempt: Attempt) -> None:
        log.warning(
            "%s %s: the database chose it as a victim (SQLSTATE %s) on run %d; running it again",
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            attempt.failure,
            attempt.number,
        )
        time.sleep(random.uniform(0, 0.02 * attempt.number))  # the other transaction finishes first


def _buffered(environ: dict[str, Any], limit: int | None) -> IO[bytes] | None:
    """The request body in a file that can be read again; None when it cannot be (no length, too long)."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    declared = str(environ.get("CONTENT_LENGTH") or "0").strip()
    if not declared.isdigit() or (limit is not None and int(declared) > limit):
        return None
    body: IO[bytes] = SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115  (closed when the response is)
    stream, remaining = environ["wsgi.input"], int(declared)
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break  # the client sent less than it said: the app sees what came, as it would have
        body.write(chunk)
        remaining -= len(chunk)
    return body
