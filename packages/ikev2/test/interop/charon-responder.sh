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
GW_NS=tnc-ikev2-sgw
INST=ikev2-sgw
IDIR="$(instance_dir "$INST")"

case "${1:-}" in
  up)
    ns_exists "$TNC_PEER_CAROL_NS" || die "run the kit's up.sh first"
    ns_exists "$GW_NS" || ip netns add "$GW_NS"
    ip -n "$TNC_PEER_CAROL_NS" link del ikev2c 2>/dev/null || true
    ip link add ikev2c netns "$TNC_PEER_CAROL_NS" type veth peer name ikev2d netns "$GW_NS"
    ip -n "$TNC_PEER_CAROL_NS" addr add 192.168.79.254/24 dev ikev2c
    ip -n "$TNC_PEER_CAROL_NS" link set ikev2c up
    ip -n "$GW_NS" addr add 192.168.79.1/24 dev ikev2d
    ip -n "$GW_NS" link set ikev2d up
    ip -n "$GW_NS" link set lo up
    ip -n "$GW_NS" addr replace 10.3.0.1/32 dev lo
    for d in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12; do mkdir -p "$IDIR/swanctl/$d"; done
    mkdir -p "$IDIR/run"
    install -m 644 "$TNC_PEER_DIR/pki/caCert.pem" "$IDIR/swanctl/x509ca/caCert.pem"
    install -m 644 "$TNC_PEER_DIR/pki/moonCert.pem" "$IDIR/swanctl/x509/moonCert.pem"
    install -m 600 "$TNC_PEER_DIR/pki/moonKey.pem" "$IDIR/swanctl/private/moonKey.pem"
    cat > "$IDIR/strongswan.conf" <<CONF
charon {
  load = $(plugins_for_mode libipsec)
  port = 500
  port_nat_t = 4500
  keep_alive = 0s
  retransmit_tries = 3
  retransmit_timeout = 2.0
  plugins {
    vici { socket = unix://$IDIR/charon.vici }
    socket-default { fwmark = 0x42 }
    kernel-netlink { fwmark = !0x42 }
    kernel-libipsec { allow_peer_ts = yes }
    eap-ttls { phase2_method = md5
               phase2_piggyback = yes }
  }
  filelog {
    ikev2sgw {
      path = $IDIR/charon.log
      time_format = %b %e %T
      ike_name = yes
      append = yes
      flush_line = yes
      default = 1
      ike = 2
      enc = 1
      tls = 1
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
    : > "$IDIR/charon.log"
    stop_charon "$INST"
    start_charon "$INST" "$GW_NS"
    swanctl_i "$INST" --load-all --noprompt --file "$IDIR/swanctl/swanctl.conf" >/dev/null
    echo "$IDIR"
    ;;
  down)
    stop_charon "$INST" 2>/dev/null || true
    if ns_exists "$GW_NS"; then ip netns del "$GW_NS"; fi
    ;;
  list) swanctl_i "$INST" --list-sas --raw ;;
  *) echo "usage: charon-responder.sh up|down|list" >&2; exit 2 ;;
esac
