# The two commands a newcomer needs: `make serve` and `make test`. See README.md.
.PHONY: serve test setup build bench models clean

PORT ?= 8000

serve:
	@scripts/setup.sh serve
	@scripts/build-web.sh
	@node scripts/static-server.mjs $(PORT)

test:
	@scripts/setup.sh test
	@scripts/test.sh

build:
	@scripts/setup.sh serve
	@scripts/build-web.sh

clean:
	rm -rf target web/pkg web/dist test-results bench-results
