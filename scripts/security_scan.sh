#!/usr/bin/env bash
# `make security-scan`: installs sqlmap (Debian's package) when it is missing, then runs
# scripts/security_scan.py with a PostgreSQL that answers (scripts/with-postgres.sh starts a
# throwaway one when none does).
set -euo pipefail
if ! command -v sqlmap >/dev/null; then
  if [ "$(id -u)" = "0" ]; then
    echo "==> Installing sqlmap (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlmap >/dev/null
  else
    echo "Install Debian's sqlmap package for the security scan (apt-get install sqlmap)" >&2
    exit 1
  fi
fi
exec bash scripts/with-postgres.sh "${PY:-.venv/bin/python}" scripts/security_scan.py
