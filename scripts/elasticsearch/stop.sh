#!/usr/bin/env bash
# Stop the node started by start.sh: TERM, then KILL after ES_STOP_TIMEOUT seconds (default 30). Idempotent.
set -euo pipefail

pid_file="$(cd "$(dirname "$0")/../.." && pwd)/tmp/elasticsearch/es.pid"
[ -f "$pid_file" ] || exit 0
pid=$(cat "$pid_file")
alive() { # running (not a zombie) and still Elasticsearch, not a reused PID
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && grep -qa org.elasticsearch "/proc/$pid/cmdline" 2>/dev/null
}
if alive; then
  echo "[elasticsearch] stopping pid $pid" >&2
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $((${ES_STOP_TIMEOUT:-30} * 10))); do alive || break; sleep 0.1; done
  if alive; then
    echo "[elasticsearch] pid $pid still running, sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 50); do alive || break; sleep 0.1; done
  fi
fi
rm -f "$pid_file"
