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
GW_NS=tnc-ikev2-gw
INST=ikev2-carol
IDIR="$(instance_dir "$INST")"

case "${1:-}" in
  up)
    ns_exists "$TNC_PEER_CAROL_NS" || die "run the kit's up.sh first"
    ns_exists "$GW_NS" || ip netns add "$GW_NS"
    ip -n "$TNC_PEER_CAROL_NS" link del ikev2a 2>/dev/null || true
    ip link add ikev2a netns "$TNC_PEER_CAROL_NS" type veth peer name ikev2b netns "$GW_NS"
    ip -n "$TNC_PEER_CAROL_NS" addr add 192.168.78.254/24 dev ikev2a
    ip -n "$TNC_PEER_CAROL_NS" link set ikev2a up
    ip -n "$GW_NS" addr add 192.168.78.1/24 dev ikev2b
    ip -n "$GW_NS" link set ikev2b up
    ip -n "$GW_NS" link set lo up
    for d in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12; do mkdir -p "$IDIR/swanctl/$d"; done
    mkdir -p "$IDIR/run"
    install -m 644 "$TNC_PEER_DIR/pki/caCert.pem" "$IDIR/swanctl/x509ca/caCert.pem"
    cat > "$IDIR/strongswan.conf" <<CONF
charon {
  load = $(plugins_for_mode libipsec)
  port = 500
  port_nat_t = 4500
  retransmit_tries = 3
  retransmit_timeout = 2.0
  plugins {
    vici { socket = unix://$IDIR/charon.vici }
    socket-default { fwmark = 0x42 }
    kernel-netlink { fwmark = !0x42 }
  }
  filelog {
    ikev2carol {
      path = $IDIR/charon.log
      time_format = %b %e %T
      ike_name = yes
      append = yes
      flush_line = yes
      default = 1
      ike = 2
      enc = 1
      tls = 2
      cfg = 1
    }
  }
}
swanctl {
  load = random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey
  socket = unix://$IDIR/charon.vici
}
CONF
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
    : > "$IDIR/charon.log"
    stop_charon "$INST"
    start_charon "$INST" "$TNC_PEER_CAROL_NS"
    swanctl_i "$INST" --load-all --noprompt --file "$IDIR/swanctl/swanctl.conf" >/dev/null
    echo "$IDIR"
    ;;
  down)
    stop_charon "$INST" 2>/dev/null || true
    if ns_exists "$GW_NS"; then ip netns del "$GW_NS"; fi
    ;;
  initiate) swanctl_i "$INST" --initiate --ike "${2:-ikev2}" --child "${2:-ikev2}" --timeout 30 ;;
  terminate) swanctl_i "$INST" --terminate --ike "${2:-ikev2}" --timeout 10 ;;
  list) swanctl_i "$INST" --list-sas --raw ;;
  *) echo "usage: charon-initiator.sh up|down|initiate|terminate|list" >&2; exit 2 ;;
esac
