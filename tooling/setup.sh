#!/usr/bin/env bash
# Sets up a fresh machine for dl-lab: pnpm (from the npm registry) and the workspace's packages.
# --browser also installs Debian's Chromium for the browser tests (never a downloaded browser).
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  npm install --global --no-audit --no-fund "pnpm@$PNPM_VERSION" >&2
fi

# tfjs-node's install script would download libtensorflow: build scripts stay disabled (pnpm-workspace.yaml).
pnpm install --frozen-lockfile --reporter=append-only >&2

if [ "${1:-}" = "--browser" ] && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
fi
