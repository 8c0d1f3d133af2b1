#!/usr/bin/env bash
# Compares the list page's time to interactive of two commits, for a change that may slow the
# first load (README "Benchmarks"). Each commit gets its own release build (`make release`, in a
# git worktree under a temporary folder); then both consoles, on the demo data, are loaded cold in
# headless Chromium by end2end/tti.mjs, taking turns, ROUNDS times 9 loads each.
#
#   scripts/tti-compare.sh OLD NEW [ROUNDS]      e.g. scripts/tti-compare.sh 58ea1e2 HEAD 6
#
# Prints each commit's median, quartiles and number of loads. Two release builds take 20 to 40
# minutes on 2 cores the first time (they share one target directory); the loads about 3 minutes.
set -euo pipefail

old=${1:?usage: scripts/tti-compare.sh OLD NEW [ROUNDS]}
new=${2:?usage: scripts/tti-compare.sh OLD NEW [ROUNDS]}
rounds=${3:-6}
repo=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
export CARGO_TARGET_DIR=${TTI_TARGET_DIR:-$HOME/.cache/cks-console/tti-target}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for side in old new; do git -C "$repo" worktree remove --force "$work/$side" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

build() { # side commit
  local side=$1 commit=$2
  git -C "$repo" worktree add --detach --force "$work/$side" "$commit" >/dev/null
  echo "== release build of $commit ($side)" >&2
  make -C "$work/$side" release >"$work/$side.build.log" 2>&1 ||
    { tail -20 "$work/$side.build.log" >&2; exit 1; }
  # The console reads hash.txt beside its binary: keep each build's pair together.
  mkdir -p "$work/$side.bin"
  cp "$CARGO_TARGET_DIR/release/cks-console" "$CARGO_TARGET_DIR/release/hash.txt" "$work/$side.bin/"
}
build old "$old"
build new "$new"

port=$((20000 + RANDOM % 20000))
password=tti-compare-admin-1
sample() { # side: one console, 9 cold loads; prints the milliseconds
  local side=$1
  CKS_ADMIN_PASSWORD=$password CKS_LOG=warn "$work/$side.bin/cks-console" --ephemeral \
    --listen "127.0.0.1:$port" --site-root "$work/$side/target/site" >"$work/$side.console.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  local cookie
  cookie=$(curl -s -i -X POST -H "Origin: http://127.0.0.1:$port" -H 'Accept: application/json' \
    --data "username=admin&password=$password" "http://127.0.0.1:$port/api/login" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(cks_session=[^;]*\).*/\1/p')
  (cd "$repo/end2end" && node tti.mjs "http://127.0.0.1:$port/" "$cookie" 9) |
    python3 -c 'import json,sys; print(*[round(x) for x in json.load(sys.stdin)["all_hydrated_ms"]])'
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}
: >"$work/old.ms"
: >"$work/new.ms"
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds" >&2
  sample old >>"$work/old.ms"
  sample new >>"$work/new.ms"
done
python3 - "$work" "$old" "$new" <<'EOF'
import statistics, sys
work, names = sys.argv[1], {"old": sys.argv[2], "new": sys.argv[3]}
for side in ("old", "new"):
    xs = sorted(float(x) for x in open(f"{work}/{side}.ms").read().split())
    q = statistics.quantiles(xs, n=4)
    print(f"{side} ({names[side]}): median {statistics.median(xs):.0f} ms, "
          f"quartiles {q[0]:.0f}-{q[2]:.0f} ms, {len(xs)} cold loads")
EOF
