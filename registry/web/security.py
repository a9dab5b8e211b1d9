"""Security headers on every response: a nonce-based Content-Security-Policy and its companions.

The one inline script (GOV.UK Frontend's template sets ``js-enabled`` on the body) carries the
request's nonce, given to templates as ``cspNonce``; nothing else inline is allowed, so no
template may use a ``style`` attribute or an inline script.

Every response but a static asset is ``Cache-Control: no-store``: that covers each page shown to
a signed-in user (including the answer to signing out, which is no longer signed in) and every
file download, and the few anonymous pages (sign-in with its CSRF token, a verification result)
gain nothing from being stored. Static assets keep Flask's revalidated caching.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce, made on first use (by a template or by the header itself)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        )
    )


def register_security(app: Flask) -> None:
    @app.context_processor
    def nonce_context() -> dict:
        return {"cspNonce": csp_nonce()}

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"  # for browsers without frame-ancestors
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")  # a route may be stricter
        if app.config["SEND_HSTS"]:
            headers["Strict-Transport-Security"] = HSTS
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
        return response
