# softphone — see README.md. `make run` and `make test` work on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
GO ?= go
# no_emoji: Fyne without its bundled colour-emoji font (EmojiOneColor, 4.2 MB).
# Fyne parses that font again for every text style it sets up (regular, bold,
# monospace, …); in the desktop after login that was ~15 MB of live heap and
# 26 MB of RSS (scripts/gui-bench.sh: 191 → 165 MB). The UI's own strings use
# no emoji; an emoji in CRM data falls back to the system's fonts.
export GOFLAGS := -buildvcs=false -tags=no_emoji
BUILD := build
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BUILDNUM := $(shell git rev-list --count HEAD 2>/dev/null || echo 0)
LDFLAGS := -X main.version=$(VERSION) -X main.buildNumber=$(BUILDNUM)

.PHONY: all deps deps-build deps-test deps-windows run build test test-all test-race test-unit test-gui vet fmt-check bench bench-gui clean

all: build

## deps: install missing Debian packages for building and testing (says what it installs)
deps: deps-build deps-test deps-windows
deps-build:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh build test
deps-windows:
	@scripts/deps.sh windows

## build: the desktop binary in build/softphone
build: deps-build
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BUILD)/softphone ./cmd/softphone

## run: the GUI against the embedded demo PBX with demo CRM data
run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "No display found: starting under Xvfb (screenshots: import -window root shot.png)"; \
		scripts/deps.sh test; \
		dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" $(BUILD)/softphone --demo; \
	else \
		$(BUILD)/softphone --demo; \
	fi

## test: everything CI runs — format, vet, unit + integration tests against the real peers,
## the real desktop under Xvfb, the macOS compile check, the Windows build and tests under Wine
test: deps-test deps-windows fmt-check vet test-all test-race test-gui test-latency darwin-check test-windows
	@echo "make test: all checks passed"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# Unit and integration tests (integration tests start Kamailio and baresip
# themselves on random 127.0.0.1 ports). The keyring tests run inside a
# private D-Bus session with gnome-keyring unlocked.
test-all:
	scripts/with-keyring.sh $(GO) test -count=1 -timeout 25m ./...

## test-race: the concurrent core again under the race detector
test-race:
	$(GO) test -race -count=1 -timeout 15m ./phone/... ./sip/... ./audio/... ./recording/... ./audit/... ./crm/... ./demo/...

## test-gui: the real binary under Xvfb in demo mode, logged in by typing; screenshots in build/screenshots
test-gui: build
	scripts/gui-smoke.sh $(BUILD)/softphone $(BUILD)/screenshots

## test-unit: fast tests only (no real peers)
test-unit:
	$(GO) test -short -count=1 ./...

## bench: micro benchmarks (each next to a reference) and the side-by-side comparison with baresip
bench: deps-test
	$(GO) test -run '^$$' -bench . -benchmem ./audio/... ./crm/... ./recording/... ./audit/... ./auth/... ./sip/... ./demo/...
	$(MAKE) bench-compare
	$(MAKE) bench-gui

## bench-gui: desktop start → window and RSS after login + 60 s idle, against the budgets
bench-gui: build
	scripts/gui-bench.sh $(BUILD)/softphone

clean:
	rm -rf $(BUILD)

# Per-area make fragments (packaging, Windows, …) live in mk/.
-include mk/*.mk
