#!/usr/bin/env bash
# The web server, the outbox worker and the shop-floor collector side by side (make run); stopping the
# server stops them all. The collector needs the MQTT broker (MQTT_URL, default 127.0.0.1:1883); without
# one it keeps retrying and the rest runs on.
set -u
bin="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin"
"$bin/sihe" worker --quiet &
worker=$!
"$bin/sihe" collect --stats-every 60 &
collector=$!
stop() {
  kill "$worker" "$collector" 2>/dev/null
  wait "$worker" "$collector" 2>/dev/null
}
trap stop EXIT
trap 'exit 130' INT TERM
"$bin/sihe" serve
