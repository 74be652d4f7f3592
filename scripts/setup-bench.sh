#!/usr/bin/env bash
# Benchmark prerequisites that pip does not install: Debian's `wrk`, the compiled HTTP load
# generator `python -m bench serve` drives the server with. Idempotent.
set -euo pipefail

say() { printf 'setup-bench: %s\n' "$*"; }

if command -v wrk >/dev/null; then
  say "wrk present"
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  say "installing wrk with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -qq -o Acquire::Retries=3 update
  apt-get -qq -o Acquire::Retries=3 install -y --no-install-recommends wrk >/dev/null
  say "installed $(command -v wrk)"
else
  say "WARNING: wrk missing and not root (or no apt-get): python -m bench serve cannot run"
fi
