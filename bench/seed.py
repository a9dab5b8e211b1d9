"""Seed a benchmark database of a chosen size fast (part of ``make bench``).

Migrates with ``flask db upgrade``, loads the demo data with the same code ``flask registry
load-demo`` uses (so the demo sign-ins work), then bulk-loads organisations, partnerships with
memberships, agreements with parties, data items and subject groups, reviews, approved versions
and ten audit events per agreement whose hash chain continues the demo's and stays valid.

Rows go in by PostgreSQL COPY (foreign-key and audit triggers off for the load only, secondary
indexes rebuilt afterwards, then ANALYZE as autovacuum would) or by sqlite3 ``executemany`` in
large batches with the journal off. Columns are read from the models' metadata at run time:
any column the generators do not fill takes its model default or stays NULL, so the seeder
keeps working as migrations add columns. Seeded databases are cached, keyed by size and a hash
of the migrations: bench/data/*.db for SQLite, database registry_bench_<size> for PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench import generate, generate_sql, upkeep
from config import BASE_DIR

DATA = Path(__file__).parent / "data"
# the PostgreSQL server (no database name): BENCH_PG_URL, else the tests' server (scripts/with-postgres.sh)
PG_SERVER = (
    os.environ.get("BENCH_PG_URL")
    or os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    .replace("+psycopg", "")
    .rsplit("/", 1)[0]
)
BATCH = 50_000
KEY_DIR = DATA / "key"
# from this size rows are made inside the database (bench/generate_sql.py): Python is too slow for 18M rows
SQL_FROM = int(os.environ.get("BENCH_SQL_SEED_FROM", "100000"))


def schema_key() -> str:
    """Changes whenever a migration file changes, so a cached database never has an old schema."""
    digest = hashlib.sha256()
    for path in sorted((BASE_DIR / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def database_url(kind: str, size: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{DATA / f'registry-{size}-{schema_key()}.db'}"
    return f"postgresql+psycopg://{PG_SERVER.split('://', 1)[1]}/registry_bench_{size}"


def _pg_admin() -> Any:
    import psycopg

    return psycopg.connect(PG_SERVER + "/postgres", autocommit=True)


def seeded_key(kind: str, size: int) -> str | None:
    """The schema key a cached database was seeded with, or None when there is none."""
    if kind == "sqlite":
        found = sorted(DATA.glob(f"registry-{size}-*.db"), key=lambda path: path.stat().st_mtime)
        return found[-1].stem.rsplit("-", 1)[1] if found else None
    with _pg_admin() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (f"registry_bench_{size}",),
        ).fetchone()
    return row[0].removeprefix("seeded ") if row and row[0] and row[0].startswith("seeded ") else None


def ensure(kind: str, size: int) -> str:
    """The URL of a seeded database of ``size`` agreements, seeding it first when not cached.

    A database seeded before a migration changed is seeded again, unless BENCH_REUSE=1 (useful
    while migrations are still being written: a 1M seed takes a while).
    """
    url, current = database_url(kind, size), schema_key()
    key = seeded_key(kind, size)
    if key == current or (key and os.environ.get("BENCH_REUSE") == "1"):
        note = "" if key == current else f" (seeded with older migrations, {key}: BENCH_REUSE=1, upgrading)"
        print(f"==> {kind} {size:,}: using the cached database{note}", flush=True)
        found = url if kind != "sqlite" else f"sqlite:///{DATA / f'registry-{size}-{key}.db'}"
        if key != current:
            upkeep.migrate(found, sample=True)  # new revisions only: a revision edited in place is not re-run
        return found
    started = time.perf_counter()
    if kind == "sqlite":
        final = Path(url.removeprefix("sqlite:///"))
        DATA.mkdir(parents=True, exist_ok=True)
        partial = final.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        work_url = f"sqlite:///{partial}"
    else:
        name = f"registry_bench_{size}"
        with _pg_admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        work_url = url
    print(f"==> {kind} {size:,}: migrating", flush=True)
    env = {**os.environ, "DATABASE_URL": work_url, "REGISTRY_ENV": "development"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env=env, cwd=BASE_DIR, check=True)
    start = upkeep.load_demo(work_url)
    loader = SqliteLoader(partial) if kind == "sqlite" else PostgresLoader(work_url)
    with loader:
        if size >= SQL_FROM:
            head = generate_sql.seed(loader, size, start)
            loader.execute(
                "UPDATE audit_chain_head SET last_seq = %s, last_hash = %s WHERE id = 1", (head["seq"], head["hash"])
            )
            generate.reference_counters(loader, size)
        else:
            generate.seed(loader, size, start)
    upkeep.after_load(work_url, sample=size >= SQL_FROM)
    if kind == "postgresql":  # a steady state: the visibility map set, so counts can be index-only scans
        import psycopg

        with psycopg.connect(work_url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    if kind == "sqlite":
        for old in DATA.glob(f"registry-{size}-*.db"):
            old.unlink()
        partial.rename(final)
    else:
        with _pg_admin() as conn:
            conn.execute(f"COMMENT ON DATABASE registry_bench_{size} IS 'seeded {current}'")
    print(f"==> {kind} {size:,}: seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return url


class Loader:
    """Bulk-load rows given as tuples in the order of ``columns``, filling the model's other columns."""

    kind = ""

    def __init__(self) -> None:
        from registry.extensions import db

        self.metadata = db.metadata
        self.counts: dict[str, int] = {}
        self.started = time.perf_counter()

    def __enter__(self) -> Loader:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.finish()
        self.close()

    def extras(self, table_name: str, columns: Iterable[str]) -> dict[str, Any]:
        """Values for the columns not given: the model's default, else NULL (refused if required)."""
        table = self.metadata.tables[table_name]
        extra: dict[str, Any] = {}
        for column in table.columns:
            if column.name in columns or column.primary_key or column.server_default is not None:
                continue
            default = column.default
            if default is not None and default.is_scalar:
                extra[column.name] = default.arg
            elif default is not None and default.is_callable:
                extra[column.name] = default.arg(None)  # SQLAlchemy wraps callables to take a context
            elif not column.nullable:
                raise RuntimeError(f"{table_name}.{column.name} is required: add it to bench/generate*.py")
        return extra

    def load(self, table_name: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        table = self.metadata.tables[table_name]
        extra = self.extras(table_name, columns)
        names = (*columns, *extra)
        tail = tuple(extra.values())
        converters = [(n, f) for n, f in enumerate(self.converter(table.c[name].type) for name in names) if f]
        started, count = time.perf_counter(), 0
        for batch in _batches(rows, BATCH):
            out = [_convert(row + tail, converters) for row in batch] if converters else [row + tail for row in batch]
            self.write(table_name, names, out)
            count += len(out)
            rate = count / max(time.perf_counter() - started, 1e-9)
            print(f"\r    {table_name:<18} {count:>12,} rows  {rate:>10,.0f} rows/s", end="", flush=True)
        rate = count / max(time.perf_counter() - started, 1e-9)
        print(f"\r    {table_name:<18} {count:>12,} rows  {rate:>10,.0f} rows/s")
        self.counts[table_name] = self.counts.get(table_name, 0) + count

    def converter(self, type_: Any) -> Callable[[Any], Any] | None:
        return None

    def insert_select(self, table_name: str, expressions: dict[str, str], source: str) -> None:
        """INSERT INTO table (...) SELECT expressions FROM source: rows made by the database itself."""
        table = self.metadata.tables[table_name]
        extra = self.extras(table_name, expressions)
        for name, value in extra.items():
            convert = self.converter(table.c[name].type)
            expressions = {**expressions, name: self.literal(convert(value) if convert else value)}
        names = ", ".join(f'"{name}"' for name in expressions)
        sql = f'INSERT INTO "{table_name}" ({names}) SELECT {", ".join(expressions.values())} FROM {source}'
        started = time.perf_counter()
        count = self.execute(sql)
        took = time.perf_counter() - started
        print(
            f"    {table_name:<18} {count:>12,} rows  {count / max(took, 1e-9):>10,.0f} rows/s ({took:.0f} s)",
            flush=True,
        )
        self.counts[table_name] = self.counts.get(table_name, 0) + count

    def literal(self, value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return ("TRUE" if value else "FALSE") if self.kind == "postgresql" else str(int(value))
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        return "'" + str(value).replace("'", "''") + "'"

    def open(self) -> None: ...
    def write(self, table: str, names: tuple[str, ...], rows: list[tuple]) -> None: ...
    def finish(self) -> None: ...
    def close(self) -> None: ...
    def execute(self, sql: str, params: tuple = ()) -> int: ...


def _convert(row: tuple, converters: list[tuple[int, Callable[[Any], Any]]]) -> tuple:
    values = list(row)
    for index, convert in converters:
        values[index] = convert(values[index])
    return tuple(values)


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _sqlite_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _sqlite_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _to_int(value: Any) -> Any:
    return None if value is None else int(value)


class SqliteLoader(Loader):
    """executemany in large batches, journal off; secondary indexes dropped and rebuilt around the load."""

    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.indexes: list[str] = []
        self.triggers: list[tuple[str, str]] = []

    def open(self) -> None:
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1000000", "temp_store = MEMORY"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.indexes = [
            sql
            for name, sql in self.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            if sql and not name.startswith("sqlite_")
        ]
        for (name,) in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall():
            self.conn.execute(f'DROP INDEX "{name}"')
        # triggers that copy new rows into the FTS5 search tables: one 'rebuild' after the load is faster
        self.triggers = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%AFTER INSERT%'"
        ).fetchall()
        for name, _sql in self.triggers:
            self.conn.execute(f'DROP TRIGGER "{name}"')
        self.conn.execute("BEGIN")

    def converter(self, type_: Any) -> Callable[[Any], Any] | None:
        name = type(type_).__name__
        if name in ("UTCDateTime", "DateTime"):
            return _sqlite_datetime
        if name == "Date":
            return _sqlite_date
        if name == "JSON":
            return _json
        if name == "Boolean":
            return _to_int
        if name == "Numeric":
            return lambda v: None if v is None else str(v)
        return None

    def write(self, table: str, names: tuple[str, ...], rows: list[tuple]) -> None:
        marks = ", ".join("?" for _ in names)
        cols = ", ".join(f'"{n}"' for n in names)
        self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)

    def execute(self, sql: str, params: tuple = ()) -> int:
        return self.conn.execute(sql.replace("%s", "?") if params else sql, params).rowcount

    def finish(self) -> None:
        self.conn.execute("COMMIT")
        started = time.perf_counter()
        for sql in self.indexes:
            self.conn.execute(sql)
        for (table,) in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
        ).fetchall():
            self.conn.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'rebuild\')')
        for _name, sql in self.triggers:
            self.conn.execute(sql)
        print(f"    rebuilt {len(self.indexes)} indexes in {time.perf_counter() - started:.0f} s", flush=True)

    def close(self) -> None:
        self.conn.close()


class PostgresLoader(Loader):
    """COPY; triggers (foreign keys, the audit trail's append-only guard) off for this session only."""

    kind = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.dsn = url.replace("postgresql+psycopg://", "postgresql://")
        self.indexes: list[str] = []

    def open(self) -> None:
        import psycopg

        self.conn = psycopg.connect(self.dsn)
        self.conn.execute("SET session_replication_role = replica")
        self.conn.execute("SET maintenance_work_mem = '1GB'")
        # secondary indexes (not those behind primary keys or unique constraints) are rebuilt after
        rows = self.conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ).fetchall()
        self.indexes = [definition for _name, definition in rows]
        for name, _definition in rows:
            self.conn.execute(f'DROP INDEX "{name}"')

    def converter(self, type_: Any) -> Callable[[Any], Any] | None:
        return _json if type(type_).__name__ == "JSON" else None

    def write(self, table: str, names: tuple[str, ...], rows: list[tuple]) -> None:
        cols = ", ".join(f'"{n}"' for n in names)
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def execute(self, sql: str, params: tuple = ()) -> int:
        return self.conn.execute(sql, params or None).rowcount  # type: ignore[arg-type]

    def finish(self) -> None:
        started = time.perf_counter()
        for definition in self.indexes:
            self.conn.execute(definition)  # type: ignore[arg-type]
        for table in self.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement is not False:
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # type: ignore[arg-type]
                    f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
                )
        self.conn.commit()
        print(f"    rebuilt {len(self.indexes)} indexes in {time.perf_counter() - started:.0f} s", flush=True)
        self.conn.autocommit = True
        self.conn.execute("ANALYZE")

    def close(self) -> None:
        self.conn.close()


if __name__ == "__main__":
    for kind in os.environ.get("BENCH_DB", "sqlite").split(","):
        for size in os.environ.get("BENCH_SIZES", "1000").split(","):
            ensure(kind.strip(), int(size))
