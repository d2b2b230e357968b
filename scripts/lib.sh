# Shared helpers for scripts/test.sh, scripts/demo.sh and .ci/run (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '==> %s\n' "$*" >&2; }

apt_updated=0
# Install Debian packages that are missing (as root; the machines here are root, CI too).
ensure_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing[*]} (run as root, or install them first)"
    return 1
  fi
  if [ $apt_updated = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Node.js 20 or newer with npm; Debian 12's own nodejs is 18, which the pinned toolchain (lerna 9) refuses.
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ensure_apt nodejs npm
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 20 ]; then
    log "Node.js $(node --version) is too old: tncjs needs Node.js 20 or newer (Debian 12 ships 18; install Node 20 from your distribution's backports or NodeSource)"
    exit 1
  fi
}

# npm ci when node_modules is missing or older than the lockfile, then build every package in dependency order.
ensure_built() {
  ensure_node
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    # better-sqlite3 builds from source when its prebuilt binary cannot be downloaded: use the local Node headers
    [ -d /usr/include/node ] && export npm_config_nodedir="${npm_config_nodedir:-/usr}"
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
  log "building packages (lerna, dependency order)"
  npx lerna run build --loglevel=error >&2
}

# run_interop_jest NAME CONFIG [jest args…]: one interop tier's jest run (in band); its JSON results go to
# $TNCJS_RESULTS_DIR/NAME.json when TNCJS_RESULTS_DIR is set (.ci/run sums them). Returns jest's status.
run_interop_jest() {
  local name="$1" config="$2"
  shift 2
  local out=()
  if [ -n "${TNCJS_RESULTS_DIR:-}" ]; then
    mkdir -p "$TNCJS_RESULTS_DIR"
    out=(--json --outputFile="$TNCJS_RESULTS_DIR/$name.json")
  fi
  NODE_OPTIONS=--experimental-vm-modules npx jest --config "$config" --runInBand "${out[@]}" "$@"
}
