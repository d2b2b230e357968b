#!/usr/bin/env bash
# client interop tier: builds the packages, starts the strongSwan gateway "moon" (../shared/peers/strongswan, else
# /work/shared/peers/strongswan) and runs packages/client/test/interop/*.interop.ts: the BUILT `tnc-client` command
# inside the carol namespace against moon's "ttls" and "pubkey-md5" gateways (connect, up <conn>, status, down, SIGINT,
# wrong password, untrusted CA). moon is stopped again on exit (trap) when this script started it; a moon that was
# already running (another suite using the kit) is left running. Safe to run twice in a row. Jest JSON results go to
# $TNCJS_RESULTS_DIR/interop-client.json when TNCJS_RESULTS_DIR is set.
source "$(dirname "$0")/lib.sh"
KIT="$ROOT/../shared/peers/strongswan"
[ -f "$KIT/up.sh" ] || KIT=/work/shared/peers/strongswan
[ -f "$KIT/up.sh" ] || { log "strongSwan peer kit not found"; exit 1; }
ensure_node
ensure_apt openssl iproute2
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error >&2
log "building @tncjs/client and the packages it depends on (lerna, dependency order)"
npx lerna run build --scope @tncjs/client --include-dependencies --loglevel=error >&2
peer_dir="${TNC_PEER_DIR:-/tmp/tnc-peer}"
moon_running() {
  local pid
  pid="$(cat "$peer_dir/moon/charon.pid" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = charon ]
}
started=1
moon_running && started=0
cleanup() {
  if [ "$started" = 1 ]; then bash "$KIT/down.sh" >&2 || true; fi
}
trap cleanup EXIT
bash "$KIT/up.sh" >&2
run_interop_jest interop-client packages/client/test/interop/jest.interop.config.js "$@"
