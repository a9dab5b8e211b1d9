"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # checked before hashing, so a huge body cannot burn CPU

_hasher = PasswordHasher()
# a real hash to verify against when the account does not exist, so timing does not tell
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing")


def configure(params: dict[str, int]) -> None:
    """Set Argon2 cost parameters (tests use cheap ones; production keeps argon2-cffi's defaults)."""
    global _hasher, _DUMMY_HASH
    hasher = PasswordHasher(**params) if params else PasswordHasher()
    if hasher.time_cost != _hasher.time_cost or hasher.memory_cost != _hasher.memory_cost:
        _hasher = hasher
        _DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing")


def hash_password(password: str) -> str:
    if len(password) > MAX_LENGTH:
        raise ValueError("password too long")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """The reason a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"Enter a password that is at least {MIN_LENGTH} characters long"
    if len(password) > MAX_LENGTH:
        return f"Enter a password that is {MAX_LENGTH} characters or fewer"
    return None
