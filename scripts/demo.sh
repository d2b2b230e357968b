#!/usr/bin/env bash
# The demo: installs what is missing (swtpm, openssl), builds, then runs the seed scenario end to end over real IKEv2
# on 127.0.0.1 (examples/full-demo.mjs): tncjs' client "carol" (IKEv2 initiator, EAP-TTLS + EAP-MD5 + PT-EAP, OS +
# Attestation IMCs on a private swtpm) against tncjs' gateway "moon" (IKEv2 responder, EAP-TTLS server, Attestation +
# OS IMVs), with strongSwan-style logs: 'compliant', CHILD_SA, an ICMP echo through userspace ESP, DELETE.
# The PB-TNC-only demo of before is still there: node examples/attestation-demo.mjs
# Usage: bash scripts/demo.sh [--json] [--tampered]     (exit code 0: Access Allowed, 3: Quarantined, 4: Denied, 1: error)
source "$(dirname "$0")/lib.sh"
ensure_apt swtpm swtpm-tools openssl
ensure_built
exec node examples/full-demo.mjs "$@"
