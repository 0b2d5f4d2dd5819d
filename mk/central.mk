# Central storage (owner: recording/central, audit/ship). Included by the Makefile.
#   make deps-s3        build Versity Gateway (the real S3 server the tests start) if missing
#   make bench-central  1,000 one-minute recordings uploaded, 10,000 objects listed
.PHONY: deps-s3 bench-central

# make test (deps-test) installs the S3 server too.
deps-test: deps-s3

deps-s3:
	@scripts/s3-server.sh --install >/dev/null

bench-central: deps-test
	$(GO) test -run '^$$' -bench 'UploadMinutes|List10000' -benchtime 1x -timeout 30m ./recording/central
