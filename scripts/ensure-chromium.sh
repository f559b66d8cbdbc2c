#!/bin/sh
# Makes sure Debian's chromium is installed at /usr/bin/chromium, for the browser tests
# (test/holder-page.test.ts and test/console-*.test.ts drive it with playwright-core). Idempotent: does nothing when
# it is already there. Installing needs root (or sudo without a password) and apt.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

# Browser test files run in parallel: one installs, the others wait for it under the same lock.
if [ -z "${ENSURE_CHROMIUM_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
  ENSURE_CHROMIUM_LOCKED=1 exec flock "${TMPDIR:-/tmp}/veridity-ensure-chromium.lock" sh "$0" "$@"
fi

fail() {
  echo "ensure-chromium: $1" >&2
  echo "ensure-chromium: install it by hand: apt-get update && apt-get install -y --no-install-recommends chromium" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "$CHROMIUM is missing and apt-get is not available (not a Debian/Ubuntu system)"

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo -n"
else
  fail "$CHROMIUM is missing and installing it needs root (or passwordless sudo)"
fi

echo "ensure-chromium: installing chromium with apt-get (once) ..." >&2
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update >&2 || fail "apt-get update failed (no network or no package mirror?)"
$as_root apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends chromium >&2 || fail "apt-get install chromium failed"

[ -x "$CHROMIUM" ] || fail "chromium was installed but $CHROMIUM does not exist"
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed" >&2
