"""Admins keep the managed list of communities that objectives are for."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.services import objectives
from registry.services.errors import DomainError
from registry.web.access import reject, requires
from registry.web.admin.routes import bp
from registry.web.once import once, one_time
from registry.web.partnerships.forms import CommunityForm


@bp.route("/communities/", methods=["GET", "POST"])
@requires("community.manage")
@once
def communities() -> str | Response:
    form = one_time(CommunityForm)()
    if form.validate_on_submit():
        try:
            community = objectives.add_community(current_user, form.name.data)
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"‘{community.name}’ has been added to the list", "success")
            return redirect(url_for(".communities"))
    return render_template("admin/communities.html", form=form, communities=objectives.communities())


@bp.route("/communities/<int:community_id>/retire", methods=["POST"])
@requires("community.manage")
def community_retire(community_id: int) -> Response:
    return _set_active(community_id, False)


@bp.route("/communities/<int:community_id>/reinstate", methods=["POST"])
@requires("community.manage")
def community_reinstate(community_id: int) -> Response:
    return _set_active(community_id, True)


def _set_active(community_id: int, active: bool) -> Response:
    community = objectives.set_community_active(current_user, community_id, active)
    if community is None:
        abort(404)
    flash(f"‘{community.name}’ has been {'brought back' if active else 'retired'}", "success")
    return redirect(url_for(".communities"))
