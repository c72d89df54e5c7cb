#!/usr/bin/env bash
# The web server and the outbox worker side by side (make run); stopping one stops both.
set -u
bin="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin"
"$bin/sihe" worker --quiet &
worker=$!
stop() { kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null; }
trap stop EXIT
trap 'exit 130' INT TERM
"$bin/sihe" serve
