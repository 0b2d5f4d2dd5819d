# softphone — see README.md. `make run` and `make test` work on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
GO ?= go
export GOFLAGS := -buildvcs=false
BUILD := build
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BUILDNUM := $(shell git rev-list --count HEAD 2>/dev/null || echo 0)
LDFLAGS := -X main.version=$(VERSION) -X main.buildNumber=$(BUILDNUM)

.PHONY: all deps deps-build deps-test run build test test-unit test-integration test-keyring test-gui vet fmt-check bench clean

all: build

## deps: install missing Debian packages for building and testing (says what it installs)
deps: deps-build deps-test
deps-build:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh build test

## build: the desktop binary in build/softphone
build: deps-build
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BUILD)/softphone ./cmd/softphone

## run: the GUI against the embedded demo PBX with demo CRM data
run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "No display found: starting under Xvfb (screenshots: import -window root shot.png)"; \
		scripts/deps.sh test; \
		xvfb-run -a -s "-screen 0 1280x800x24" $(BUILD)/softphone --demo; \
	else \
		$(BUILD)/softphone --demo; \
	fi

## test: everything CI runs — format, vet, unit + integration tests against the real peers
test: deps-test fmt-check vet test-all

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# Unit and integration tests (integration tests start Kamailio and baresip
# themselves on random 127.0.0.1 ports). The keyring tests run inside a
# private D-Bus session with gnome-keyring unlocked.
test-all:
	scripts/with-keyring.sh $(GO) test -race=false -count=1 -timeout 25m ./...

## test-unit: fast tests only (no real peers)
test-unit:
	$(GO) test -short -count=1 ./...

## bench: micro benchmarks and the side-by-side comparison with baresip
bench: deps-test
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s ./audio/... ./crm/... ./recording/... ./audit/... ./auth/...

clean:
	rm -rf $(BUILD)

# Per-area make fragments (packaging, Windows, …) live in mk/.
-include mk/*.mk
