# Packaging and release metadata (owner: build/release). Included by Makefile.
#
#   make package       build/softphone-VERSION-linux-amd64.tar.xz
#                      build/softphone-VERSION-windows-amd64.exe
#                      (macOS: packaging/darwin/build-app.sh on a Mac)
#   make darwin-check  vet + build for GOOS=darwin CGO_ENABLED=0 of every
#                      package that needs neither Fyne nor malgo
#
# Name, id and icon come from FyneApp.toml; version and build number from git
# (packaging/appmeta.sh), never from a file the build rewrites.

.PHONY: package package-linux package-windows linux-build darwin-check pkg-info

PKG_BUILD_DIR ?= build
PKG_META      := packaging/appmeta.sh
# Evaluated once, on first use (so `make test` does not run git needlessly).
PKG_NAME       = $(eval PKG_NAME := $$(shell $(PKG_META) name))$(PKG_NAME)
PKG_ID         = $(eval PKG_ID := $$(shell $(PKG_META) id))$(PKG_ID)
PKG_ICON       = $(eval PKG_ICON := $$(shell $(PKG_META) icon))$(PKG_ICON)
PKG_VERSION    = $(eval PKG_VERSION := $$(shell $(PKG_META) version))$(PKG_VERSION)
PKG_BUILDNUM   = $(eval PKG_BUILDNUM := $$(shell $(PKG_META) build))$(PKG_BUILDNUM)
PKG_WINVERSION = $(eval PKG_WINVERSION := $$(shell $(PKG_META) winversion))$(PKG_WINVERSION)
# -X values for cmd/softphone (vars in cmd/softphone/cmd_open.go).
PKG_XFLAGS     = -X 'main.version=$(PKG_VERSION)' -X 'main.buildNumber=$(PKG_BUILDNUM)' \
                 -X 'main.appID=$(PKG_ID)' -X 'main.appName=$(PKG_NAME)'

LINUX_EXE := $(PKG_BUILD_DIR)/linux/softphone

pkg-info:
	@echo "name=$(PKG_NAME) id=$(PKG_ID) icon=$(PKG_ICON) version=$(PKG_VERSION) build=$(PKG_BUILDNUM) winversion=$(PKG_WINVERSION)"

package: package-linux package-windows
	@echo "macOS: run packaging/darwin/build-app.sh on a Mac (see packaging/README-platforms.md)"
	@ls -l $(PKG_BUILD_DIR)/softphone-$(PKG_VERSION)-*

linux-build:
	@mkdir -p $(dir $(LINUX_EXE))
	CGO_ENABLED=1 $(GO) build -ldflags "-s -w $(PKG_XFLAGS)" -o $(LINUX_EXE) ./cmd/softphone

# Tarball: binary, desktop file, icon, install script, READMEs. Reproducible
# order, owner and mtime (the commit time).
package-linux: linux-build
	@set -e; v='$(PKG_VERSION)'; stage=$(PKG_BUILD_DIR)/pkg/softphone-$$v-linux-amd64; \
	rm -rf $(PKG_BUILD_DIR)/pkg $(PKG_BUILD_DIR)/softphone-*-linux-amd64.tar.xz; mkdir -p $$stage; \
	install -m 0755 $(LINUX_EXE) $$stage/softphone; \
	install -m 0644 packaging/linux/softphone.desktop $$stage/softphone.desktop; \
	if [ -f '$(PKG_ICON)' ]; then install -m 0644 '$(PKG_ICON)' $$stage/softphone.png; \
	else echo "package: icon $(PKG_ICON) missing (FyneApp.toml Icon / assets/)" >&2; exit 1; fi; \
	install -m 0755 packaging/linux/install.sh $$stage/install.sh; \
	install -m 0644 packaging/README-platforms.md $$stage/README-platforms.md; \
	if [ -f README.md ]; then install -m 0644 README.md $$stage/README.md; fi; \
	mtime=$$(git log -1 --format=%ct 2>/dev/null || date +%s); \
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$$mtime \
		-C $(PKG_BUILD_DIR)/pkg -cJf $(PKG_BUILD_DIR)/softphone-$$v-linux-amd64.tar.xz softphone-$$v-linux-amd64; \
	echo "package: $(PKG_BUILD_DIR)/softphone-$$v-linux-amd64.tar.xz"

# The Windows exe is self-contained (Go links statically; icon, manifest and
# version info embedded by windows-build).
package-windows: windows-build
	rm -f $(PKG_BUILD_DIR)/softphone-*-windows-amd64.exe
	cp $(WIN_EXE) $(PKG_BUILD_DIR)/softphone-$(PKG_VERSION)-windows-amd64.exe
	@echo "package: $(PKG_BUILD_DIR)/softphone-$(PKG_VERSION)-windows-amd64.exe"

# Everything except what needs cgo (Fyne: ui, cmd/softphone; malgo:
# audio/device) must build and vet for macOS. The list comes from go list,
# so new packages are covered without editing this file.
DARWIN_SKIP ?= softphone/ui softphone/ui/% softphone/cmd/softphone softphone/cmd/iodelay softphone/audio/device softphone/audio/device/%
darwin-check:
	@set -e; pkgs=$$(CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) list -e ./...); \
	pkgs=$$(echo "$$pkgs" | tr ' ' '\n' | grep -v -x -E "$$(echo '$(DARWIN_SKIP)' | tr ' ' '\n' | sed 's/%/.*/; s/^/^/; s/$$/$$/' | paste -sd'|')" || true); \
	n=$$(echo "$$pkgs" | grep -c . || true); \
	echo "darwin-check: $$n packages (GOOS=darwin GOARCH=arm64 CGO_ENABLED=0; skipped: $(DARWIN_SKIP))"; \
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) vet $$pkgs; \
	CGO_ENABLED=0 GOOS=darwin GOARCH=arm64 $(GO) build $$pkgs; \
	CGO_ENABLED=0 GOOS=darwin GOARCH=amd64 $(GO) build $$pkgs; \
	echo "darwin-check: ok"
