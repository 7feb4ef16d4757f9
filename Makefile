# svclab: every command a machine needs. Tool versions are pinned here and nowhere else.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: test test-core bench fuzz run-example

# Everything the tests need is installed by cargo (crates from the registry); nothing else.
test: test-core

test-core:
	$(CARGO) test --locked

# Apply and settle 100 Deployments x 10 replicas + 1,000 Services, 10,000 traced requests,
# peak memory.
bench:
	$(CARGO) bench --bench core --locked

# A longer run of the generated-input tests (cases per input kind).
fuzz:
	SVCLAB_FUZZ_CASES=20000 $(CARGO) test --release --locked --test robustness -- --nocapture

run-example:
	$(CARGO) run --locked -- run tests/transcripts/nodeport/script
