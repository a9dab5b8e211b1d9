"""Start-up settings checks, and password hashing rules."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import config
from config import ConfigError, config_for, normalise_database_url
from registry import create_app
from registry.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, password_problem, verify_password

IN_MEMORY = "sqlite://"


@pytest.fixture
def instance_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Local state goes to a temporary folder, never into the repository's instance/."""
    path = tmp_path / "instance"
    monkeypatch.setenv("REGISTRY_INSTANCE_DIR", str(path))
    monkeypatch.setattr(config, "INSTANCE_DIR", path)
    return path


@pytest.mark.parametrize("key", [None, "", "short", "x" * 31, "é" * 15])
def test_production_refuses_a_missing_or_short_secret_key(key: str | None, instance_dir: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY must be set to at least 32 bytes"):
        create_app("production", {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": IN_MEMORY})


@pytest.mark.parametrize("key", ["x" * 32, "é" * 16, "0123456789abcdef" * 4])
def test_production_accepts_a_secret_key_of_32_bytes_or_more(key: str, instance_dir: Path) -> None:
    app = create_app("production", {"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": IN_MEMORY})
    assert app.config["SECRET_KEY"] == key
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["ALLOW_DEMO_DATA"] is False
    assert not instance_dir.exists(), "production must not generate a secret of its own"


def test_development_generates_a_secret_once_into_the_instance_folder(instance_dir: Path) -> None:
    first = create_app("development", {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": IN_MEMORY})
    secret_file = instance_dir / "secret_key"
    assert secret_file.read_text() == first.config["SECRET_KEY"]
    assert len(bytes.fromhex(first.config["SECRET_KEY"])) == 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600

    second = create_app("development", {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": IN_MEMORY})
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"], "sessions survive a restart"


def test_development_uses_a_given_secret_key_without_writing_one(instance_dir: Path) -> None:
    app = create_app("development", {"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": IN_MEMORY})
    assert app.config["SECRET_KEY"] == "k" * 40
    assert not (instance_dir / "secret_key").exists()


def test_environment_name_defaults_to_production_and_unknown_names_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REGISTRY_ENV", raising=False)
    assert config_for() is config.ProductionConfig
    monkeypatch.setenv("REGISTRY_ENV", "development")
    assert config_for() is config.DevelopmentConfig
    with pytest.raises(ConfigError, match="REGISTRY_ENV must be one of production, development, test, not 'prod'"):
        config_for("prod")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db.example:5432/registry", "postgresql+psycopg://u:p@db.example:5432/registry"),
        ("postgresql://u@db.example/registry", "postgresql+psycopg://u@db.example/registry"),
        ("postgresql+psycopg://u@db.example/registry", "postgresql+psycopg://u@db.example/registry"),
        ("sqlite:////srv/registry.db", "sqlite:////srv/registry.db"),
    ],
    ids=["postgres-scheme", "plain-scheme", "already-psycopg", "file-database"],
)
def test_database_url_uses_psycopg_for_postgresql(given: str, used: str) -> None:
    assert normalise_database_url(given) == used


def test_database_url_from_the_environment_is_normalised(tmp_path: Path) -> None:
    """Read at import, so check it in a fresh interpreter with the variable set."""
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://registry:pw@db.internal:5432/registry",
        "REGISTRY_INSTANCE_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import config; print(config.ProductionConfig.SQLALCHEMY_DATABASE_URI)"],
        cwd=Path(config.__file__).parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "postgresql+psycopg://registry:pw@db.internal:5432/registry"


# --- passwords -------------------------------------------------------------------------------


def test_password_hash_verifies_only_the_same_password() -> None:
    hashed = hash_password("correct-horse-battery-staple")
    assert hashed.startswith("$argon2id$")
    assert "correct-horse" not in hashed
    assert hash_password("correct-horse-battery-staple") != hashed, "each hash has its own salt"
    assert verify_password(hashed, "correct-horse-battery-staple") is True
    assert verify_password(hashed, "Correct-horse-battery-staple") is False
    assert verify_password(hashed, "") is False


def test_verifying_without_an_account_or_against_garbage_says_no() -> None:
    assert verify_password(None, "anything-at-all-12") is False
    assert verify_password("not-a-hash", "anything-at-all-12") is False


def test_overlong_passwords_are_never_hashed() -> None:
    hashed = hash_password("p" * MAX_LENGTH)
    assert verify_password(hashed, "p" * MAX_LENGTH) is True
    assert verify_password(hashed, "p" * (MAX_LENGTH + 1)) is False
    with pytest.raises(ValueError):
        hash_password("p" * (MAX_LENGTH + 1))


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", "Enter a password that is at least 12 characters long"),
        ("x" * (MIN_LENGTH - 1), "Enter a password that is at least 12 characters long"),
        (("otter canal lantern " * 20)[:MIN_LENGTH], None),  # no repeated letters: see test_password_rules.py
        (("otter canal lantern " * 20)[:MAX_LENGTH], None),
        ("x" * (MAX_LENGTH + 1), "Enter a password that is 256 characters or fewer"),
    ],
)
def test_password_length_rules(password: str, problem: str | None) -> None:
    assert password_problem(password) == problem
