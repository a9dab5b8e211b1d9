"""User accounts: creation, role changes, deactivation (never deletion) and sign-in.

A role change or deactivation ends every session of the account, and a password change every
other session (``services/sessions.py``), so access taken away is taken away at once.
"""

from __future__ import annotations

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from registry import passwords
from registry.dates import utcnow
from registry.extensions import db
from registry.models import Role, User, UserSession
from registry.passwords import hash_password, verify_password
from registry.services import audit, sessions, throttle, two_factor
from registry.services.errors import CannotChangeOwnAccount, DomainError, EmailTaken, PartnerNeedsOrganisation


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def page(*, page: int = 1, per_page: int = 20) -> Pagination:
    query = select(User).order_by(User.email, User.id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password for this account is refused (too short, too long, common, local or personal), or None.

    Every place a password is set asks this: the admin's new-user form and ``flask registry create-user``.
    """
    local_names = (current_app.config["SERVICE_NAME"], current_app.config["ORGANISATION_NAME"])
    return passwords.password_problem(password, email=email.strip(), name=name.strip(), local_names=local_names)


def _check_organisation(role: str, organisation_id: int | None) -> int | None:
    if role == Role.PARTNER:
        if organisation_id is None:
            raise PartnerNeedsOrganisation()
        return organisation_id
    return None  # staff of the registry's own authority are not tied to one partner


def create(
    actor: User | None,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    organisation_id: int | None = None,
) -> User:
    email = normalise_email(email)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise EmailTaken()
    user = User(
        email=email,
        name=name.strip(),
        role=Role(role).value,
        organisation_id=_check_organisation(role, organisation_id),
        password_hash=hash_password(password),
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", "user", user.id, actor=actor, changes=audit.snapshot(user, User.AUDITED))
    return user


def update(actor: User, user: User, *, name: str, role: str, organisation_id: int | None) -> User:
    if actor.id == user.id and role != user.role:
        raise CannotChangeOwnAccount()
    user.name = name.strip()
    user.role = Role(role).value
    user.organisation_id = _check_organisation(role, organisation_id)
    if user.role != Role.PARTNER:
        user.is_signatory = False
    changes = audit.diff(user, User.AUDITED)
    if changes:
        db.session.flush()
        action = "user.role_changed" if "role" in changes else "user.updated"
        audit.record(action, "user", user.id, actor=actor, changes=changes)
        if "role" in changes:
            sessions.end_all(user, "role_changed")
    return user


def set_active(actor: User, user: User, active: bool) -> User:
    if actor.id == user.id:
        raise CannotChangeOwnAccount()
    if user.active == active:
        return user
    user.active = active
    changes = audit.diff(user, User.AUDITED)
    db.session.flush()
    audit.record("user.reactivated" if active else "user.deactivated", "user", user.id, actor=actor, changes=changes)
    if not active:
        sessions.end_all(user, "deactivated")
    return user


class WrongCurrentPassword(DomainError):
    """Counted in the sign-in throttle (so keep the transaction: do not roll it back)."""

    message = "Enter your current password correctly"

    def __init__(self) -> None:
        super().__init__(field="current_password")


def change_password(user: User, *, current: str, new: str, keep: UserSession | None, address: str | None = None) -> int:
    """The user changes their own password; every other session of theirs ends (``keep`` stays).

    A wrong current password counts in the sign-in throttle, so a borrowed session cannot be used
    to guess the password faster than the sign-in page allows.
    """
    stored = user.password_hash
    reservation = throttle.reserve(user.email, address)  # counted before the check, and committed
    if reservation.refused:
        raise WrongCurrentPassword()
    throttle.wait(reservation)
    if not verify_password(stored, current):
        throttle.failed(reservation)
        raise WrongCurrentPassword()
    if not throttle.passed(reservation, clear=False):  # locked meanwhile by a burst of attempts
        raise WrongCurrentPassword()
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise DomainError(problem, field="new_password")
    user.password_hash = hash_password(new)
    db.session.flush()
    ended = sessions.end_all(user, "password_changed", keep=keep)
    audit.record(
        "user.password_changed",
        "user",
        user.id,
        actor=user,
        changes={"other_sessions_ended": {"before": None, "after": ended}},
    )
    return ended


def set_signatory(actor: User | None, user: User, is_signatory: bool) -> User:
    """Mark a partner user as one who may sign agreements for their organisation."""
    if is_signatory and user.role != Role.PARTNER:
        raise DomainError("Only partner users sign for their organisation", field="is_signatory")
    if user.is_signatory != is_signatory:
        user.is_signatory = is_signatory
        changes = audit.diff(user, User.AUDITED)
        db.session.flush()
        audit.record("user.signatory_changed", "user", user.id, actor=actor, changes=changes)
    return user


def authenticate(email: str, password: str, *, address: str | None = None) -> User | None:
    """The active user with these credentials, or None. Both outcomes are audited.

    Throttled per account and per address (see ``throttle``): the attempt is counted, and the
    count committed, before the password is checked, so however many arrive at once no more than
    the limit are checked. One refused (locked, or past the limit) gets None without its password
    being checked, and is audited as any other failure.

    A user with two-factor on is returned with the sign-in not finished: it is finished (audited,
    and the account's failure count cleared) by ``authenticate_code`` once their code is right, so
    knowing the password does not reset the count of wrong codes.
    """
    user = find_by_email(email)
    stored = user.password_hash if user is not None and user.active else None
    user_id = user.id if user is not None else None
    # The reservation's commit also ends this transaction, which has only read: nothing is held
    # during the wait and the slow hash, so on SQLite other requests are not kept waiting.
    reservation = throttle.reserve(email, address)
    if reservation.refused:
        _failed(email, get(user_id) if user_id is not None else None, throttled=True)
        return None
    throttle.wait(reservation)
    correct = verify_password(stored, password)
    user = get(user_id) if user_id is not None else None
    if user is not None and stored is not None and correct:
        if not throttle.passed(reservation, clear=not user.two_factor_on):
            _failed(email, user, throttled=True)  # locked while its password was checked
            return None
        if not user.two_factor_on:
            _signed_in(user)
        return user
    throttle.failed(reservation)
    _failed(email, user)
    return None


def authenticate_code(user_id: int, code: str, *, address: str | None = None) -> User | None:
    """The second step of a two-factor sign-in: the user, when the code (or a recovery code) is right.

    Wrong codes count against the account and the address like wrong passwords, under the same
    limits, counted before the code is checked; a locked account's code is not checked.
    """
    user = get(user_id)
    if user is None or not user.active or not user.two_factor_on:
        return None
    email = user.email
    reservation = throttle.reserve(email, address)
    throttle.wait(reservation)  # with no transaction open (the reservation's commit ended it)
    user = get(user_id)
    if user is None:
        return None
    if reservation.refused:
        _failed(email, user, throttled=True, wrong_code=True)
        return None
    if two_factor.verify(user, code):
        if not throttle.passed(reservation):
            _failed(email, user, throttled=True, wrong_code=True)
            return None
        _signed_in(user)
        return user
    throttle.failed(reservation)
    _failed(email, user, wrong_code=True)
    return None


def _signed_in(user: User) -> None:
    """A finished sign-in (the throttle's counter already cleared by ``throttle.passed``)."""
    user.last_sign_in_at = utcnow()
    changes = {"two_factor": {"before": None, "after": True}} if user.two_factor_on else None
    audit.record("user.signed_in", "user", user.id, actor=user, changes=changes)


def _failed(email: str, user: User | None, *, throttled: bool = False, wrong_code: bool = False) -> None:
    changes = {"email": {"before": None, "after": normalise_email(email)[:254]}}
    if throttled:
        changes["throttled"] = {"before": None, "after": True}
    if wrong_code:
        changes["wrong_code"] = {"before": None, "after": True}
    audit.record("user.sign_in_failed", "user", user.id if user else None, actor=None, changes=changes)


def signed_out(user: User, session_row: UserSession | None) -> None:
    """Sign-out ends the session's row, so a copy of its cookie no longer signs anyone in."""
    if session_row is not None:
        sessions.end(session_row, "signed_out")
    audit.record("user.signed_out", "user", user.id, actor=user)


def end_other_sessions(user: User, keep: UserSession | None) -> int:
    """The user signs out their other sessions (a lost laptop, a shared computer)."""
    ended = sessions.end_all(user, "ended_by_user", keep=keep)
    audit.record(
        "user.other_sessions_ended",
        "user",
        user.id,
        actor=user,
        changes={"sessions_ended": {"before": None, "after": ended}},
    )
    return ended
