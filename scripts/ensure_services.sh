#!/usr/bin/env bash
# Install (apt) and start what the service and browser tests need: PostgreSQL, Redis, Chromium.
set -uo pipefail
apt_updated=0
apt_install() {
  if [ "$(id -u)" != "0" ]; then echo "not root: cannot install $*"; return 1; fi
  if [ $apt_updated = 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

# WeasyPrint (decision letters) needs Pango and a font with Swedish characters.
if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then
  echo "installing pango for weasyprint"; apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core || true
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "installing postgresql"; apt_install postgresql || true
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting postgresql"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 20); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis"; apt_install redis-server || true
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium"; apt_install chromium fonts-dejavu-core || true
fi
pg_isready -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 -p 6379 ping && ls -l /usr/bin/chromium
exit 0
