#!/usr/bin/env bash
# Idempotently installs what the real-VS-Code integration tests need on an offline Debian machine
# (see docs/testing-vscode-offline.md at the repo root): Debian's headless Chromium, ripgrep, libkrb5-dev,
# and code-server@4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) under <repo>/.tools/code-server,
# which git ignores and which is outside the pnpm workspace's lockfile.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
PREFIX="${BARCACHE_CODE_SERVER_PREFIX:-$REPO/.tools/code-server}"
BIN="$PREFIX/node_modules/.bin/code-server"

log() { printf 'install-code-server: %s\n' "$*"; }

# 1. Debian packages (only when something is missing).
need_apt=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
if [ "${#need_apt[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  log "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
else
  log "chromium, ripgrep, libkrb5-dev already installed"
fi

# 2. code-server (skip when the wanted version is already there).
if [ -x "$BIN" ] && [ -f "$PREFIX/node_modules/code-server/package.json" ] && \
   grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$PREFIX/node_modules/code-server/package.json"; then
  log "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
  exit 0
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds the archive in its cache:
# put Debian's rg there under the name it expects.
TMP="${TMPDIR:-/tmp}"
RG_CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE"
RG_ARCHIVE="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$RG_ARCHIVE" ]; then
  tar czf "$RG_ARCHIVE" -C "$(dirname "$(command -v rg)")" rg
fi

mkdir -p "$PREFIX"
# A package.json of its own keeps npm from walking up into the pnpm workspace.
[ -f "$PREFIX/package.json" ] || printf '{ "name": "barcache-tools-code-server", "private": true }\n' > "$PREFIX/package.json"
log "npm install code-server@$CODE_SERVER_VERSION into $PREFIX (about a minute)"
# node-pty's postinstall runs `npx node-gyp…`; npm is configured with yes=false here, so say yes.
# Native modules (argon2) compile against Node's headers; with no network node-gyp cannot download
# them, so point it at the installed ones when npm is not already configured to (a fresh HOME).
if [ -z "${npm_config_nodedir:-}" ] && [ "$(npm config get nodedir 2>/dev/null)" = "undefined" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
# code-server's own postinstall refuses to run as root unless npm_config_unsafe_perm=true.
TMPDIR="$TMP" npm_config_yes=true npm_config_unsafe_perm=true \
  npm install --no-audit --no-fund --prefix "$PREFIX" "code-server@$CODE_SERVER_VERSION"
[ -x "$BIN" ] || { log "code-server binary missing at $BIN"; exit 1; }
log "done: $BIN"
