#!/usr/bin/env bash
# Repairs the lazy routes' manifest after `cargo leptos build --split` with hashed file names.
#
# cargo-leptos 0.3.6 puts each chunk's hash into the manifest by plain text replacement of
# `chunk_N` with `chunk_N.<hash>`, one chunk after another in no fixed order. When both chunk_14
# and chunk_140 exist, `chunk_14` also matches inside `chunk_140`, and chunk_140's name comes out
# as `chunk_14.<hash of 14>0` or `chunk_14.<hash of 14>0.<hash of 140>`: no file has it. The
# browser's request for it gets 404, and a page that needs the chunk never hydrates. Such a name
# still says which chunk it meant (14, then the digits after 14's hash: chunk_140): this puts
# that chunk's file name back. Names that are right are left alone.
#
# Usage: scripts/repair-split-manifest.sh [pkg dir, default target/site/pkg]
set -euo pipefail

pkg=${1:-target/site/pkg}
shopt -s nullglob
manifests=("$pkg"/__wasm_split_manifest*.json)
# A build without --split has no manifest: nothing to repair.
[ ${#manifests[@]} -gt 0 ] || exit 0

for manifest in "${manifests[@]}"; do
  for name in $(grep -o '"chunk_[^"]*"' "$manifest" | tr -d '"' | sort -u); do
    [ -e "$pkg/$name.wasm" ] && continue
    # chunk_<N>.<hash of N><digits>[.<hash>]: the chunk meant is chunk_<N><digits>.
    number=${name#chunk_}
    number=${number%%.*}
    found=("$pkg"/chunk_"$number".*.wasm)
    meant=""
    if [ ${#found[@]} -eq 1 ]; then
      rest=${name#"$(basename "${found[0]}" .wasm)"}
      digits=${rest%%.*}
      [ -n "$digits" ] && [ -z "${digits//[0-9]/}" ] && meant="chunk_$number$digits"
    fi
    files=()
    [ -n "$meant" ] && files=("$pkg"/"$meant".*.wasm)
    if [ ${#files[@]} -ne 1 ]; then
      echo "repair-split-manifest: $manifest names $name, which names no chunk" >&2
      exit 1
    fi
    right=$(basename "${files[0]}" .wasm)
    # Base64url hashes and chunk numbers: only the dots need escaping.
    sed -i "s/\"${name//./\\.}\"/\"$right\"/g" "$manifest"
    echo "repair-split-manifest: $name -> $right"
  done
done
