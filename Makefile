# Every target creates what it needs: a fresh clone only has python3 (>= 3.11) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROTOS := $(wildcard proto/ogi/v1/*.proto)
STUBS := $(patsubst proto/%.proto,%_pb2.py,$(PROTOS))

.PHONY: help venv proto run run-prod lint browser browser-deps documents-deps k8s-schemas test test-unit test-integration bench bench-province clean

help:
	@echo "make run      - embedded mode: local nats-server + services on SQLite, the console (:8080),"
	@echo "               the applicants' portal (:8090); e-mail and SMS notices go to data/outbox/"
	@echo "make run-prod - production mode: services on PostgreSQL + an external NATS"
	@echo "make test     - lint + the whole test suite (SQLite and PostgreSQL)"
	@echo "make lint     - buf lint, ruff, mypy"
	@echo "make proto    - regenerate the gRPC stubs"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

$(STUBS) &: $(PROTOS) $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m grpc_tools.protoc -Iproto \
		--python_out=. --grpc_python_out=. \
		--mypy_out=. --mypy_grpc_out=. $(PROTOS)

proto: $(STUBS)

run: proto
	$(BIN)/python -m ogi.embedded

# Production mode on this machine: each service its own process, PostgreSQL (a schema each) and
# an external NATS with JetStream. Override either: make run-prod OGI_DATABASE_URL=postgresql://…
OGI_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
OGI_NATS_URL ?= nats://127.0.0.1:4222
run-prod: proto
	OGI_DATABASE_URL=$(OGI_DATABASE_URL) OGI_NATS_URL=$(OGI_NATS_URL) $(BIN)/python -m ogi.production

lint: proto
	cd proto && ../$(BIN)/buf lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ogi services tests bench

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
define apt_install
	@command -v apt-get >/dev/null || { echo "install the Debian package $(1)"; exit 1; }
	$(SUDO) apt-get install -y --no-install-recommends $(1) \
		|| { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends $(1); }
endef

# The report test opens the HTML in Debian's chromium; install it where it is missing.
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install chromium (Debian package) at $(CHROMIUM)"; exit 1; }
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends chromium fonts-noto-cjk \
		|| { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update && $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends chromium fonts-noto-cjk; }

browser: $(CHROMIUM)

# Documents are set in Noto CJK (Debian fonts-noto-cjk) unless an agency supplies its fonts, and
# the document tests read the PDFs with poppler-utils (pdftotext, pdftoppm); install where missing.
NOTO_CJK := /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
PDFTOTEXT := /usr/bin/pdftotext
$(NOTO_CJK):
	$(call apt_install,fonts-noto-cjk)
$(PDFTOTEXT):
	$(call apt_install,poppler-utils)

documents-deps: $(NOTO_CJK) $(PDFTOTEXT)

# The manifest test validates the CloudNativePG Cluster with its CRD schema, which is published
# for node (@kubernetes-models); install node and npm from Debian where they are missing.
K8S_SCHEMAS := tests/k8s/node_modules/.package-lock.json
$(K8S_SCHEMAS): tests/k8s/package.json tests/k8s/package-lock.json
	@command -v npm >/dev/null || $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends nodejs npm \
		|| { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update && $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends nodejs npm; }
	cd tests/k8s && npm ci --silent --no-audit --no-fund
	touch $@

k8s-schemas: $(K8S_SCHEMAS)

# The console's browser tests inject axe-core into chromium and sign in at a real OpenID
# provider on loopback (oidc-provider, run with node): both from npm, pinned in tests/e2e/node.
BROWSER_DEPS := tests/e2e/node/node_modules/.package-lock.json
$(BROWSER_DEPS): tests/e2e/node/package.json tests/e2e/node/package-lock.json
	@command -v npm >/dev/null || $(SUDO) apt-get install -y --no-install-recommends nodejs npm \
		|| { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends nodejs npm; }
	cd tests/e2e/node && npm ci --silent --no-audit --no-fund
	touch $@

browser-deps: $(CHROMIUM) $(BROWSER_DEPS)

test: lint browser browser-deps documents-deps k8s-schemas
	$(BIN)/pytest

test-unit: proto
	$(BIN)/pytest tests/unit

# Benchmarks (about 15 minutes on 2 cores; the replay stores are made once and kept in data/bench).
# PostgreSQL from OGI_BENCH_POSTGRES_URL, else OGI_TEST_POSTGRES_URL, else a throwaway pgserver.
bench: proto
	$(BIN)/python -m bench
	$(BIN)/python -m bench.catchup
	$(BIN)/python -m bench.art44
	$(BIN)/python -m bench.console
	$(BIN)/python -m bench.similar
	$(BIN)/python -m bench.documents

# A province simulated (issue 21): 1,000 agencies, 150,000 applications a year for five years;
# store sizes, full replays, annual reports, start-up. Smaller: make bench-province SCALE=0.05
SCALE ?= 1.0
bench-province: proto documents-deps
	$(BIN)/python -m bench.province --scale $(SCALE)

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache tests/k8s/node_modules \
		tests/e2e/node/node_modules
	rm -f ogi/v1/*_pb2*.py ogi/v1/*_pb2*.pyi
