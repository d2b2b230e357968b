#!/usr/bin/env bash
# The demo: installs what is missing (swtpm), builds, then runs the TNC attestation exchange between tncjs' TNC client
# (carol: OS + Attestation IMCs on a private swtpm) and TNC server (moon: Attestation + OS IMVs) over PB-TNC, with
# strongSwan-style logs. IKEv2 and EAP-TTLS/PT-EAP are not in the demo yet.
# Usage: bash scripts/demo.sh [--json] [--tampered]     (exit code 0: Access Allowed, 3: Quarantined)
source "$(dirname "$0")/lib.sh"
ensure_apt swtpm swtpm-tools
ensure_built
exec node examples/attestation-demo.mjs "$@"
