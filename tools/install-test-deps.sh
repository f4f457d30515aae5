#!/usr/bin/env bash
# The system programs the tests need beyond Python packages: today a headless Chromium, for the check that
# the HTML report renders (tests/test_report.py). Installs what is missing with apt-get when run as root
# (as CI is); otherwise prints the command and fails, so nothing is skipped silently under CI.
set -euo pipefail

have_browser() {
    for name in chromium chromium-browser google-chrome google-chrome-stable headless_shell; do
        command -v "$name" >/dev/null 2>&1 && return 0
    done
    return 1
}

missing=()
have_browser || missing+=(chromium fonts-liberation)
if [ ${#missing[@]} -eq 0 ]; then
    echo "test-deps: every test tool is present"
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: missing ${missing[*]}; install them (Debian: sudo apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "test-deps: installing ${missing[*]} with apt-get"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
have_browser
