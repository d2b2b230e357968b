#!/usr/bin/env bash
# Debian's charon as IKEv2 INITIATOR ("carol", EAP-TTLS + EAP-MD5, EAP-only) against OUR responder, for the ikev2
# interop tier. Uses the strongSwan peer kit's helpers (lib.sh: start_charon/stop_charon/swanctl_i) without copying
# them. Topology: tnc-carol (kit's, 192.168.78.254 on veth ikev2a) <-> tnc-ikev2-gw (ours, 192.168.78.1 on ikev2b).
#   charon-initiator.sh up      create tnc-ikev2-gw + veth, start charon instance "ikev2-carol" in tnc-carol
#   charon-initiator.sh down    stop that charon (by PID file) and delete tnc-ikev2-gw (idempotent)
# Needs the kit's up.sh to have run (namespace tnc-carol, PKI).
set -euo pipefail
KIT="${TNC_PEER_KIT:?TNC_PEER_KIT must point to shared/peers/strongswan}"
. "$KIT/lib.sh"
. "$(dirname "$0")/charon-common.sh"
GW_NS=tnc-ikev2-gw
INST=ikev2-carol
IDIR="$(instance_dir "$INST")"

case "${1:-}" in
  up)
    link_carol ikev2a ikev2b 192.168.78
    instance_tree
    write_strongswan_conf ikev2carol 2 "" ""
    cat > "$IDIR/swanctl/swanctl.conf" <<CONF
connections {
  ikev2 {
    version = 2
    local_addrs = 192.168.78.254
    remote_addrs = 192.168.78.1
    proposals = aes128-sha256-ecp256
    send_certreq = no
    local { auth = eap-ttls
            id = $CAROL_ID }
    remote { auth = eap-ttls
             id = $MOON_ID }
    children {
      ikev2 { remote_ts = 10.2.0.0/24
              esp_proposals = aes128gcm16 }
    }
  }
  # charon rekeys on its own (short lifetimes, PFS for the CHILD_SA) and runs DPD against our responder
  rekey {
    version = 2
    local_addrs = 192.168.78.254
    remote_addrs = 192.168.78.1
    proposals = aes128-sha256-ecp256
    send_certreq = no
    rekey_time = 6s
    reauth_time = 0
    over_time = 20s
    rand_time = 0
    dpd_delay = 2s
    local { auth = eap-ttls
            id = $CAROL_ID }
    remote { auth = eap-ttls
             id = $MOON_ID }
    children {
      rekey { remote_ts = 10.2.0.0/24
              esp_proposals = aes128gcm16-x25519
              rekey_time = 3s
              life_time = 30s
              rand_time = 0 }
    }
  }
}
secrets {
  eap-carol { id = $CAROL_ID
              secret = $CAROL_PASSWORD }
}
CONF
    start_instance "$TNC_PEER_CAROL_NS"
    ;;
  down) down_instance ;;
  initiate) swanctl_i "$INST" --initiate --ike "${2:-ikev2}" --child "${2:-ikev2}" --timeout 30 ;;
  terminate) swanctl_i "$INST" --terminate --ike "${2:-ikev2}" --timeout 10 ;;
  terminate-child) swanctl_i "$INST" --terminate --child "${2:-ikev2}" --timeout 10 ;;
  list) swanctl_i "$INST" --list-sas --raw ;;
  *) echo "usage: charon-initiator.sh up|down|initiate|terminate|list" >&2; exit 2 ;;
esac
