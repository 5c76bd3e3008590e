#!/usr/bin/env bash
# The browser tests need Debian's Chromium, the oracle tests tshark. On a fresh Debian machine
# where we are root, install what is missing; elsewhere say what to install and stop.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
command -v capinfos >/dev/null 2>&1 || missing+=(tshark)
[ ${#missing[@]} -eq 0 ] && exit 0
pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing from Debian: $pkgs"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
else
  echo "missing: $pkgs — install them (Debian/Ubuntu: sudo apt-get install -y $pkgs) and run again" >&2
  exit 1
fi
