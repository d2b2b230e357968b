#!/usr/bin/env bash
# End-to-end tier in network namespaces (root): builds the packages, then runs packages/gateway/test/interop/
# *.interop.ts — our `tnc-gateway` in tnc-e2e-moon (192.168.0.1, ports 500/4500) and our client stack in tnc-e2e-carol
# (192.168.0.254, a private swtpm, the seed's 23 BIOS + 1,287 IMA entries): compliant + CHILD_SA + ESP + DELETE, the
# tampered case, SIGTERM. The namespaces are ALWAYS deleted again (trap), also after a crash. Safe to run twice.
# Jest JSON results go to $TNCJS_RESULTS_DIR/interop-e2e.json when TNCJS_RESULTS_DIR is set.
source "$(dirname "$0")/lib.sh"
ensure_apt swtpm swtpm-tools openssl iproute2
ensure_node
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error >&2
log "building packages (lerna, dependency order)"
npx lerna run build --loglevel=error >&2
cleanup() {
  for ns in tnc-e2e-carol tnc-e2e-moon; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
run_interop_jest interop-e2e packages/gateway/test/interop/jest.interop.config.js "$@"
