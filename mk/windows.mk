# Windows cross-build and tests under Wine (owner: build/release). Included by
# Makefile. Needs: apt-get install -y gcc-mingw-w64-x86-64 wine wine64 xvfb
# xdotool imagemagick.
#
#   make windows-build   build/windows/softphone.exe (mingw-w64, -H=windowsgui,
#                        icon + manifest + version info via go-winres patch)
#   make test-windows    windows-build, Go tests of WIN_TEST_PKGS under Wine,
#                        GUI smoke under Wine + Xvfb (screenshot kept in
#                        build/windows/gui-smoke.png, timings in
#                        build/windows/test-times.txt)
#   make test-windows WIN_TEST_PKGS=./sip/... WIN_GUI_SMOKE=0   (a quick subset)
#   One package by hand: $(WIN_GOENV) go test -overlay "$(scripts/windows/go-overlay.sh)" \
#                        -exec "$PWD/scripts/windows/wine-exec.sh" ./sip
#
# One Go environment for build and tests (WIN_GOENV): the cgo packages (go-gl,
# GLFW, malgo) are compiled once per build cache, never twice with different
# C flags. Cold ~6 min on 2 idle cores (go-gl dominates), warm a few seconds.

.PHONY: windows-build test-windows wine-setup

PKG_BUILD_DIR ?= build
WIN_GOENV := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++
WIN_EXE   := $(PKG_BUILD_DIR)/windows/softphone.exe
WINRES    := github.com/tc-hib/go-winres@v0.3.3
WINRES_BIN := $(PKG_BUILD_DIR)/tools/go-winres

# Packages whose tests must pass under Wine. Patterns whose directory does not
# exist yet are skipped by scripts/windows/test-windows.sh.
# Not here: ui (Fyne widget tests need no Windows), internal/testpeer and
# internal/benchcmp (drive Linux programs).
WIN_TEST_PKGS ?= ./sip/... ./audio/... ./auth/... ./crm/... ./recording/... ./audit/... ./internal/filelock/... ./internal/safefile/... \
                 ./config/... ./phone/... ./demo/... ./cmd/... \
                 ./internal/instance/... ./internal/urlhandler/... ./internal/pki/...

$(WINRES_BIN):
	@mkdir -p $(dir $@)
	GOBIN=$(abspath $(dir $@)) GOOS= GOARCH= CGO_ENABLED=0 $(GO) install $(WINRES)

windows-build: $(WINRES_BIN)
	@command -v x86_64-w64-mingw32-gcc >/dev/null || { echo "windows-build: apt-get install -y gcc-mingw-w64-x86-64" >&2; exit 1; }
	@mkdir -p $(dir $(WIN_EXE))/winres
	@t0=$$(date +%s.%N); \
	$(WIN_GOENV) $(GO) build -ldflags "-H=windowsgui -s -w $(PKG_XFLAGS)" -o $(WIN_EXE).tmp ./cmd/softphone && \
	awk -v a=$$t0 -v b=$$(date +%s.%N) 'BEGIN { printf "windows-build: go build %.1fs\n", b - a }'
	@packaging/windows/winres-json.sh '$(PKG_NAME)' '$(PKG_VERSION)' '$(PKG_WINVERSION)' '$(PKG_ICON)' $(dir $(WIN_EXE))winres
	$(WINRES_BIN) patch --in $(dir $(WIN_EXE))winres/winres.json --no-backup $(WIN_EXE).tmp
	mv $(WIN_EXE).tmp $(WIN_EXE)
	@ls -l $(WIN_EXE)

wine-setup:
	scripts/windows/setup-wine.sh

test-windows: windows-build
	$(WIN_GOENV) scripts/windows/test-windows.sh $(WIN_TEST_PKGS)
