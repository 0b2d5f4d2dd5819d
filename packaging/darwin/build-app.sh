#!/usr/bin/env bash
# Builds Softphone.app ON A MAC (Xcode command line tools + Go; no SDK exists on
# the Linux CI). From the repository root:
#
#   go install fyne.io/tools/cmd/fyne@v1.7.4
#   packaging/darwin/build-app.sh            # -> build/darwin/Softphone.app
#   codesign --deep --options runtime -s "Developer ID Application: …" build/darwin/Softphone.app
#
# `fyne package -os darwin` compiles the app (cgo: Cocoa, GLFW, CoreAudio via
# miniaudio) and makes the bundle with the icon. Its Info.plist lacks the
# sip:/tel: URL types and the microphone usage text, so it is replaced by
# packaging/darwin/Info.plist rendered with FyneApp.toml's name/id and the git
# version. fyne package increments the build number in FyneApp.toml; the file
# is restored afterwards (version and build come from git).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
meta=packaging/appmeta.sh
name="$($meta name)"; id="$($meta id)"; icon="$($meta icon)"
semver="$($meta semver)"; build="$($meta build)"; version="$($meta version)"
out=build/darwin
mkdir -p "$out"

for f in FyneApp.toml cmd/softphone/FyneApp.toml; do
	[[ -f "$f" ]] && cp "$f" "$out/$(echo "$f" | tr / _).orig"
done
restore() {
	for f in FyneApp.toml cmd/softphone/FyneApp.toml; do
		b="$out/$(echo "$f" | tr / _).orig"
		[[ -f "$b" ]] && mv "$b" "$f"
	done
	return 0
}
trap restore EXIT

# fyne takes every -ldflags= entry of GOFLAGS and joins them.
GOFLAGS="-ldflags=-X=main.version=$version -ldflags=-X=main.buildNumber=$build" \
	fyne package -os darwin -src cmd/softphone -name "$name" -appID "$id" -tags no_emoji \
	-icon "$root/$icon" -appVersion "$semver" -appBuild "$build" -release
rm -rf "$out/$name.app"
mv "$name.app" "$out/" 2>/dev/null || mv "cmd/softphone/$name.app" "$out/"

exe="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleExecutable' "$out/$name.app/Contents/Info.plist")"
sed -e "s|{{Name}}|$name|g" -e "s|{{AppID}}|$id|g" -e "s|{{ExeName}}|$exe|g" \
	-e "s|{{Version}}|$semver|g" -e "s|{{Build}}|$build|g" \
	packaging/darwin/Info.plist >"$out/$name.app/Contents/Info.plist"
plutil -lint "$out/$name.app/Contents/Info.plist"
# Let Launch Services see the URL types now (it also does on first launch).
/System/Library/Frameworks/CoreServices.framework/Frameworks/LaunchServices.framework/Support/lsregister -f "$out/$name.app" || true
echo "$out/$name.app ($version, build $build)"
