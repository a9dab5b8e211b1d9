#!/usr/bin/env bash
# Runs the given command with TEST_DATABASE_URL pointing at a PostgreSQL that answers.
#
# When nothing answers at TEST_DATABASE_URL, starts a throwaway cluster in a temporary
# folder from the local PostgreSQL binaries (installing Debian's postgresql package first
# when we are root and they are missing) and stops and removes it afterwards.
set -euo pipefail

PY=${PY:-.venv/bin/python}
url=${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
export TEST_DATABASE_URL=$url

if "$PY" scripts/pg_ping.py "$url"; then
  echo "==> PostgreSQL answers at ${url%%\?*}"
  exec "$@"
fi

echo "==> No PostgreSQL answers at $url: starting a throwaway cluster"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "==> Installing Debian's postgresql package"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "PostgreSQL binaries are missing and we are not root: install postgresql or set TEST_DATABASE_URL" >&2
    exit 1
  fi
fi

workdir=$(mktemp -d /tmp/registry-pg.XXXXXX)
chmod 755 "$workdir"
as_owner=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$workdir"
  as_owner=(runuser -u postgres --)
fi
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$workdir/data" -U postgres -A trust --no-sync >/dev/null
"${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/log" -w \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
"${as_owner[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres test
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/test"
echo "==> Throwaway PostgreSQL on port $port"
"$@"
