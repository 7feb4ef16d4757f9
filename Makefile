# svclab: every command a machine needs. Tool versions are pinned here and nowhere else.
# Each target installs what it lacks and only that, so `make serve` and `make test` are the whole
# set-up of a fresh machine. CARGO_HOME is honoured (a separate, empty one is a fresh cargo).
SHELL := /bin/bash
CARGO ?= cargo
CARGO_HOME ?= $(HOME)/.cargo
TRUNK_VERSION := 0.21.14
WASM_BINDGEN_VERSION := 0.2.130
# Tools installed by `cargo install` land in $(CARGO_HOME)/bin.
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_HOME)/bin:$(PATH)

.PHONY: test test-core fmt-check test-browser browser-deps bench fuzz run-example fetch tools serve dist budgets fresh-check

# Every test: formatting, the core and command line on the host, then the page in headless
# Chromium.
test: fmt-check test-core test-browser

fmt-check:
	@rustup component list --installed | grep -q "^rustfmt" || rustup component add rustfmt
	$(CARGO) fmt --check

test-core: fetch
	$(CARGO) test --locked

# Every crate an --offline build can need, downloaded before any such build: the project's
# dependencies for every target (the wasm-only ones too) and, for the release build that
# recompiles the standard library, the standard library's own dependencies. Quick and silent
# when cargo's cache already has them.
STD_MANIFEST = $$(rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml
fetch:
	@rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
	$(CARGO) fetch --locked --quiet
	RUSTC_BOOTSTRAP=1 $(CARGO) fetch --locked --quiet --manifest-path "$(STD_MANIFEST)"

# Debian's Chromium (and the CJK fonts the Korean screenshots need) and the npm tools, installed
# when missing.
browser-deps:
	@[ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/opentype/noto ] || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver fonts-noto-cjk; }
	@[ -d node_modules/playwright-core ] && [ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/terser ] || npm ci --no-audit --no-fund

test-browser: browser-deps dist
	node --test e2e/*.test.mjs

# Apply and settle 100 Deployments x 10 replicas + 1,000 Services, 10,000 traced requests,
# peak memory.
bench: fetch
	$(CARGO) bench --bench core --locked

# A longer run of the generated-input tests (cases per input kind).
fuzz: fetch
	SVCLAB_FUZZ_CASES=20000 $(CARGO) test --release --locked --test robustness -- --nocapture

run-example: fetch
	$(CARGO) run --locked -- run tests/transcripts/nodeport/script

# ---------------------------------------------------------------------------------------------
# The browser app. `make serve` and `make dist` install what is missing.
tools: fetch
	@rustup target list --installed | grep -q '^wasm32-unknown-unknown' || rustup target add wasm32-unknown-unknown
	@trunk --version 2>/dev/null | grep -q "$(TRUNK_VERSION)" || $(CARGO) install trunk --locked --version $(TRUNK_VERSION)
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || $(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@[ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/terser ] || npm ci --no-audit --no-fund

serve: tools
	trunk serve --offline --address 127.0.0.1 --port 8080

# The release build recompiles the standard library with panic=immediate-abort: a panic stops
# the module at once (the page's crash notice takes over), and no panic message, file name or
# formatting code is shipped: 6% less to download. `-Zfmt-debug=none` compiles every `{:?}` and
# derived Debug to nothing (1% less), so nothing the page shows may come from Debug formatting.
# These are unstable compiler options, which RUSTC_BOOTSTRAP unlocks on the pinned stable
# toolchain; the development build (`make serve`) keeps ordinary panics and Debug output.
RELEASE_ENV := RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none"

dist: tools
	$(RELEASE_ENV) trunk build --release --offline
	node tools/minify.mjs dist
	node tools/csp.mjs dist

# Page weight, load time, frame times and apply time in headless Chromium (prints figures).
budgets: browser-deps dist
	node e2e/measure.mjs

# The README's two commands on a machine as fresh as this one can be made: a clone of HEAD, an
# empty cargo home (no registry, no git cache, no trunk or wasm-bindgen) and an empty npm cache.
# Slow (about half an hour: trunk and wasm-bindgen are compiled again); not part of `make test`.
fresh-check:
	bash tools/fresh-check.sh
