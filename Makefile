# softphone — see README.md. `make run` and `make test` work on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
GO ?= go
export GOFLAGS := -buildvcs=false

.PHONY: all deps run test test-unit test-integration bench build vet fmt clean

all: build

# Per-area make fragments (packaging, Windows, …) live in mk/.
-include mk/*.mk
