#!/usr/bin/env bash
# System and test prerequisites that pip does not install. Idempotent; fast when already done.
#   1. Debian's chromium + chromedriver (+ a font) for the browser tests (playwright drives
#      /usr/bin/chromium through executable_path; it never downloads a browser of its own),
#      and wrk, the HTTP load generator of `python -m bench serve` (a test drives it too).
#   2. Node tools in tools/node (Cypher language support; cytoscape, its fcose layout and svg
#      export for the viewer page; graphiql with react 18 for the offline GraphiQL page),
#      installed from tools/node/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup-system: %s\n' "$*"; }

# ---- 1. chromium -------------------------------------------------------------------------
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
[[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
command -v wrk >/dev/null || missing+=(wrk)

if ((${#missing[@]} == 0)); then
  say "chromium, chromedriver, fonts and wrk present"
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  say "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -qq -o Acquire::Retries=3 update
  apt-get -qq -o Acquire::Retries=3 install -y --no-install-recommends \
    "${missing[@]}" >/dev/null
  say "installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
else
  say "WARNING: ${missing[*]} missing and not root (or no apt-get): browser tests cannot run"
fi

# ---- 2. node tools -----------------------------------------------------------------------
node_dir=tools/node
node_stamp=$node_dir/node_modules/.tenantgraph-stamp
if ! command -v npm >/dev/null; then
  say "ERROR: npm not found; install Node.js 20+ and npm" >&2
  exit 1
fi
if [[ -f $node_stamp && $node_stamp -nt $node_dir/package.json \
      && ( ! -f $node_dir/package-lock.json || $node_stamp -nt $node_dir/package-lock.json ) ]]; then
  say "node tools up to date ($node_dir)"
else
  if [[ -f $node_dir/package-lock.json ]]; then
    say "npm ci in $node_dir"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  else
    say "npm install in $node_dir (no package-lock.json yet: commit the one it writes)"
    (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error \
      --omit-lockfile-registry-resolved)
  fi
  touch "$node_stamp"
fi

say "done"
