"""The pure parts of registry/backup.py: telling backups apart, and the libpq target."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.backup import BackupError, check_kind_matches, kind_of_file, libpq_target


def test_a_password_goes_to_the_environment_not_the_command_line() -> None:
    conninfo, env = libpq_target("postgresql+psycopg://registry:s%40cret@db.internal:6543/registry?sslmode=require")
    assert conninfo == "postgresql://registry@db.internal:6543/registry?sslmode=require"
    assert env["PGPASSWORD"] == "s@cret"


def test_without_a_password_none_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    conninfo, env = libpq_target("postgresql+psycopg://postgres@127.0.0.1/test")
    assert conninfo == "postgresql://postgres@127.0.0.1/test"
    assert "PGPASSWORD" not in env


@pytest.mark.parametrize(
    ("head", "kind"), [(b"SQLite format 3\x00" + b"\x10" * 84, "sqlite"), (b"PGDMP\x01\x0e\x00", "postgresql")]
)
def test_a_backup_says_what_it_holds_by_its_first_bytes(tmp_path: Path, head: bytes, kind: str) -> None:
    path = tmp_path / "backup"
    path.write_bytes(head)
    assert kind_of_file(path) == kind


def test_a_backup_of_the_other_kind_or_another_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "backup"
    path.write_bytes(b"PGDMP\x01\x0e\x00")
    with pytest.raises(BackupError, match="is a PostgreSQL backup, but this registry's database is SQLite"):
        check_kind_matches(path, "sqlite:///registry.db")
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(BackupError, match="is not a registry backup"):
        kind_of_file(path)
