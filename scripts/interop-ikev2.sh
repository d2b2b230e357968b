#!/usr/bin/env bash
# ikev2 interop tier: builds the packages, starts the strongSwan gateway "moon" (../shared/peers/strongswan, else
# /work/shared/peers/strongswan), runs packages/ikev2/test/interop/*.interop.ts (our initiator from dist inside the
# carol namespace; our responder against Debian's charon as initiator; tshark dissecting captures of both) and
# ALWAYS stops moon and that charon again (trap). Safe to run twice in a row. Jest JSON results go to
# $TNCJS_RESULTS_DIR/interop-ikev2.json when TNCJS_RESULTS_DIR is set.
source "$(dirname "$0")/lib.sh"
KIT="$ROOT/../shared/peers/strongswan"
[ -f "$KIT/up.sh" ] || KIT=/work/shared/peers/strongswan
[ -f "$KIT/up.sh" ] || { log "strongSwan peer kit not found"; exit 1; }
ensure_node
# tshark/dumpcap dissect our captures (test/interop/tshark.interop.ts); preseed "no" for non-root capture
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections 2>/dev/null || true
ensure_apt tshark
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error >&2
log "building common, eap, eap-ttls, ikev2"
for p in common eap eap-ttls ikev2; do (cd "packages/$p" && npx tsup >/dev/null); done
cleanup() {
  ip netns del tnc-ikev2-cap 2>/dev/null || true
  TNC_PEER_KIT="$KIT" bash packages/ikev2/test/interop/charon-responder.sh down >&2 || true
  TNC_PEER_KIT="$KIT" bash packages/ikev2/test/interop/charon-initiator.sh down >&2 || true
  bash "$KIT/down.sh" >&2 || true
}
trap cleanup EXIT
bash "$KIT/up.sh" >&2
run_interop_jest interop-ikev2 packages/ikev2/test/interop/jest.interop.config.js "$@"
