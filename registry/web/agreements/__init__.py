"""Data-sharing agreements: the register, the record section by section, the lifecycle, versions and reviews."""

from flask import Blueprint

bp = Blueprint("agreements", __name__, url_prefix="/agreements")

from registry.web.agreements import documents, edit, export, parts, routes, transitions, variations  # noqa: E402, F401  (register the views)
