# Shared by charon-initiator.sh and charon-responder.sh (sourced, not run): one extra namespace wired to the kit's
# tnc-carol by a veth pair, a charon instance directory with the kit's CA, its strongswan.conf, and start/stop.
# Needs: KIT (the strongSwan peer kit) with its lib.sh sourced, GW_NS, INST, IDIR set by the caller.

# link_carol <carol-if> <gw-if> <subnet /24 prefix, e.g. 192.168.78>: carol gets .254, GW_NS gets .1
link_carol() {
  local cif="$1" gif="$2" net="$3"
  ns_exists "$TNC_PEER_CAROL_NS" || die "run the kit's up.sh first"
  ns_exists "$GW_NS" || ip netns add "$GW_NS"
  ip -n "$TNC_PEER_CAROL_NS" link del "$cif" 2>/dev/null || true
  ip link add "$cif" netns "$TNC_PEER_CAROL_NS" type veth peer name "$gif" netns "$GW_NS"
  ip -n "$TNC_PEER_CAROL_NS" addr add "$net.254/24" dev "$cif"
  ip -n "$TNC_PEER_CAROL_NS" link set "$cif" up
  ip -n "$GW_NS" addr add "$net.1/24" dev "$gif"
  ip -n "$GW_NS" link set "$gif" up
  ip -n "$GW_NS" link set lo up
}

# instance_tree: swanctl directories and the kit's CA certificate
instance_tree() {
  for d in x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12; do mkdir -p "$IDIR/swanctl/$d"; done
  mkdir -p "$IDIR/run"
  install -m 644 "$TNC_PEER_DIR/pki/caCert.pem" "$IDIR/swanctl/x509ca/caCert.pem"
}

# write_strongswan_conf <filelog name> <tls log level> <extra charon lines> <extra plugin lines>
write_strongswan_conf() {
  cat > "$IDIR/strongswan.conf" <<CONF
charon {
  load = $(plugins_for_mode libipsec)
  port = 500
  port_nat_t = 4500
  retransmit_tries = 3
  retransmit_timeout = 2.0
$3
  plugins {
    vici { socket = unix://$IDIR/charon.vici }
    socket-default { fwmark = 0x42 }
    kernel-netlink { fwmark = !0x42 }
$4
  }
  filelog {
    $1 {
      path = $IDIR/charon.log
      time_format = %b %e %T
      ike_name = yes
      append = yes
      flush_line = yes
      default = 1
      ike = 2
      enc = 1
      tls = $2
      cfg = 1
    }
  }
}
swanctl {
  load = random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey
  socket = unix://$IDIR/charon.vici
}
CONF
}

# start_instance <namespace>: fresh log, (re)start charon there, load swanctl.conf; prints the instance directory
start_instance() {
  : > "$IDIR/charon.log"
  stop_charon "$INST"
  start_charon "$INST" "$1"
  swanctl_i "$INST" --load-all --noprompt --file "$IDIR/swanctl/swanctl.conf" >/dev/null
  echo "$IDIR"
}

# down_instance: stop the charon (by PID file) and delete GW_NS (idempotent)
down_instance() {
  stop_charon "$INST" 2>/dev/null || true
  if ns_exists "$GW_NS"; then ip netns del "$GW_NS"; fi
}
