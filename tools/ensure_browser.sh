#!/usr/bin/env bash
# What the browser suite (tests/browser) needs besides the Python packages: Debian's Chromium
# (the suite never uses a browser downloaded by Playwright) and axe-core from npm, pinned.
# Installs only what is missing, so it is cheap to run before every 'pytest tests/browser'.
# CI runs it as root on a fresh Debian machine; elsewhere it uses sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
NPM_PREFIX=".venv/npm"
# One version for the suite and this script: the suite's own constant.
AXE_VERSION="$(sed -n 's/^AXE_VERSION = "\([0-9.]*\)"$/\1/p' tests/browser/browserbook.py)"
[ -n "$AXE_VERSION" ] || { echo "AXE_VERSION not found in tests/browser/browserbook.py" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "root is needed to run: $*" >&2; exit 1
  fi
}

packages=()
[ -x "$CHROMIUM" ] || packages+=(chromium)      # Debian's package; it provides /usr/bin/chromium
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [ "${#packages[@]}" -gt 0 ]; then
  echo "installing ${packages[*]} with apt-get"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
fi
[ -x "$CHROMIUM" ] || { echo "no Chromium at $CHROMIUM after apt-get install chromium (not Debian?)" >&2; exit 1; }

axe="$NPM_PREFIX/node_modules/axe-core"
if ! grep -qs "\"version\": \"$AXE_VERSION\"" "$axe/package.json" || [ ! -f "$axe/axe.min.js" ]; then
  # --save-exact records axe-core in $NPM_PREFIX/package.json, so that the Makefile's
  # 'npm install --no-save mathjax' into the same prefix keeps it.
  npm install --silent --no-audit --no-fund --save-exact --prefix "$NPM_PREFIX" "axe-core@$AXE_VERSION"
fi
echo "browser suite ready: $("$CHROMIUM" --version 2>/dev/null), axe-core $AXE_VERSION"
