# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BROWSER_STAMP := node_modules/.installed
GIS_STAMP := $(VENV)/.gis-installed
# apt-get as root (CI, containers) or through sudo; without either, say what to install.
APT := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || (command -v sudo >/dev/null && echo sudo apt-get))

.PHONY: demo test lint clean browser gis postgres extract-model

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==24.3.1
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/truce geo build-gazetteer  # the gazetteer index, built once at set-up
	touch $(STAMP)

# Debian's Chromium (browser tests, PDF reports), poppler (reading the PDFs back in tests) and Leaflet from npm (the dashboard's map, no CDN).
browser: $(BROWSER_STAMP)

$(BROWSER_STAMP): package.json package-lock.json
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftotext ]; then \
	  if [ -n "$(APT)" ]; then $(APT) update && $(APT) install -y chromium poppler-utils; \
	  else echo "install Debian's chromium and poppler-utils (apt-get install chromium poppler-utils) for PDF reports and their tests"; fi; \
	fi
	@command -v npm >/dev/null || { [ -n "$(APT)" ] && $(APT) install -y npm; }
	npm ci --no-audit --no-fund
	touch $(BROWSER_STAMP)

# PostgreSQL 15 + PostGIS 3 from Debian's packages: the tests run the store, API, log and assessment
# on a throw-away cluster of them as well as on SQLite (skipped, saying why, only if they cannot be had).
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then \
	  if [ -n "$(APT)" ]; then \
	    $(APT) update && DEBIAN_FRONTEND=noninteractive $(APT) install -y postgresql-15 postgresql-15-postgis-3 \
	    || echo "could not install PostgreSQL/PostGIS: their tests will be skipped"; \
	  else echo "install postgresql-15 and postgresql-15-postgis-3 to run the PostgreSQL tests"; fi; \
	fi

# Debian's GDAL/OGR tools: the tests drive ogrinfo and ogr2ogr against a live `truce serve`.
gis: $(GIS_STAMP)

$(GIS_STAMP): $(STAMP)
	@if ! command -v ogrinfo >/dev/null; then \
	  if [ -n "$(APT)" ]; then $(APT) update && $(APT) install -y gdal-bin; \
	  else echo "install Debian's gdal-bin (apt-get install gdal-bin) for the GIS client tests"; fi; \
	fi
	touch $(GIS_STAMP)

demo: $(STAMP) $(BROWSER_STAMP)
	$(BIN)/python -m truce.demo

# The learned incident filter (src/truce/data/extract/incident_filter), retrained from the corpus's dev
# split with a fixed seed; it prints rule-only against rules + classifier on both splits.
extract-model: $(STAMP)
	$(BIN)/python bench/train_incident_filter.py --save

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

test: $(STAMP) $(BROWSER_STAMP) $(GIS_STAMP) postgres
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

clean:
	rm -rf $(VENV) demo-out .pytest_cache node_modules test-artifacts
