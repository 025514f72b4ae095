#!/usr/bin/env bash
# Print the path of the Chromium binary the browser tests drive headless
# (tests/pipeline/test_report.py); installs Debian's chromium package when none is found.
# TARIFFSCOPE_TEST_CHROMIUM, when set, names the binary to use instead.
#   scripts/chromium.sh
set -euo pipefail

find_chromium() {
  if [ -n "${TARIFFSCOPE_TEST_CHROMIUM:-}" ]; then
    echo "$TARIFFSCOPE_TEST_CHROMIUM"
  else
    command -v chromium || command -v chromium-browser || true
  fi
}

BIN="$(find_chromium)"
if [ -z "$BIN" ]; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  BIN="$(find_chromium)"
fi
if [ -z "$BIN" ] || ! "$BIN" --version >/dev/null 2>&1; then
  echo "scripts/chromium.sh: no working chromium (tried ${BIN:-chromium, chromium-browser})" >&2
  exit 1
fi
echo "$BIN"
