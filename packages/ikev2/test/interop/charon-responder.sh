#!/usr/bin/env bash
# Debian's charon as IKEv2 RESPONDER (a second "moon": EAP-TTLS + EAP-MD5, EAP-only) with SHORT LIFETIMES, so that
# the GATEWAY starts the rekeys (CHILD_SA every 3 s with PFS, IKE_SA every 5 s) and DPD against OUR initiator — the
# shared kit's moon runs strongSwan's default lifetimes (hours) and may not be edited. Uses the kit's lib.sh helpers.
# Topology: tnc-carol (kit's, 192.168.79.254 on veth ikev2c) <-> tnc-ikev2-sgw (ours, 192.168.79.1 on ikev2d,
# 10.3.0.1/32 on lo behind the gateway).
#   charon-responder.sh up      create tnc-ikev2-sgw + veth, start charon instance "ikev2-sgw" in it
#   charon-responder.sh down    stop that charon (by PID file) and delete tnc-ikev2-sgw (idempotent)
# Needs the kit's up.sh to have run (namespace tnc-carol, PKI).
set -euo pipefail
KIT="${TNC_PEER_KIT:?TNC_PEER_KIT must point to shared/peers/strongswan}"
. "$KIT/lib.sh"
. "$(dirname "$0")/charon-common.sh"
GW_NS=tnc-ikev2-sgw
INST=ikev2-sgw
IDIR="$(instance_dir "$INST")"

case "${1:-}" in
  up)
    link_carol ikev2c ikev2d 192.168.79
    ip -n "$GW_NS" addr replace 10.3.0.1/32 dev lo
    instance_tree
    install -m 644 "$TNC_PEER_DIR/pki/moonCert.pem" "$IDIR/swanctl/x509/moonCert.pem"
    install -m 600 "$TNC_PEER_DIR/pki/moonKey.pem" "$IDIR/swanctl/private/moonKey.pem"
    write_strongswan_conf ikev2sgw 1 "  keep_alive = 0s" "    kernel-libipsec { allow_peer_ts = yes }
    eap-ttls { phase2_method = md5
               phase2_piggyback = yes }"
    cat > "$IDIR/swanctl/swanctl.conf" <<CONF
connections {
  sgw {
    version = 2
    local_addrs = 192.168.79.1
    proposals = default
    send_certreq = no
    fragmentation = yes
    rekey_time = 5s
    reauth_time = 0
    over_time = 30s
    rand_time = 0
    dpd_delay = 2s
    local { auth = eap-ttls
            id = $MOON_ID }
    remote { auth = eap-ttls
             id = *@strongswan.org }
    children {
      sgw { local_ts = 10.3.0.0/28
            esp_proposals = aes128gcm16-x25519, aes128-sha256-x25519
            rekey_time = 3s
            life_time = 60s
            rand_time = 0 }
    }
  }
}
secrets {
  eap-carol { id = $CAROL_ID
              secret = $CAROL_PASSWORD }
}
CONF
    start_instance "$GW_NS"
    ;;
  down) down_instance ;;
  list) swanctl_i "$INST" --list-sas --raw ;;
  *) echo "usage: charon-responder.sh up|down|list" >&2; exit 2 ;;
esac
