#!/usr/bin/env bash
# Load generator for the HTTP benchmarks (bench/soak.py): `wrk`, from Debian. Idempotent.
set -euo pipefail
if command -v wrk >/dev/null; then
  echo "setup-bench-tools: wrk present"
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "setup-bench-tools: installing wrk with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -qq -o Acquire::Retries=3 update
  apt-get -qq -o Acquire::Retries=3 install -y --no-install-recommends wrk >/dev/null
else
  echo "setup-bench-tools: WARNING: wrk missing and not root (or no apt-get): the soak cannot run" >&2
fi
