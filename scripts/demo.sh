#!/usr/bin/env bash
# The demo: installs what is missing, builds, then runs a full PB-TNC exchange between tncjs' client role (carol) and
# server role (moon) with strongSwan-style logs. (The full IKEv2/EAP-TTLS/TPM attestation demo replaces this as the
# lower layers land.) Usage: bash scripts/demo.sh [--json] [--forwarding-enabled]
source "$(dirname "$0")/lib.sh"
ensure_built
exec node examples/pb-tnc-exchange.mjs "$@"
