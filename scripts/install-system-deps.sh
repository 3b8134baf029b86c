#!/usr/bin/env bash
# Debian packages Convene needs: fonts for badges in every script, WeasyPrint's libraries,
# gettext for translations, poppler for PDF checks, Debian's Chromium for browser tests and
# Node.js (npm) for the calendar-client tests (Mozilla's ical.js). Installs only what is
# missing; never downloads a browser build.
set -euo pipefail

packages=(fonts-noto-core fonts-noto-cjk gettext chromium poppler-utils
          libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
# Any Node.js on the PATH will do (Debian's, or one from NodeSource that ships npm itself).
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
