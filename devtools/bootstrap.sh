#!/usr/bin/env bash
# Installs what the suite needs on a fresh Debian machine; does nothing that is already done.
#   devtools/bootstrap.sh run   — for `make run`
#   devtools/bootstrap.sh test  — for `make test` (adds the compose validator, Chromium and axe-core
#                                  for the portal's browser tests)
#   devtools/bootstrap.sh bench — for `make bench` (run's, plus Chromium and Lighthouse)
set -euo pipefail
mode="${1:-run}"
cd "$(dirname "$0")/.."
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

amqp_hostport() {
  python3 - <<'PY'
import os, urllib.parse
u = urllib.parse.urlparse(os.environ.get("AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672/%2F")
print(u.hostname or "127.0.0.1", u.port or 5672)
PY
}
reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# --- system packages ---------------------------------------------------------------------
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
read -r amqp_host amqp_port < <(amqp_hostport)
if ! reachable "$amqp_host" "$amqp_port" && ! command -v rabbitmq-server >/dev/null 2>&1; then
  need+=(rabbitmq-server)
fi
if [ "$mode" = test ]; then
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
  # The portal's browser tests: Debian's Chromium, and Node for axe-core.
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
fi
if [ "$mode" = bench ]; then
  # bench/portal_lighthouse.py: Lighthouse (Node) drives Debian's Chromium.
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
fi
if [ ${#need[@]} -gt 0 ]; then
  say "Installing system packages: ${need[*]}"
  $SUDO apt-get update -qq
  # policy-rc.d keeps Debian from starting nginx/rabbitmq as system services on install.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- RabbitMQ ----------------------------------------------------------------------------
if ! reachable "$amqp_host" "$amqp_port"; then
  if [ "$amqp_host" = 127.0.0.1 ] || [ "$amqp_host" = localhost ]; then
    say "Starting RabbitMQ (rabbitmq-server -detached)"
    $SUDO rabbitmq-server -detached >/dev/null 2>&1 || true
    for _ in $(seq 1 120); do reachable "$amqp_host" "$amqp_port" && break; sleep 1; done
  fi
  reachable "$amqp_host" "$amqp_port" || { echo "RabbitMQ is not reachable at $amqp_host:$amqp_port" >&2; exit 1; }
fi
# The broker accepts connections a little before it accepts logins.
for _ in $(seq 1 60); do
  $SUDO rabbitmqctl -q await_startup >/dev/null 2>&1 && break
  command -v rabbitmqctl >/dev/null 2>&1 || break
  sleep 1
done

# --- Python environment ------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  say "Creating the Python environment (.venv)"
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements-dev.txt kit/requirements.txt services/*/requirements.txt simulator/requirements.txt kit/pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  say "Installing Python packages (pinned, first time takes a minute or two)"
  .venv/bin/python -m pip install --disable-pip-version-check --progress-bar on -r requirements-dev.txt 2>&1 \
    | { grep -v -E "^(Requirement already satisfied|WARNING: Location)" || true; }
  .venv/bin/python -m pip install --disable-pip-version-check -q --no-deps -e kit
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# --- Node packages (pinned by their package-lock.json; never fetched at run time) ------------
npm_ci() {  # folder: install its locked packages once per lock file
  local dir="$1" lock_stamp
  lock_stamp="$dir/node_modules/.installed-$(sha256sum "$dir/package-lock.json" | cut -c1-16)"
  [ -f "$lock_stamp" ] && return 0
  say "Installing Node packages in $dir (npm ci)"
  (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  touch "$lock_stamp"
}
if [ "$mode" = test ]; then
  npm_ci tests/portal        # axe-core, injected into the portal's pages by the browser tests
fi
if [ "$mode" = bench ]; then
  npm_ci bench/lighthouse    # lighthouse, for bench/portal_lighthouse.py
fi

say "Environment ready"
