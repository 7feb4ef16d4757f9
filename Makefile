# svclab: every command a machine needs. Tool versions are pinned here and nowhere else.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: test test-core test-browser browser-deps bench fuzz run-example

# Every test: the core and command line on the host, then the page in headless Chromium.
test: test-core test-browser

test-core:
	$(CARGO) test --locked

# Debian's Chromium and the npm tools, installed when missing.
browser-deps:
	@[ -x /usr/bin/chromium ] || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; }
	@[ -d node_modules/playwright-core ] && [ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/terser ] || npm ci --no-audit --no-fund

test-browser: browser-deps dist
	node --test e2e/playground.test.mjs e2e/lesson.test.mjs e2e/embed.test.mjs e2e/share.test.mjs

# Apply and settle 100 Deployments x 10 replicas + 1,000 Services, 10,000 traced requests,
# peak memory.
bench:
	$(CARGO) bench --bench core --locked

# A longer run of the generated-input tests (cases per input kind).
fuzz:
	SVCLAB_FUZZ_CASES=20000 $(CARGO) test --release --locked --test robustness -- --nocapture

run-example:
	$(CARGO) run --locked -- run tests/transcripts/nodeport/script

# ---------------------------------------------------------------------------------------------
# The browser app. Tool versions, pinned; `make serve` and `make dist` install what is missing.
TRUNK_VERSION := 0.21.14
WASM_BINDGEN_VERSION := 0.2.130
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: tools serve dist

tools:
	rustup target add wasm32-unknown-unknown
	rustup component add rust-src
	@trunk --version 2>/dev/null | grep -q "$(TRUNK_VERSION)" || cargo install trunk --locked --version $(TRUNK_VERSION)
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
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
.PHONY: budgets
budgets: browser-deps dist
	node e2e/measure.mjs
