#!/usr/bin/env bash
# `make fresh-check`: the README's two commands, `make test` then `make serve`, in a clone of
# HEAD with an empty cargo home and npm cache, as on a machine that has only the Rust toolchain.
# What it cannot take away: rustup's toolchain and its components (there is no other source for
# them here) and Debian's packages. Logs and timings go to $FRESH_DIR (kept for reading).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
FRESH_DIR="${FRESH_DIR:-$(mktemp -d /tmp/svclab-fresh.XXXXXX)}"
mkdir -p "$FRESH_DIR"
echo "fresh-check in $FRESH_DIR"

git clone --quiet --no-local "$here" "$FRESH_DIR/svclab"
export CARGO_HOME="$FRESH_DIR/cargo-home"
export npm_config_cache="$FRESH_DIR/npm-cache"
mkdir -p "$CARGO_HOME" "$npm_config_cache"
# Nothing from the usual cargo home but rustup's proxies: trunk and wasm-bindgen must come from
# the Makefile.
mkdir -p "$FRESH_DIR/rustup-bin"
for tool in cargo rustc rustup rustfmt cargo-fmt rustdoc; do
  ln -sf "$(command -v $tool)" "$FRESH_DIR/rustup-bin/$tool"
done
export PATH="$FRESH_DIR/rustup-bin:$(echo "$PATH" | tr ':' '\n' | grep -v -x "$HOME/.cargo/bin" | paste -sd:)"
cd "$FRESH_DIR/svclab"
[ -d ../shared ] || ln -s "$here/../shared" ../shared 2>/dev/null || true

start=$(date +%s)
if ! make test > "$FRESH_DIR/test.log" 2>&1; then
  tail -n 40 "$FRESH_DIR/test.log"
  echo "fresh-check: make test FAILED after $(( $(date +%s) - start )) s (log: $FRESH_DIR/test.log)"
  exit 1
fi
echo "make test passed in $(( $(date +%s) - start )) s; its last lines:"
tail -n 12 "$FRESH_DIR/test.log"

start=$(date +%s)
setsid make serve > "$FRESH_DIR/serve.log" 2>&1 &
serve_pid=$!
trap 'kill -- -$serve_pid 2>/dev/null || true' EXIT
ok=0
for _ in $(seq 1 900); do
  if curl -fs -o /dev/null http://127.0.0.1:8080/; then ok=1; break; fi
  kill -0 $serve_pid 2>/dev/null || break
  sleep 2
done
if [ $ok = 1 ] && curl -fsS http://127.0.0.1:8080/ | grep -q '<title>'; then
  echo "make serve answered on 127.0.0.1:8080 after $(( $(date +%s) - start )) s; its last lines:"
  tail -n 6 "$FRESH_DIR/serve.log"
else
  tail -n 40 "$FRESH_DIR/serve.log"
  echo "fresh-check: make serve did not answer on 127.0.0.1:8080 (log: $FRESH_DIR/serve.log)"
  exit 1
fi
echo "fresh-check passed"
