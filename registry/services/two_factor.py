"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) and recovery codes.

Any authenticator app works: 6 digits, 30-second steps, SHA-1, the usual defaults. A code is
accepted one step either side of now (clock drift), and never twice: the counter of the last
accepted step is stored and a code at or before it is refused, so a code seen over someone's
shoulder cannot be used again. Recovery codes are 10 random single-use codes, shown once and
stored only as SHA-256 hashes; making new ones replaces them all; using one is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, select

from registry import dates
from registry.extensions import db
from registry.models import RecoveryCode, User
from registry.services import audit, sessions, throttle
from registry.services.errors import CannotChangeOwnAccount, DomainError

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy from paper
DRIFT = 1  # steps either side of now


class WrongCode(DomainError):
    message = "Enter the 6-digit code your authenticator app shows now"

    def __init__(self, message: str | None = None, *, field: str | None = "code") -> None:
        super().__init__(message, field=field)


class CodeRefused(WrongCode):
    """A wrong code at a signed-in confirmation, or any code while the account is locked.

    Counted in the sign-in throttle and audited before it is raised: keep the transaction (do not
    roll it back), as for a wrong current password."""

    message = "Enter the 6-digit code your authenticator app shows now, or one of your recovery codes"


class TwoFactorRequired(DomainError):
    message = "Your role must use two-factor sign-in, so it cannot be turned off"


def required_for(user: User) -> bool:
    """Whether the user's role must use two-factor sign-in (config TWO_FACTOR_REQUIRED_ROLES)."""
    return user.role in current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ())


def new_secret() -> str:
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SERVICE_NAME"])


def qr_svg(uri: str) -> str:
    """The QR code as an SVG element to put in the page (sized by attributes: no inline style)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=4, border=4, svgclass="app-qr", dark="#0b0c0c"
    )
    svg = out.getvalue().decode()
    return svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-title" focusable="false" ', 1).replace(
        ">", '><title id="qr-title">QR code for setting up your authenticator app</title>', 1
    )


def _digits(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def _matching_counter(secret: str, code: str, after: int | None) -> int | None:
    """The time step this code belongs to (now, or one step either side), if it is later than ``after``."""
    code = _digits(code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(dates.utcnow())
    for counter in range(now - DRIFT, now + DRIFT + 1):
        if (after is None or counter > after) and hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def current_code(secret: str, *, steps: int = 0) -> str:
    """The code an authenticator app shows now, or ``steps`` time steps from now (for the demo)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(dates.utcnow()) + steps)


def _code_hash(code: str) -> str:
    return hashlib.sha256(_digits(code).lower().encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(raw)))
    db.session.flush()
    return codes


def _on_off(before: bool, after: bool) -> dict:
    return {"two_factor": {"before": before, "after": after}}


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor on with the secret the user's app was given, once it shows a right code.

    Returns the new recovery codes: the only time they exist in clear.
    """
    counter = _matching_counter(secret, code, None)
    if counter is None:
        raise WrongCode()
    user.totp_secret = secret
    user.totp_last_counter = counter
    user.two_factor_enabled_at = dates.utcnow()
    codes = _new_recovery_codes(user)
    audit.record("user.two_factor_enabled", "user", user.id, actor=user, changes=_on_off(False, True))
    return codes


def verify(user: User, code: str) -> bool:
    """Whether this code (from the app, or a recovery code) signs the user in; it is then used up."""
    if not user.two_factor_on:
        return False
    counter = _matching_counter(user.totp_secret or "", code, user.totp_last_counter)
    if counter is not None:
        user.totp_last_counter = counter
        db.session.flush()
        return True
    return _use_recovery_code(user, code)


def _use_recovery_code(user: User, code: str) -> bool:
    if len(_digits(code)) != 10:
        return False
    found = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(code), RecoveryCode.used_at.is_(None)
        )
    )
    if found is None:
        return False
    found.used_at = dates.utcnow()
    db.session.flush()
    left = remaining_recovery_codes(user)
    audit.record(
        "user.recovery_code_used",
        "user",
        user.id,
        actor=user,
        changes={"codes_left": {"before": left + 1, "after": left}},
    )
    return True


def remaining_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


TURN_OFF = "Turn off two-factor sign-in"
NEW_RECOVERY_CODES = "Make new recovery codes"


def _confirm(user: User, code: str, *, address: str | None, attempted: str) -> None:
    """A code that confirms a change, limited like the code at sign-in: counted in the same throttle
    before it is checked (a locked account's code is not checked), a wrong one audited as
    ``user.two_factor_code_failed``. A right one gives its attempt back but clears no count: this is
    not a sign-in."""
    reservation = throttle.reserve(user.email, address)  # commits: nothing is changed before this
    throttle.wait(reservation)
    if reservation.refused:
        raise _code_failed(user, attempted, throttled=True)
    if not verify(user, code):
        throttle.failed(reservation)
        raise _code_failed(user, attempted)
    if not throttle.passed(reservation, clear=False):  # locked meanwhile
        raise _code_failed(user, attempted, throttled=True)


def _code_failed(user: User, attempted: str, *, throttled: bool = False) -> CodeRefused:
    """Audit a refused confirmation code; the error to raise."""
    changes: dict = {"attempted": {"before": None, "after": attempted}}
    if throttled:
        changes["throttled"] = {"before": None, "after": True}
    audit.record("user.two_factor_code_failed", "user", user.id, actor=user, changes=changes)
    return CodeRefused()


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_last_counter = None
    user.two_factor_enabled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User, code: str, *, address: str | None = None) -> None:
    """The user turns two-factor off (not allowed for roles that require it), confirming with a code."""
    if required_for(user):
        raise TwoFactorRequired()
    _confirm(user, code, address=address, attempted=TURN_OFF)
    _clear(user)
    db.session.flush()
    audit.record("user.two_factor_disabled", "user", user.id, actor=user, changes=_on_off(True, False))


def regenerate_recovery_codes(user: User, code: str, *, address: str | None = None) -> list[str]:
    """New recovery codes, replacing every old one (used or not), confirmed with a code."""
    _confirm(user, code, address=address, attempted=NEW_RECOVERY_CODES)
    codes = _new_recovery_codes(user)
    audit.record("user.recovery_codes_replaced", "user", user.id, actor=user)
    return codes


def reset(actor: User, user: User) -> None:
    """An admin turns off someone's two-factor (a lost phone). Their sessions end; at their next
    sign-in a role that requires it must set it up again."""
    if actor.id == user.id:
        raise CannotChangeOwnAccount("You cannot reset your own two-factor sign-in: ask another administrator")
    if not user.two_factor_on:
        return
    _clear(user)
    sessions.end_all(user, "two_factor_reset")
    db.session.flush()
    audit.record("user.two_factor_reset", "user", user.id, actor=actor, changes=_on_off(True, False))
