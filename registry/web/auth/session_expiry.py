"""Signed-in sessions end after a time without use (idle) and after a fixed time however busy (absolute).

The session cookie holds when the user signed in and when they were last seen, as seconds since the
epoch (the cookie is signed, so neither can be changed by the browser). A session past either limit
is signed out, with a message on the sign-in page saying why. There is no remember-me cookie.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from registry import dates

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SEEN_RESOLUTION = 60  # seconds: the cookie is rewritten at most once a minute to record activity

IDLE_MESSAGE = "You were signed out because you had not used the service for {minutes} minutes. Sign in again."
ABSOLUTE_MESSAGE = "You were signed out because you signed in more than {hours} hours ago. Sign in again."


def _now() -> int:
    return int(dates.utcnow().timestamp())


def start() -> None:
    """Call when a user has just signed in."""
    session[SIGNED_IN_AT] = session[SEEN_AT] = _now()


def _expired_message(now: int) -> str | None:
    idle = current_app.config["SESSION_IDLE_MINUTES"]
    hours = current_app.config["SESSION_MAX_HOURS"]
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        return None  # a session from before these limits: it starts its clocks now
    if now - signed_in_at >= hours * 3600:
        return ABSOLUTE_MESSAGE.format(hours=hours)
    if now - seen_at >= idle * 60:
        return IDLE_MESSAGE.format(minutes=idle)
    return None


def register(app: Flask) -> None:
    @app.before_request
    def end_expired_session() -> Response | None:
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = _now()
        message = _expired_message(now)
        if message is not None:
            logout_user()
            session.clear()
            flash(message, "info")
            target = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("auth.sign_in", next=target))
        if not isinstance(session.get(SIGNED_IN_AT), int):
            start()
        elif now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
        return None
