#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, type-checks, runs jest (all packages, all tiers) and prints
# one summary line `N passed, N failed`. Exit status non-zero on any failure.
# Usage: bash scripts/test.sh [jest args…]
source "$(dirname "$0")/lib.sh"
# the TPM tier talks to a real TPM emulator and cross-checks with tpm2-tools
ensure_apt swtpm swtpm-tools tpm2-tools eapoltest
ensure_built
log "type check"
npx tsc -p tsconfig.json
out="${TNCJS_RESULTS_DIR:-$ROOT/.test-results}"
mkdir -p "$out"
log "jest"
set +e
NODE_OPTIONS=--experimental-vm-modules npx jest --json --outputFile="$out/jest.json" "$@"
status=$?
set -e
node scripts/summarize.mjs "$out/jest.json"
exit $status
