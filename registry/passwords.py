"""Password hashing with Argon2id (argon2-cffi's recommended parameters), and the rules for new passwords.

The rules follow NCSC and NIST SP 800-63B: a minimum length, long passphrases allowed, no
composition rules (no "one capital, one symbol"), and a deny-list of common and obviously
local passwords.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

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


COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"
# always refused inside a password, whatever the settings say the service and council are called
LOCAL_WORDS = ("northbridge", "registry", "partnership", "datasharing")
# words in a service or council name too ordinary to refuse on their own
_ORDINARY_WORDS = frozenset(
    {"and", "the", "of", "for", "data", "sharing", "borough", "council", "county", "district", "city", "town"}
)
_MIN_PERSONAL = 4  # shorter names and email parts ("al", "jo") would refuse too many good passphrases
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})

TOO_COMMON = "Enter a password that is harder to guess. This one is too common"
TOO_LOCAL = "Enter a password that does not include the name of the council or this service"
TOO_PERSONAL = "Enter a password that does not include the user’s name or email address"


def _squash(text: str) -> str:
    """Lower case, letters and digits only: ``Correct Horse-Battery`` and ``correcthorsebattery`` compare equal."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _letters(text: str) -> str:
    """Lower case letters only, with look-alike digits and symbols read as letters (``n0rthbr1dge``)."""
    return re.sub(r"[^a-z]", "", text.lower().translate(_LEET))


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(_squash(line) for line in lines if line.strip() and not line.startswith("#"))


@cache
def _common_stems() -> frozenset[str]:
    """Common passwords without their trailing digits (``letmein12345`` gives ``letmein``), 6 letters or more:
    a stem with other digits or symbols added is as easy to guess."""
    stems = (entry.rstrip("0123456789") for entry in common_passwords())
    return frozenset(stem for stem in stems if len(stem) >= 6)


def _words(*texts: str) -> set[str]:
    found: set[str] = set()
    for text in texts:
        for word in re.split(r"[^a-z0-9]+", text.lower()):
            if len(word) >= _MIN_PERSONAL and word not in _ORDINARY_WORDS:
                found.add(word)
    return found


def password_problem(password: str, *, email: str = "", name: str = "", local_names: Iterable[str] = ()) -> str | None:
    """The reason a new password is refused, or None.

    ``email`` and ``name`` are the account's own; ``local_names`` are the service's and the
    council's names (their distinctive words are refused inside a password).
    """
    if len(password) < MIN_LENGTH:
        return f"Enter a password that is at least {MIN_LENGTH} characters long"
    if len(password) > MAX_LENGTH:
        return f"Enter a password that is {MAX_LENGTH} characters or fewer"
    squashed, letters = _squash(password), _letters(password)
    # the password without digits and symbols around it: ``Password2026!`` is ``password``
    core = _letters(re.sub(r"^[^a-z]+|[^a-z]+$", "", password.lower()))
    common = common_passwords()
    if (
        squashed in common
        or squashed.rstrip("0123456789") in common
        or core in common
        or core in _common_stems()
        or squashed.rstrip("0123456789") in _common_stems()
        or core in ("password", "passwords", "mypassword", "passwd", "passw0rd")
        or len(set(password.lower())) < 4
    ):
        return TOO_COMMON
    local = {*LOCAL_WORDS, *_words(*local_names)}
    if any(word in squashed or word in letters for word in local):
        return TOO_LOCAL
    local_part = email.partition("@")[0]
    personal = {_squash(local_part), _squash(name), *_words(local_part, name)}
    if any(len(word) >= _MIN_PERSONAL and (word in squashed or word in letters) for word in personal):
        return TOO_PERSONAL
    return None
