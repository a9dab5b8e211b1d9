#!/usr/bin/env bash
# Makes sure a Chromium is there for the browser tests: Debian's package when we are
# root, else Playwright's own download (for a developer without root).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  echo "==> Installing Debian's chromium for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "==> /usr/bin/chromium is missing and we are not root: using Playwright's Chromium"
  .venv/bin/playwright install chromium
fi
