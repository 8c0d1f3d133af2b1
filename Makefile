# cks-console: `make run` starts the console, `make test` runs every test.
# Both first install what is missing (scripts/setup.sh) and skip what is present.

SHELL := /bin/bash
.DEFAULT_GOAL := run

# Build outside the clone, so every fresh clone (and CI) reuses the compiled dependencies.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/cks-console/target
# CI builds a fresh clone in a new folder each time: incremental data would pile up in the cache.
ifdef CI
export CARGO_INCREMENTAL := 0
endif
# The values cargo-leptos compiles with; plain cargo (test, clippy) uses the same, so nothing rebuilds.
export LEPTOS_OUTPUT_NAME := cks-console
export LEPTOS_SITE_ROOT := target/site
export LEPTOS_SITE_PKG_DIR := pkg
export LEPTOS_SITE_ADDR ?= 127.0.0.1:3000
export LEPTOS_RELOAD_PORT := 3001
export LEPTOS_LIB_DIR := app
export LEPTOS_BIN_DIR := server
export LEPTOS_JS_MINIFY := false
export LEPTOS_HASH_FILES := true
export LEPTOS_HASH_FILE_NAME := hash.txt

BIN := $(CARGO_TARGET_DIR)/debug/cks-console

.PHONY: setup build run test prune check node unit end2end release bench

setup:
	@bash scripts/setup.sh

# --split: the pages other than the list are lazy routes, each its own wasm chunk loaded on first visit.
# cargo-leptos 0.3.6 can garble a chunk's name in the lazy routes' manifest: the script puts it back.
build: setup
	cargo leptos build --split
	bash scripts/repair-split-manifest.sh $(LEPTOS_SITE_ROOT)/$(LEPTOS_SITE_PKG_DIR)

## Build and start the console at http://127.0.0.1:3000 (flags: `make run ARGS="--ephemeral"`, or CKS_* variables).
run: build
	$(BIN) $(ARGS)

## Every test: formatting, lints, unit and integration tests, browser tests.
test: setup prune check unit end2end

# Under CI each run is a fresh clone in a new folder, so the workspace's own artifacts from earlier
# runs are never reused: drop them, or the shared cache grows by gigabytes a run.
prune:
ifdef CI
	cargo clean --quiet -p app -p server -p kms-sim
endif

check:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

# The browser tests' packages, and the test OpenID provider the Rust tests start too (server/tests/oidc.rs).
node:
	cd end2end && npm ci --no-audit --no-fund --loglevel=error

unit: node
	cargo test --workspace

end2end: build node
	cd end2end && CKS_BIN=$(BIN) npx playwright test

RELEASE := $(CARGO_TARGET_DIR)/release

## The release console: $(RELEASE)/cks-console with its site in target/site (start it with
## `--site-root target/site`). wasm-opt comes from binaryen on npm (tools/): Debian's 108 points
## wasm-bindgen's externref table export at the function table, and the page then fails to hydrate.
## `--cfg erase_components` (server and browser alike, or hydration fails) makes Leptos type-erase
## each component's view: a fifth less wasm. Debug builds leave it off so that plain cargo
## (test, clippy) shares their compiled dependencies.
RELEASE_RUSTFLAGS := --cfg erase_components

release: setup
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	PATH="$(CURDIR)/tools/node_modules/.bin:$$PATH" RUSTFLAGS="$(RELEASE_RUSTFLAGS)" cargo leptos build --release --split
	bash scripts/repair-split-manifest.sh $(LEPTOS_SITE_ROOT)/$(LEPTOS_SITE_PKG_DIR)

## Benchmarks, never part of `make test`: the release build above, then the load runs;
## writes BENCHMARKS.md and benchmarks.json. The same flags, so cks-bench reuses the release build.
## About 10 minutes after the first release build.
bench: release
	@bash scripts/setup.sh bench
	RUSTFLAGS="$(RELEASE_RUSTFLAGS)" cargo build --release -p kms-sim -p bench
	cd end2end && npm ci --no-audit --no-fund --loglevel=error
	$(RELEASE)/cks-bench run --console $(RELEASE)/cks-console --kms-sim $(RELEASE)/kms-sim --site-root target/site
