#!/usr/bin/env bash
# Installs the system packages the tests need, from Debian, when missing:
# Kamailio (the real registrar the tests run against) and Chromium (Playwright drives it).
set -euo pipefail
need=()
[ -x /usr/sbin/kamailio ] && [ -x /usr/sbin/kamcmd ] || need+=(kamailio)
ls /usr/lib/*/kamailio/modules/presence_reginfo.so >/dev/null 2>&1 || need+=(kamailio-presence-modules)
ls /usr/lib/*/kamailio/modules/websocket.so >/dev/null 2>&1 || need+=(kamailio-websocket-modules)
ls /usr/lib/*/kamailio/modules/tls.so >/dev/null 2>&1 || need+=(kamailio-tls-modules)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v baresip >/dev/null 2>&1 || need+=(baresip-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing system packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian's package may start a system Kamailio; the tests run their own on free ports.
if pgrep -x kamailio >/dev/null 2>&1 && [ -f /run/kamailio/kamailio.pid ]; then
  $SUDO kill "$(cat /run/kamailio/kamailio.pid)" 2>/dev/null || true
fi
