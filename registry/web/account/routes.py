"""The signed-in user's own settings: their private calendar feed of review dates, and the feed itself."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from registry.services import calendar_feeds
from registry.services.errors import DomainError
from registry.web.access import refuse, requires

bp = Blueprint("account", __name__)

NEW_FEED = "calendar_feed_url"  # the new feed's address, kept in the session for the one page that shows it


@bp.route("/account/calendar")
@requires("calendar.subscribe")
def calendar() -> str:
    return render_template(
        "account/calendar.html",
        feed=calendar_feeds.current(current_user),
        new_url=session.pop(NEW_FEED, None),
        count=calendar_feeds.count(current_user),
    )


@bp.route("/account/calendar/new", methods=["POST"])
@requires("calendar.subscribe")
def calendar_create() -> Response:
    try:
        token = calendar_feeds.create(current_user)
    except DomainError as error:
        refuse(error)
    else:
        session[NEW_FEED] = current_app.config["BASE_URL"] + url_for(".calendar_feed", token=token)
    return redirect(url_for(".calendar"))


@bp.route("/account/calendar/revoke", methods=["POST"])
@requires("calendar.subscribe")
def calendar_revoke() -> Response:
    if calendar_feeds.revoke(current_user):
        flash("Your calendar feed has been stopped. Calendars using its address get no more review dates.", "success")
    return redirect(url_for(".calendar"))


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str) -> Response:
    """No sign-in: calendar apps cannot sign in, so the secret token in the address is the credential."""
    user = calendar_feeds.owner_of(token)
    if user is None:
        abort(404)
    response = Response(calendar_feeds.feed(user), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="reviews-due.ics"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


from registry.web.account import sessions, two_factor  # noqa: E402, F401  (register their views)
