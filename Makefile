# Wushe — every set-up step lives here so a clean clone needs only `make run` or `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 3
export DJANGO_SETTINGS_MODULE ?= config.settings.local
TEST_WORKERS ?= auto

.PHONY: run dev test test-pg test-fast lint bench install assets browser-deps migrate demo messages clean check-deploy

$(VENV)/.installed: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.installed: node_modules/.installed scripts/vendor_assets.sh
	bash scripts/vendor_assets.sh
	touch $@

assets: static/vendor/.installed

messages: install
	$(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py seed_demo

# Production-grade local run: gunicorn + WhiteNoise, SQLite in WAL mode, the background worker beside it.
run: install assets messages demo
	$(PY) manage.py collectstatic --noinput -v0
	@$(PY) manage.py demo_logins
	@echo "Wushe is starting on http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py qcluster >var/worker.log 2>&1 & \
	$(VENV)/bin/gunicorn config.wsgi:application --bind 127.0.0.1:$(PORT) --workers $(WORKERS) \
		--env DJANGO_SETTINGS_MODULE=$(DJANGO_SETTINGS_MODULE) --access-logfile - --timeout 120

dev: install assets messages demo
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py runserver 127.0.0.1:$(PORT)

browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

test: install assets messages browser-deps
	mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run -v0
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py permissions_doc --check
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $(TEST_WORKERS) -q $(PYTEST_ARGS)

# The same suite against PostgreSQL (DATABASE_URL must point at it).
test-pg: install assets messages browser-deps
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $(TEST_WORKERS) -q $(PYTEST_ARGS)

test-fast: install assets
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest -n $(TEST_WORKERS) -q -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m benchmarks imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m benchmarks activities
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m benchmarks surveys

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
		ALLOWED_HOSTS=wushe.example.gov.cn $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
