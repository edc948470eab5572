#!/usr/bin/env bash
# Sets up a fresh machine for dl-lab: checks Node, finds or provides the pnpm that package.json names,
# installs the workspace's packages. --browser also installs Debian's Chromium for the browser tests
# (never a downloaded browser). Quiet: one line per step on stderr; full logs only when a step fails.
# It never replaces a pnpm you already have; where it installs one, it says where.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
fail() { printf 'setup: %s\n' "$*" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Runs a step with its output kept in $log; prints the log and stops when it fails.
quietly() { if ! "$@" >"$log" 2>&1; then cat "$log" >&2; fail "failed: $*"; fi; }

command -v node >/dev/null 2>&1 || fail "Node.js is not installed; dl-lab needs Node >= 20.19 (https://nodejs.org, or nvm)."
# Node's version against package.json "engines.node" (">=X.Y"), read by Node itself.
node -e '
  const want = require("./package.json").engines.node.replace(/^>=\s*/, "");
  const [a, b] = [process.versions.node, want].map((v) => v.split(".").map(Number));
  const older = a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && (a[2] || 0) < (b[2] || 0))));
  if (older) {
    console.error(`setup: dl-lab needs Node >= ${want} (package.json "engines"); this is Node ${process.versions.node} at ${process.execPath}.`);
    console.error("setup: install a newer Node (https://nodejs.org, nvm, or your distribution) and run ./tooling/setup.sh again.");
    process.exit(1);
  }
' || exit 1

PNPM_VERSION=$(node -p 'require("./package.json").packageManager.replace(/^pnpm@/, "")')
run=pnpm
pnpm_works() { [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; }

if pnpm_works; then
  :  # pnpm is (or switches itself to) the version package.json names
elif command -v pnpm >/dev/null 2>&1; then
  # Another pnpm that could not switch itself to ours (too old, or its download was refused): leave it
  # alone, run ours from npm's cache for this set-up, and say how to run it later.
  say "your pnpm ($(command -v pnpm), $(pnpm --version 2>/dev/null || echo 'fails here')) is not pnpm $PNPM_VERSION and could not switch to it; it is left as it is."
  say "using pnpm $PNPM_VERSION from npm's cache (npm exec); afterwards run 'npx pnpm@$PNPM_VERSION dl tour', or 'corepack enable pnpm' to make 'pnpm' pick the right version."
  quietly npm exec --yes "pnpm@$PNPM_VERSION" -- --version
  pnpm() { npm exec --yes "pnpm@$PNPM_VERSION" -- "$@"; }
  run="npx pnpm@$PNPM_VERSION"
else
  prefix=$(npm config get prefix)
  writable() { [ -w "$1" ] || { [ ! -e "$1" ] && writable "$(dirname "$1")"; }; }
  if ! writable "$prefix/bin"; then
    prefix="$HOME/.local"
    say "npm's global folder is not writable: installing pnpm under $prefix instead."
  fi
  say "pnpm not found: installing pnpm $PNPM_VERSION with npm into $prefix/bin (remove with 'npm uninstall --global --prefix $prefix pnpm')."
  quietly npm install --global --prefix "$prefix" --no-audit --no-fund "pnpm@$PNPM_VERSION"
  case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) say "$prefix/bin is not on your PATH: add it (e.g. in ~/.profile) so that 'pnpm dl tour' finds pnpm."; export PATH="$prefix/bin:$PATH" ;;
  esac
  pnpm_works || fail "pnpm in $prefix/bin does not run as pnpm $PNPM_VERSION."
fi

# tfjs-node's install script would download libtensorflow: build scripts stay disabled (pnpm-workspace.yaml).
say "installing the workspace's packages (pnpm install --frozen-lockfile)…"
quietly pnpm install --frozen-lockfile --reporter=append-only

# The browser tests need chromium; the job-queue tests (apps/cli) need a redis-server they start on loopback.
if [ "${1:-}" = "--browser" ]; then
  missing=""
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing="chromium"
  [ -x /usr/bin/redis-server ] || missing="${missing:+$missing }redis-server"
  if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    say "installing Debian's $missing for the browser and job-queue tests (${SUDO:+sudo }apt-get install $missing)…"
    quietly $SUDO apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    quietly $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
  fi
fi
next="$run dl tour"
[ "${1:-}" = "--browser" ] && next="$run test:all"
say "ready (Node $(node --version), pnpm $PNPM_VERSION). Next: $next"
