#!/usr/bin/env bash
# Makes sure the PDF tools the tests check documents with are there: poppler's pdfsig,
# pdftotext and pdfinfo, qpdf, and the DejaVu fonts the PDFs use. Debian's packages when
# we are root; otherwise say what to install.
set -euo pipefail
missing=()
command -v pdfsig >/dev/null || missing+=(poppler-utils)
command -v qpdf >/dev/null || missing+=(qpdf)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  echo "==> Installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Install these Debian packages for the tests: ${missing[*]}" >&2
  exit 1
fi
