"""Exit 0 when a PostgreSQL server answers at the given SQLAlchemy URL."""

import sys

import psycopg

url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://", 1)
try:
    with psycopg.connect(url, connect_timeout=3) as connection:
        connection.execute("SELECT 1")
except psycopg.Error:
    sys.exit(1)
