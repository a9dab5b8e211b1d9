"""Signed-in sessions kept on the server: the cookie's token must name a live ``user_session`` row.

Flask-Login's user loader reads the user and their session row in one query. A cookie whose row
has ended (signed out, or ended by a password, role or status change) is anonymous, and the
page sends it to sign in. Roles in TWO_FACTOR_REQUIRED_ROLES that have not set up two-factor
sign-in can use nothing but its set-up page (and signing out) until they have.
"""

from __future__ import annotations

from flask import Flask, g, redirect, request, session, url_for
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from registry.extensions import login_manager
from registry.models import User, UserSession
from registry.services import sessions, two_factor
from registry.web.auth import session_expiry

TOKEN = "session_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# what a user who must set up two-factor may still reach
BEFORE_TWO_FACTOR = frozenset(
    {"static", "auth.sign_out", "account.two_factor_setup", "account.recovery_codes", "pages.healthz"}
)


def sign_in(user: User) -> None:
    """Start a new session for a user who has passed every step (a fresh cookie, a new row)."""
    session.clear()
    token = sessions.begin(user, user_agent=request.user_agent.string)
    login_user(user)
    session[TOKEN] = token
    session_expiry.start()


def current_session() -> UserSession | None:
    """The signed-in request's session row (None when anonymous)."""
    if not current_user.is_authenticated:
        return None
    return g.get("user_session")


def load_user(user_id: str) -> User | None:
    token = session.get(TOKEN)
    if not user_id.isdigit() or not isinstance(token, str):
        return None
    found = sessions.find(int(user_id), token)
    if found is None:
        return None
    user, g.user_session = found
    return user


def register(app: Flask) -> None:
    login_manager.user_loader(load_user)

    @app.before_request
    def note_session_use() -> None:
        if request.method not in SAFE_METHODS and current_user.is_authenticated and g.get("user_session"):
            sessions.touch(g.user_session)  # committed with the request's own changes

    @app.before_request
    def require_two_factor() -> Response | None:
        if request.endpoint in BEFORE_TWO_FACTOR or not current_user.is_authenticated:
            return None
        if not current_user.two_factor_on and two_factor.required_for(current_user):
            return redirect(url_for("account.two_factor_setup"))
        return None
