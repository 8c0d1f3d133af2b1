#!/usr/bin/env bash
# Repairs the lazy routes' manifest after `cargo leptos build --split` with hashed file names.
#
# cargo-leptos 0.3.6 puts each chunk's hash into the manifest by plain text replacement of
# `chunk_N` with `chunk_N.<hash>`, one chunk after another. When both chunk_14 and chunk_140
# exist, `chunk_140.<hash>` contains `chunk_14` and is rewritten a second time, into a name that
# no file has (`chunk_14.<hash of 14>0.<hash of 140>`). The browser's request for it gets 404,
# and a page that needs the chunk never hydrates. Such a name still ends with its own file's
# hash: this puts that file's name back. Names that are right are left alone.
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
    hash=${name##*.}
    files=("$pkg"/chunk_*."$hash".wasm)
    if [ ${#files[@]} -ne 1 ]; then
      echo "repair-split-manifest: $manifest names $name, and no single chunk has hash $hash" >&2
      exit 1
    fi
    right=$(basename "${files[0]}" .wasm)
    # Base64url hashes and chunk numbers: only the dots need escaping.
    sed -i "s/\"${name//./\\.}\"/\"$right\"/g" "$manifest"
    echo "repair-split-manifest: $name -> $right"
  done
done
