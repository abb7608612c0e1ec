#!/usr/bin/env bash
# `npm test`: makes sure the system packages the tests need are here, then typecheck, lint, unit and
# integration tests (real PostgreSQL servers) and end-to-end tests (real Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(postgresql-15 postgresql-15-wal2json openssh-server chromium openssl)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing the system packages the tests need: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "The tests need these Debian packages: ${missing[*]}"
    echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

export NEXT_TELEMETRY_DISABLED=1
step() { printf '\n== %s ==\n' "$1"; }

step "typecheck"
npx tsc --noEmit -p .
step "lint"
npx eslint . --max-warnings=0
step "unit and integration tests"
npx vitest run
step "end-to-end tests (Chromium)"
npx playwright test
