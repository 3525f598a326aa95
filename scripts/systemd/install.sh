#!/bin/sh
# Installs (or upgrades) ai-gateway as a systemd service and starts it.
#
#   sudo scripts/systemd/install.sh PATH/TO/ai-gateway [PATH/TO/.env]
#
# Files: /usr/local/bin/ai-gateway, /etc/systemd/system/ai-gateway.service and the settings
# in /etc/ai-gateway/.env (mode 0600; an existing one is kept, never overwritten).
# ROOT=DIR installs into another filesystem root (an image being built, a test) and leaves
# systemctl alone.
set -eu

usage="usage: install.sh PATH/TO/ai-gateway [PATH/TO/.env]"
binary=${1:?$usage}
settings=${2:-}
root=${ROOT:-}
here=$(cd "$(dirname "$0")" && pwd)

[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }
[ -z "$settings" ] || [ -r "$settings" ] || { echo "install.sh: cannot read $settings" >&2; exit 1; }

install -D -m 0755 "$binary" "$root/usr/local/bin/ai-gateway"
install -D -m 0644 "$here/ai-gateway.service" "$root/etc/systemd/system/ai-gateway.service"
install -d -m 0755 "$root/etc/ai-gateway"

env_file="$root/etc/ai-gateway/.env"
if [ -e "$env_file" ]; then
  echo "keeping the existing $env_file"
elif [ -n "$settings" ]; then
  install -m 0600 "$settings" "$env_file"
else
  (umask 077 && cat > "$env_file" <<'SETTINGS'
# ai-gateway settings, one KEY=value a line. `ai-gateway --help` lists every setting
# with its default. Keep HOST=127.0.0.1 behind a reverse proxy; 0.0.0.0 listens everywhere.
#HOST=127.0.0.1
#PORT=3000
#LOG_LEVEL=info
SETTINGS
  )
fi

# Refuse to start a service whose settings are invalid: the check lists every problem.
(cd "$root/etc/ai-gateway" && "$root/usr/local/bin/ai-gateway" --check-config)

if [ -n "$root" ]; then
  echo "installed into $root"
  exit 0
fi
systemctl daemon-reload
systemctl enable ai-gateway.service
# restart, not start: an upgrade must replace the running binary.
systemctl restart ai-gateway.service
systemctl --no-pager --lines=5 status ai-gateway.service || true
echo "ai-gateway is running; settings in $env_file, logs: journalctl -u ai-gateway"
