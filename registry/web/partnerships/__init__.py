"""Partnerships, their members, shared objectives and progress updates."""

from flask import Blueprint

bp = Blueprint("partnerships", __name__, url_prefix="/partnerships")

from registry.web.partnerships import objectives, routes  # noqa: E402, F401  (register the views)
