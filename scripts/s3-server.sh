#!/usr/bin/env bash
# Starts a real S3-compatible server (Versity Gateway, Apache-2.0) on
# 127.0.0.1:PORT storing its data under DIR, with a bucket created with
# Object Lock enabled (so legal hold and retention are enforced by the store).
#
# Usage: scripts/s3-server.sh PORT DIR [BUCKET]
#        scripts/s3-server.sh --install     (only build/install versitygw)
#
# Once the bucket is ready it prints, one per line:
#   S3_ENDPOINT=http://127.0.0.1:PORT
#   S3_REGION=us-east-1
#   S3_BUCKET=BUCKET
#   S3_ACCESS_KEY=…
#   S3_SECRET_KEY=…
#   S3_READY
# and keeps running in the foreground until killed (SIGTERM/SIGINT stop the
# server too). Tests (internal/testpeer/s3.go), CI and developers all use it.
# Keys are made at random per run unless S3_ACCESS_KEY/S3_SECRET_KEY are set.
set -euo pipefail

VERSITYGW_VERSION=v1.8.0

install_gw() {
	local bin
	bin=$(command -v versitygw 2>/dev/null || true)
	[[ -z "$bin" ]] && bin="$(go env GOPATH)/bin/versitygw"
	if [[ ! -x "$bin" ]]; then
		echo "s3-server.sh: installing versitygw $VERSITYGW_VERSION (about a minute)…" >&2
		GOFLAGS= GOBIN="$(dirname "$bin")" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" >&2
	fi
	echo "$bin"
}

if [[ "${1:-}" == "--install" ]]; then
	install_gw
	exit 0
fi
if [[ $# -lt 2 ]]; then
	echo "usage: scripts/s3-server.sh PORT DIR [BUCKET] | --install" >&2
	exit 2
fi
PORT=$1
DIR=$2
BUCKET=${3:-softphone}
REGION=us-east-1
command -v curl >/dev/null || { echo "s3-server.sh: curl is required (apt-get install curl)" >&2; exit 1; }
GW=$(install_gw)

ACCESS=${S3_ACCESS_KEY:-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}
SECRET=${S3_SECRET_KEY:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
mkdir -p "$DIR/data" "$DIR/versions"

ROOT_ACCESS_KEY=$ACCESS ROOT_SECRET_KEY=$SECRET "$GW" --port "127.0.0.1:$PORT" \
	posix --versioning-dir "$DIR/versions" "$DIR/data" >"$DIR/versitygw.log" 2>&1 &
GW_PID=$!
trap 'kill "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null; exit 0' TERM INT
trap 'kill "$GW_PID" 2>/dev/null || true' EXIT

# Every request here has an empty body; S3 wants its SHA-256 signed.
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
s3() { curl -s -o /dev/null -w "%{http_code}" --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS:$SECRET" -H "x-amz-content-sha256: $EMPTY_SHA256" "$@"; }

ready=""
for _ in $(seq 1 100); do
	if ! kill -0 "$GW_PID" 2>/dev/null; then
		echo "s3-server.sh: versitygw exited; its log:" >&2
		cat "$DIR/versitygw.log" >&2
		exit 1
	fi
	code=$(s3 "http://127.0.0.1:$PORT/" || true)
	if [[ "$code" == "200" ]]; then ready=1; break; fi
	sleep 0.1
done
[[ -n "$ready" ]] || { echo "s3-server.sh: versitygw did not answer on 127.0.0.1:$PORT" >&2; cat "$DIR/versitygw.log" >&2; exit 1; }

# Object Lock can only be switched on when the bucket is created.
code=$(s3 -X PUT -H "x-amz-bucket-object-lock-enabled: true" "http://127.0.0.1:$PORT/$BUCKET" || true)
if [[ "$code" != "200" && "$code" != "409" ]]; then
	echo "s3-server.sh: creating bucket $BUCKET with Object Lock failed (HTTP $code)" >&2
	exit 1
fi

echo "S3_ENDPOINT=http://127.0.0.1:$PORT"
echo "S3_REGION=$REGION"
echo "S3_BUCKET=$BUCKET"
echo "S3_ACCESS_KEY=$ACCESS"
echo "S3_SECRET_KEY=$SECRET"
echo "S3_READY"
wait "$GW_PID"
